import { useQuery } from '@tanstack/react-query';
import { alarmRoutes } from '../../../shared/api/ml';
import type { RouteRequest } from '../../../shared/api/route';
import { call } from './client';

type AlarmFilter = NonNullable<RouteRequest<typeof alarmRoutes.list>['query']>;

export const useAlarms = (query: AlarmFilter, refetchInterval: number | false = 15_000) =>
  useQuery({
    queryKey: ['alarms', query],
    queryFn: () => call(alarmRoutes.list, { query }),
    refetchInterval,
    // keep the rows on screen while a changed filter loads, instead of flashing an empty list
    placeholderData: (previous) => previous,
    retry: false,
  });
