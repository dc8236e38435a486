import { useQuery } from '@tanstack/react-query';
import type { Alarm } from '../../../shared/ml';
import { api } from './client';

export const useAlarms = (query: Record<string, string | undefined>, refetchInterval: number | false = 15_000) =>
  useQuery({
    queryKey: ['alarms', query],
    queryFn: () => api<Alarm[] | { items: Alarm[] }>('/api/alarms', { query }).then((r) => (Array.isArray(r) ? r : r.items)),
    refetchInterval,
    retry: false,
  });
