import { randomUUID } from 'node:crypto';
import type { TaskStatus } from '../../shared/jobs';
import type { Db } from '../db/open';

export type Backend = 'local' | 'bullmq';

/** A task list page: the filters, and the (created_at, id) of the last row already served. */
export interface JobListQuery {
  owner?: string;
  status?: TaskStatus;
  name?: string;
  limit: number;
  after?: { createdAt: number; id: string };
}

export interface JobRow {
  id: string;
  name: string;
  owner: string;
  payload: string;
  backend: Backend;
  status: TaskStatus;
  progress_rows: number;
  progress_pct: number | null;
  result: string | null;
  error: string | null;
  attempts: number;
  claim: string | null;
  heartbeat_at: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/**
 * The `jobs` table. Every state change is a conditional UPDATE, so two executions (a retried
 * BullMQ delivery, a second worker process) can never both own a task: `claim` names the one
 * that does, and an execution that lost its claim sees 0 changed rows and stops.
 */
export class JobStore {
  private readonly s;

  constructor(readonly db: Db) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO jobs (id, name, owner, payload, backend, status, created_at) VALUES (@id, @name, @owner, @payload, @backend, 'queued', @now)`,
      ),
      get: db.prepare(`SELECT * FROM jobs WHERE id = ?`),
      claim: db.prepare(
        `UPDATE jobs SET status = 'running', claim = @claim, heartbeat_at = @now, started_at = COALESCE(started_at, @now),
                attempts = attempts + 1, progress_rows = 0, progress_pct = NULL, error = NULL
         WHERE id = @id AND (status = 'queued' OR (status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < @staleBefore)))`,
      ),
      beat: db.prepare(`UPDATE jobs SET heartbeat_at = @now WHERE id = @id AND status = 'running' AND claim = @claim`),
      progress: db.prepare(
        `UPDATE jobs SET progress_rows = @rows, progress_pct = @pct, heartbeat_at = @now WHERE id = @id AND status = 'running' AND claim = @claim`,
      ),
      complete: db.prepare(
        `UPDATE jobs SET status = 'completed', result = @result, progress_rows = @rows, progress_pct = 100, finished_at = @now, claim = NULL
         WHERE id = @id AND status = 'running' AND claim = @claim`,
      ),
      fail: db.prepare(
        `UPDATE jobs SET status = 'failed', error = @error, finished_at = @now, claim = NULL WHERE id = @id AND status IN ('queued', 'running')
         AND (@claim IS NULL OR claim = @claim)`,
      ),
      requeue: db.prepare(
        `UPDATE jobs SET status = 'queued', error = @error, claim = NULL, heartbeat_at = NULL WHERE id = @id AND status = 'running' AND (@claim IS NULL OR claim = @claim)`,
      ),
      cancel: db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = @now, claim = NULL WHERE id = @id AND status IN ('queued', 'running')`),
      remove: db.prepare(`DELETE FROM jobs WHERE id = ?`),
      unfinished: db.prepare(`SELECT * FROM jobs WHERE backend = ? AND status IN ('queued', 'running') ORDER BY created_at`),
      unfinishedOf: db.prepare(`SELECT COUNT(*) FROM jobs WHERE owner = ? AND status IN ('queued', 'running')`).pluck(),
      abandoned: db.prepare(`SELECT * FROM jobs WHERE status = 'running' AND heartbeat_at < ?`),
      expired: db.prepare(`SELECT * FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < ?`),
      setBackend: db.prepare(`UPDATE jobs SET backend = ? WHERE id = ?`),
    };
  }

  create(name: string, owner: string, payload: unknown, backend: Backend, id: string = randomUUID()): JobRow {
    this.s.insert.run({ id, name, owner, payload: JSON.stringify(payload), backend, now: Date.now() });
    return this.get(id)!;
  }

  /** Runs `fn` in one write transaction (IMMEDIATE, so a read-then-write cannot race another writer). */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get(id: string): JobRow | undefined {
    return this.s.get.get(id) as JobRow | undefined;
  }

  /** Takes the task for one execution; undefined when it is finished, cancelled or held by a live execution. */
  claim(id: string, staleMs: number): string | undefined {
    const claim = randomUUID();
    const now = Date.now();
    return this.s.claim.run({ id, claim, now, staleBefore: now - staleMs }).changes ? claim : undefined;
  }

  /** False when this execution no longer holds the task (cancelled, or taken over after a stall). */
  heartbeat(id: string, claim: string): boolean {
    return this.s.beat.run({ id, claim, now: Date.now() }).changes > 0;
  }

  progress(id: string, claim: string, rows: number, pct: number | null): boolean {
    return this.s.progress.run({ id, claim, rows, pct, now: Date.now() }).changes > 0;
  }

  complete(id: string, claim: string, result: unknown, rows: number): boolean {
    return this.s.complete.run({ id, claim, result: JSON.stringify(result), rows, now: Date.now() }).changes > 0;
  }

  fail(id: string, error: string, claim: string | null = null): boolean {
    return this.s.fail.run({ id, error, claim, now: Date.now() }).changes > 0;
  }

  requeue(id: string, reason: string, claim: string | null = null): boolean {
    return this.s.requeue.run({ id, error: reason, claim }).changes > 0;
  }

  cancel(id: string): boolean {
    return this.s.cancel.run({ id, now: Date.now() }).changes > 0;
  }

  remove(id: string): void {
    this.s.remove.run(id);
  }

  setBackend(id: string, backend: Backend): void {
    this.s.setBackend.run(backend, id);
  }

  unfinished(backend: Backend): JobRow[] {
    return this.s.unfinished.all(backend) as JobRow[];
  }

  /** How many tasks of this owner are queued or running. */
  unfinishedCount(owner: string): number {
    return this.s.unfinishedOf.get(owner) as number;
  }

  /** Running tasks whose execution stopped beating before `before` (ms). */
  abandoned(before: number): JobRow[] {
    return this.s.abandoned.all(before) as JobRow[];
  }

  /** Newest first (created_at, then id, both descending), so keyset paging never skips or repeats a task. */
  list(q: JobListQuery): JobRow[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: q.limit };
    for (const key of ['owner', 'status', 'name'] as const) {
      const value = q[key];
      if (value === undefined) continue;
      where.push(`${key} = @${key}`);
      params[key] = value;
    }
    if (q.after) {
      where.push('(created_at < @afterTs OR (created_at = @afterTs AND id < @afterId))');
      Object.assign(params, { afterTs: q.after.createdAt, afterId: q.after.id });
    }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT @limit`;
    return this.db.prepare(sql).all(params) as JobRow[];
  }

  finishedBefore(before: number): JobRow[] {
    return this.s.expired.all(before) as JobRow[];
  }
}
