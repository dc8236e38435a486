import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/open';
import type { Role } from '../../shared/auth';
import type { ApiKey } from '../../shared/users';

export interface KeyRow {
  id: number;
  name: string;
  prefix: string;
  key_hash: string;
  role: Role;
  devices: string | null;
  created_by: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** `sok_` + 32 random bytes in base64url; the first 12 characters are the visible prefix. */
export function generateKey(): { key: string; prefix: string } {
  const key = `sok_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12) };
}

export const toApiKey = (k: KeyRow): ApiKey => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  role: k.role,
  devices: k.devices ? (JSON.parse(k.devices) as string[]) : null,
  created_at: new Date(k.created_at).toISOString(),
  last_used_at: k.last_used_at === null ? null : new Date(k.last_used_at).toISOString(),
  revoked_at: k.revoked_at === null ? null : new Date(k.revoked_at).toISOString(),
});

export class KeysRepository {
  private readonly byHash;
  private readonly touch;
  private readonly lastTouched = new Map<number, number>();
  private readonly byId;
  private readonly insertStmt;

  constructor(private readonly db: Db) {
    this.byHash = db.prepare(`SELECT * FROM api_keys WHERE key_hash = ?`);
    this.byId = db.prepare(`SELECT * FROM api_keys WHERE id = ?`);
    // last_used_at is written at most once a minute per key, so a device posting every second
    // does not turn each read-mostly request into a write.
    this.touch = db.prepare(`UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`);
    this.insertStmt = db.prepare(
      `INSERT INTO api_keys (name, prefix, key_hash, role, devices, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
  }

  findByKey(key: string): KeyRow | undefined {
    return this.byHash.get(hashKey(key)) as KeyRow | undefined;
  }

  findById(id: number): KeyRow | undefined {
    return this.byId.get(id) as KeyRow | undefined;
  }

  markUsed(id: number, now = Date.now()): void {
    // Remembered here too, so a key posting many times a minute does not open a write
    // transaction per request just to find that last_used_at is recent enough.
    const last = this.lastTouched.get(id);
    if (last !== undefined && now - last < 60_000) return;
    this.touch.run(now, id, now - 60_000);
    this.lastTouched.set(id, now);
  }

  insert(k: { name: string; key: string; prefix: string; role: Role; devices: string[] | null; createdBy: number | null }): KeyRow {
    return this.insertStmt.get(k.name, k.prefix, hashKey(k.key), k.role, k.devices ? JSON.stringify(k.devices) : null, k.createdBy, Date.now()) as KeyRow;
  }

  list(): KeyRow[] {
    return this.db.prepare(`SELECT * FROM api_keys ORDER BY created_at DESC, id DESC`).all() as KeyRow[];
  }

  revoke(id: number): KeyRow | undefined {
    return this.db.prepare(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING *`).get(Date.now(), id) as KeyRow | undefined;
  }
}
