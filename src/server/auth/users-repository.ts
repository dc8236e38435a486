import type { Db } from '../db/open';
import type { Role } from '../../shared/auth';
import type { User } from '../../shared/users';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Exclude<Role, 'device'>;
  disabled: number;
  /** copied into each token; bumped to end every token of the user */
  token_version: number;
  created_at: number;
  updated_at: number;
}

export const toUser = (u: UserRow): User => ({
  id: u.id,
  username: u.username,
  role: u.role,
  disabled: u.disabled === 1,
  created_at: new Date(u.created_at).toISOString(),
  updated_at: new Date(u.updated_at).toISOString(),
});

export class UsersRepository {
  private readonly byName;
  private readonly byId;
  private readonly insertStmt;
  private readonly countStmt;

  constructor(private readonly db: Db) {
    this.byName = db.prepare(`SELECT * FROM users WHERE username = ?`);
    this.byId = db.prepare(`SELECT * FROM users WHERE id = ?`);
    this.insertStmt = db.prepare(`INSERT INTO users (username, password_hash, role, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?) RETURNING *`);
    this.countStmt = db.prepare(`SELECT COUNT(*) FROM users`).pluck();
  }

  findByName(username: string): UserRow | undefined {
    return this.byName.get(username) as UserRow | undefined;
  }

  findById(id: number): UserRow | undefined {
    return this.byId.get(id) as UserRow | undefined;
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  insert(username: string, passwordHash: string, role: UserRow['role']): UserRow {
    const now = Date.now();
    return this.insertStmt.get(username, passwordHash, role, now, now) as UserRow;
  }

  /**
   * Inserts only while the table is empty, in one statement, so two first-run requests racing
   * each other cannot both create an admin. Undefined when someone was first.
   */
  insertFirst(username: string, passwordHash: string, role: UserRow['role']): UserRow | undefined {
    const now = Date.now();
    return this.db
      .prepare(
        `INSERT INTO users (username, password_hash, role, disabled, created_at, updated_at)
         SELECT ?, ?, ?, 0, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING *`,
      )
      .get(username, passwordHash, role, now, now) as UserRow | undefined;
  }

  list(): UserRow[] {
    return this.db.prepare(`SELECT * FROM users ORDER BY username`).all() as UserRow[];
  }

  /** `endTokens` bumps token_version in the same statement, so the user's issued tokens stop working at once. */
  update(id: number, changes: { role?: string; disabled?: boolean; password_hash?: string; endTokens?: boolean }): UserRow | undefined {
    const sets: string[] = [];
    if (changes.endTokens) sets.push('token_version = token_version + 1');
    const params: Record<string, unknown> = { id, now: Date.now() };
    if (changes.role !== undefined) {
      sets.push('role = @role');
      params.role = changes.role;
    }
    if (changes.disabled !== undefined) {
      sets.push('disabled = @disabled');
      params.disabled = changes.disabled ? 1 : 0;
    }
    if (changes.password_hash !== undefined) {
      sets.push('password_hash = @hash');
      params.hash = changes.password_hash;
    }
    return this.db.prepare(`UPDATE users SET ${sets.join(', ')}, updated_at = @now WHERE id = @id RETURNING *`).get(params) as UserRow | undefined;
  }
}
