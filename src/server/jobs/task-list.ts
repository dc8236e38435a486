import type { Request } from 'express';
import type { TaskList, TaskListQuery } from '../../shared/jobs';
import { TASK_ID_PATTERN } from '../../shared/jobs';
import type { Config } from '../config';
import { AppError } from '../http/errors';
import type { JobStore } from './store';
import { ownerOf, toTask } from './task-view';

/** Keyset cursor of the task list: the (created_at, id) of the last task served, opaque to clients (base64url). */
const encodeCursor = (createdAt: number, id: string): string => Buffer.from(`${createdAt}.${id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const m = /^(\d{1,16})\.(.+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m || !TASK_ID_PATTERN.test(m[2]!)) {
    throw new AppError(422, 'cursor: is not a cursor this station issued', { errors: [{ path: 'query.cursor', message: 'invalid cursor' }] });
  }
  return { createdAt: Number(m[1]), id: m[2]! };
}

/**
 * One page of the caller's tasks (every task for admins: the rule of GET /api/tasks/{id}), newest
 * first. Items never carry the CSV inline: a list of 500 exports must not read 500 files.
 */
export function listTasks(store: JobStore, req: Request, q: TaskListQuery, config: Config): TaskList {
  const rows = store.list({
    owner: req.principal?.role === 'admin' ? undefined : ownerOf(req),
    status: q.status,
    name: q.name,
    limit: q.limit,
    after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
  });
  const last = rows.at(-1);
  return {
    items: rows.map((row) => toTask(row, config, false)),
    limit: q.limit,
    next_cursor: rows.length === q.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
