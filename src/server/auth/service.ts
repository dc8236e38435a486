import type { Role } from '../../shared/auth';
import type { AuditLog } from '../audit/repository';
import { AppError } from '../http/errors';
import { generateKey, toApiKey, type KeysRepository } from './keys-repository';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './passwords';
import type { RevokedTokens } from './revoked-tokens';
import type { TokenClaims, TokenIssuer } from './tokens';
import { toUser, type UsersRepository } from './users-repository';

export interface Actor {
  name: string | null;
  userId?: number;
  ip?: string;
}

/** OAuth2 error (RFC 6749 section 5.2): its body is `{error, error_description}`, not a problem. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'unauthorized_client',
    readonly description: string,
  ) {
    super(description);
  }
}

export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly keys: KeysRepository,
    private readonly tokens: TokenIssuer,
    private readonly audit: AuditLog,
    private readonly revoked: RevokedTokens,
    /** runs a change and its audit row in one SQLite transaction: both are stored, or neither */
    private readonly inTransaction: <T>(fn: () => T) => T,
  ) {}

  /** Signing out: this one token stops working now (others of the same user are unaffected). */
  signOut(token: { jti: string; expMs: number }, actor: Actor): void {
    this.inTransaction(() => {
      this.revoked.revoke(token.jti, token.expMs);
      this.audit.record({ actor: actor.name, action: 'auth.logout', ip: actor.ip });
    });
  }

  /** Password grant. Unknown user and wrong password look identical, in body and in timing. */
  async passwordGrant(username: string, password: string, ip?: string) {
    const user = this.users.findByName(username);
    const ok = await verifyPassword(password, user?.password_hash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !ok || user.disabled) {
      this.audit.record({ actor: username.slice(0, 64), action: 'auth.login_failed', ip, detail: { reason: user?.disabled ? 'disabled' : 'bad credentials' } });
      throw new OAuthError(400, 'invalid_grant', 'incorrect username or password');
    }
    this.audit.record({ actor: user.username, action: 'auth.login', ip });
    return this.issue({ sub: user.username, uid: user.id, role: user.role, tv: user.token_version });
  }

  /** client_credentials grant: client_id is the key's id (or prefix), client_secret the key itself. */
  clientCredentialsGrant(clientId: string, secret: string, ip?: string) {
    const key = this.keys.findByKey(secret);
    if (!key || key.revoked_at !== null || (clientId !== String(key.id) && clientId !== key.prefix)) {
      this.audit.record({ actor: clientId.slice(0, 64), action: 'auth.client_failed', ip });
      throw new OAuthError(401, 'invalid_client', 'unknown client or wrong secret');
    }
    this.keys.markUsed(key.id);
    this.audit.record({ actor: key.prefix, action: 'auth.client', ip });
    return this.issue({ sub: key.prefix, kid: key.id, role: key.role });
  }

  private issue(claims: TokenClaims) {
    return { access_token: this.tokens.sign(claims), token_type: 'bearer' as const, expires_in: this.tokens.ttlSeconds };
  }

  async createUser(input: { username: string; password: string; role: 'admin' | 'user' }, actor: Actor) {
    if (this.users.findByName(input.username)) throw new AppError(409, `user ${input.username} already exists`);
    const hash = await hashPassword(input.password);
    const row = this.inTransaction(() => {
      const inserted = this.users.insert(input.username, hash, input.role);
      this.audit.record({ actor: actor.name, action: 'user.create', target: inserted.username, ip: actor.ip, detail: { role: inserted.role } });
      return inserted;
    });
    return toUser(row);
  }

  /** Whether the first-run screen should ask for an admin. */
  needsAdmin(): boolean {
    return this.users.count() === 0;
  }

  /** Creates the first admin, only while no user exists at all (409 afterwards, even if disabled). */
  async setupFirstAdmin(input: { username: string; password: string }, actor: Actor) {
    if (!this.needsAdmin()) throw new AppError(409, 'the station already has users; sign in instead');
    const hash = await hashPassword(input.password);
    const row = this.inTransaction(() => {
      const first = this.users.insertFirst(input.username, hash, 'admin');
      if (!first) throw new AppError(409, 'the station already has users; sign in instead');
      this.audit.record({ actor: first.username, action: 'setup.admin', target: first.username, ip: actor.ip });
      return first;
    });
    return toUser(row);
  }

  listUsers() {
    return this.users.list().map(toUser);
  }

  async updateUser(id: number, changes: { role?: 'admin' | 'user'; disabled?: boolean; password?: string }, actor: Actor) {
    const existing = this.users.findById(id);
    if (!existing) throw new AppError(404, `user ${id} not found`);
    if (actor.userId === id && (changes.disabled || changes.role === 'user')) {
      throw new AppError(409, 'you cannot disable or demote yourself; ask another admin');
    }
    const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
    const detail = { role: changes.role, disabled: changes.disabled, password_reset: changes.password ? true : undefined };
    const row = this.inTransaction(() => {
      const updated = this.users.update(id, {
        role: changes.role,
        disabled: changes.disabled,
        password_hash: passwordHash,
        // a reset password or a disabled account ends every session the user has open
        endTokens: changes.password !== undefined || changes.disabled === true,
      })!;
      this.audit.record({ actor: actor.name, action: 'user.update', target: updated.username, ip: actor.ip, detail });
      return updated;
    });
    // cached tokens of this user carry the old role and state: drop them before anyone asks again
    this.revoked.credentialsChanged();
    return toUser(row);
  }

  createKey(input: { name: string; role: Role; devices?: string[] | null }, actor: Actor) {
    const { key, prefix } = generateKey();
    const row = this.inTransaction(() => {
      const inserted = this.keys.insert({ name: input.name, key, prefix, role: input.role, devices: input.devices ?? null, createdBy: actor.userId ?? null });
      this.audit.record({
        actor: actor.name,
        action: 'key.create',
        target: prefix,
        ip: actor.ip,
        detail: { name: input.name, role: input.role, devices: input.devices ?? null },
      });
      return inserted;
    });
    return { ...toApiKey(row), key };
  }

  listKeys() {
    return this.keys.list().map(toApiKey);
  }

  revokeKey(id: number, actor: Actor) {
    const row = this.inTransaction(() => {
      const revoked = this.keys.revoke(id);
      if (!revoked) throw new AppError(404, `API key ${id} not found`);
      this.audit.record({ actor: actor.name, action: 'key.revoke', target: revoked.prefix, ip: actor.ip });
      return revoked;
    });
    this.revoked.credentialsChanged();
    return toApiKey(row);
  }
}
