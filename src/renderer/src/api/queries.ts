import { useQuery } from '@tanstack/react-query';
import type { Device } from '../../../shared/telemetry';
import { DEFAULT_UNITS, type Settings, type Units } from '../../../shared/settings';
import { api } from './client';

export interface Me {
  kind: 'user' | 'key' | 'oidc';
  subject: string;
  role: 'admin' | 'user' | 'device';
  user_id: number | null;
}

export const useMe = () => useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/api/me'), staleTime: 60_000 });

export const useDevices = () => useQuery({ queryKey: ['devices'], queryFn: () => api<Device[]>('/api/devices'), refetchInterval: 15_000 });

export type Health = Record<string, unknown> & { status: string; version: string; db?: { ok: boolean } };
export const useHealth = () => useQuery({ queryKey: ['health'], queryFn: () => api<Health>('/health'), refetchInterval: 10_000, retry: false });

export function useSettings(enabled: boolean) {
  return useQuery({ queryKey: ['settings'], queryFn: () => api<Settings>('/api/settings'), enabled, staleTime: 30_000 });
}

/** Display units: the station's setting for admins (engineers cannot read settings), else the defaults. */
export function useUnits(): Units {
  const me = useMe();
  const settings = useSettings(me.data?.role === 'admin');
  return settings.data?.units ?? DEFAULT_UNITS;
}

export const useIsAdmin = (): boolean => useMe().data?.role === 'admin';
