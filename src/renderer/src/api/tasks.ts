import { useQuery } from '@tanstack/react-query';
import { jobRoutes } from '../../../shared/api/jobs';
import { FINISHED_STATUSES, type TaskStatus } from '../../../shared/jobs';
import { call } from './client';

export interface TaskListFilter {
  name?: string;
  status?: TaskStatus;
  limit?: number;
  cursor?: string;
}

/**
 * A page of the signed-in user's background tasks (admins: everyone's), newest first. While one
 * of them is still queued or running the page is asked again every 2 s, so its status moves on.
 */
export const useTaskList = (filter: TaskListFilter) =>
  useQuery({
    queryKey: ['tasks', filter],
    queryFn: () => call(jobRoutes.list, { query: filter }),
    refetchInterval: (q) => (q.state.data?.items.some((t) => !FINISHED_STATUSES.includes(t.status)) ? 2_000 : false),
    placeholderData: (prev) => prev,
  });

/** Cancels a queued or running task, or removes a finished one and its file. */
export const deleteTask = (taskId: string) => call(jobRoutes.delete, { params: { task_id: taskId } });
