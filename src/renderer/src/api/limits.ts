import { useQuery } from '@tanstack/react-query';
import { mlRoutes } from '../../../shared/api/ml';
import type { RuleLimitsInput } from '../../../shared/ml';
import { call } from './client';

/** The rule scorer's limits: the `*` default and per-device rows (the station lets admins read them). */
export const useRuleLimits = () => useQuery({ queryKey: ['rule-limits'], queryFn: () => call(mlRoutes.limits, {}), retry: false });

/** Replaces a device's (or the `*` default's) limits as a whole. */
export const putRuleLimits = (deviceId: string, limits: RuleLimitsInput) => call(mlRoutes.setLimits, { params: { device_id: deviceId }, body: limits });

export const deleteRuleLimits = (deviceId: string) => call(mlRoutes.deleteLimits, { params: { device_id: deviceId } });
