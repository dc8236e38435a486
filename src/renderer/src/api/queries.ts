import { useQuery } from '@tanstack/react-query';
import { accountRoutes } from '../../../shared/api/accounts';
import { settingsRoutes } from '../../../shared/api/settings';
import { stationRoutes } from '../../../shared/api/station';
import { deviceRoutes } from '../../../shared/api/telemetry';
import { call } from './client';

export const useMe = () => useQuery({ queryKey: ['me'], queryFn: () => call(accountRoutes.me, {}), staleTime: 60_000 });

export const useDevices = () => useQuery({ queryKey: ['devices'], queryFn: () => call(deviceRoutes.list, {}), refetchInterval: 15_000 });

export const useHealth = () => useQuery({ queryKey: ['health'], queryFn: () => call(stationRoutes.health, {}), refetchInterval: 10_000, retry: false });

export function useSettings(enabled: boolean) {
  return useQuery({ queryKey: ['settings'], queryFn: () => call(settingsRoutes.get, {}), enabled, staleTime: 30_000 });
}

export const useIsAdmin = (): boolean => useMe().data?.role === 'admin';
