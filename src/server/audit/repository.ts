import type { Db } from '../db/open';

export interface AuditEntry {
  actor: string | null;
  action: string;
  target?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  ts: number;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string | null;
}

/** Append-only record of security-relevant changes. Callers never pass secrets in `detail`. */
export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(`INSERT INTO audit_log (ts, actor, action, target, ip, detail) VALUES (?, ?, ?, ?, ?, ?)`);
  }

  record(e: AuditEntry): void {
    this.insert.run(Date.now(), e.actor, e.action, e.target ?? null, e.ip ?? null, e.detail ? JSON.stringify(e.detail) : null);
  }

  list(q: { action?: string; actor?: string; ts_from?: number; ts_to?: number; limit: number; before_id?: number }): AuditRow[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit };
    if (q.action) {
      where.push('action = @action');
      params.action = q.action;
    }
    if (q.actor) {
      where.push('actor = @actor');
      params.actor = q.actor;
    }
    if (q.ts_from !== undefined) {
      where.push('ts >= @from');
      params.from = q.ts_from;
    }
    if (q.ts_to !== undefined) {
      where.push('ts <= @to');
      params.to = q.ts_to;
    }
    if (q.before_id !== undefined) {
      where.push('id < @before');
      params.before = q.before_id;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.db.prepare(`SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT @limit`).all(params) as AuditRow[];
  }
}
