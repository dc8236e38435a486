import type { Db } from '../db/open';

/**
 * Tokens ended by signing out, kept by id until they would have expired anyway. The table is the
 * record (it survives restarts); the set in memory answers the check every authenticated request
 * makes, so that check costs no query. The station is the only writer of its database.
 */
export class RevokedTokens {
  private readonly insert;
  private readonly prune;
  /** jti -> expiry (ms UTC) */
  private readonly revoked = new Map<string, number>();
  private changes = 0;

  constructor(db: Db) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)`);
    this.prune = db.prepare(`DELETE FROM revoked_tokens WHERE expires_at < ?`);
    for (const row of db.prepare(`SELECT jti, expires_at FROM revoked_tokens WHERE expires_at >= ?`).all(Date.now()) as { jti: string; expires_at: number }[]) {
      this.revoked.set(row.jti, row.expires_at);
    }
  }

  revoke(jti: string, expiresAtMs: number): void {
    // expired entries can go: their tokens are refused for their expiry alone
    const now = Date.now();
    this.prune.run(now);
    for (const [id, exp] of this.revoked) if (exp < now) this.revoked.delete(id);
    this.insert.run(jti, expiresAtMs);
    this.revoked.set(jti, expiresAtMs);
    this.changes++;
  }

  /**
   * Moves on every change that can end credentials (a sign-out, a key revoked, a user's role,
   * disable or password changed): the authenticate middleware's cache of verified tokens and keys
   * empties itself when it sees a new value (credential-cache.ts).
   */
  get generation(): number {
    return this.changes;
  }

  /** Called after a key is revoked or a user changed, in the same synchronous step as the write. */
  credentialsChanged(): void {
    this.changes++;
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }
}
