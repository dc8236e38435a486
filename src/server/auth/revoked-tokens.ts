import type { Db } from '../db/open';

/** Tokens ended by signing out, kept by id until they would have expired anyway. */
export class RevokedTokens {
  private readonly insert;
  private readonly find;
  private readonly prune;

  constructor(db: Db) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)`);
    this.find = db.prepare(`SELECT 1 FROM revoked_tokens WHERE jti = ?`).pluck();
    this.prune = db.prepare(`DELETE FROM revoked_tokens WHERE expires_at < ?`);
  }

  revoke(jti: string, expiresAtMs: number): void {
    // expired entries can go: their tokens are refused for their expiry alone
    this.prune.run(Date.now());
    this.insert.run(jti, expiresAtMs);
  }

  isRevoked(jti: string): boolean {
    return this.find.get(jti) !== undefined;
  }
}
