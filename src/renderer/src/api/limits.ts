import { useQuery } from '@tanstack/react-query';
import type { RuleLimits, RuleLimitsInput } from '../../../shared/ml';
import { api } from './client';

/** The rule scorer's limits: the `*` default and per-device rows (the station lets admins read them). */
export const useRuleLimits = () => useQuery({ queryKey: ['rule-limits'], queryFn: () => api<RuleLimits[]>('/api/ml/limits'), retry: false });

/** Replaces a device's (or the `*` default's) limits as a whole. */
export const putRuleLimits = (deviceId: string, limits: RuleLimitsInput) =>
  api<RuleLimits>(`/api/ml/limits/${encodeURIComponent(deviceId)}`, { method: 'PUT', body: limits });

export const deleteRuleLimits = (deviceId: string) => api(`/api/ml/limits/${encodeURIComponent(deviceId)}`, { method: 'DELETE' });
