import type { Statement } from 'better-sqlite3';
import type { Db } from './open';

/**
 * Prepared statements for SQL that is built per request from a small, fixed set of variants
 * (which filters are present, sort direction). Compiling the SQL again on every request cost a
 * few percent of a light query; the variants are few, so the cache stays small.
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
