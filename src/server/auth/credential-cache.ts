import { LRUCache } from 'lru-cache';
import type { Principal } from './principal';

/** A verified station token: who it is, until when, and the id signing out ends. */
interface CachedToken {
  principal: Principal;
  expMs: number;
  jti: string | undefined;
}

/**
 * Verified bearer tokens and looked-up API keys, so a device posting every second costs neither a
 * JWT verify nor a SHA-256 and a SELECT per request. Only credentials that passed are kept (a
 * wrong key or forged token is checked every time), and the principals are shared by every
 * request presenting the credential, so nothing may mutate them.
 *
 * Revocation is by generation: `RevokedTokens.generation` moves on every sign-out, key revoke and
 * user change (role, disable, password), and the first request after that empties both caches
 * before looking anything up. The station is the only writer of its users and keys, and those
 * writes are synchronous, so the very next request sees the change.
 */
export class CredentialCache {
  private readonly tokens: LRUCache<string, CachedToken>;
  private readonly keys: LRUCache<string, Principal>;
  private generation = -1;

  constructor(maxEntries = 1024) {
    this.tokens = new LRUCache({ max: maxEntries });
    this.keys = new LRUCache({ max: maxEntries });
  }

  /** Empties the caches when the revocation generation has moved since the last request. */
  sync(generation: number): void {
    if (generation === this.generation) return;
    this.tokens.clear();
    this.keys.clear();
    this.generation = generation;
  }

  key(key: string): Principal | undefined {
    return this.keys.get(key);
  }

  rememberKey(key: string, principal: Principal): void {
    this.keys.set(key, principal);
  }

  /** The token's principal while it has not expired; expiry is checked here, not left to the LRU. */
  token(token: string, nowMs: number): CachedToken | undefined {
    const hit = this.tokens.get(token);
    if (hit === undefined) return undefined;
    if (hit.expMs <= nowMs) {
      this.tokens.delete(token);
      return undefined;
    }
    return hit;
  }

  rememberToken(token: string, entry: CachedToken): void {
    this.tokens.set(token, entry);
  }
}
