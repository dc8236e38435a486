import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PreferencesUpdate } from '../../../shared/preferences';
import { DEFAULT_UNITS, type Units } from '../../../shared/settings';
import { stationRoutes } from '../../../shared/api/station';
import { call } from '../api/client';

/**
 * The signed-in user's own display units (GET/PUT /api/me/preferences): what they picked, else the
 * station default an admin set in Settings. Every table, chart and form uses these, so an engineer
 * who thinks in psi reads and types psi while the station keeps °C and kPa.
 */
export const usePreferences = () =>
  useQuery({ queryKey: ['preferences'], queryFn: () => call(stationRoutes.preferences, {}), staleTime: 60_000, retry: false });

export const useUnits = (): Units => usePreferences().data?.units ?? DEFAULT_UNITS;

export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PreferencesUpdate) => call(stationRoutes.setPreferences, { body }),
    onSuccess: (p) => qc.setQueryData(['preferences'], p),
  });
}
