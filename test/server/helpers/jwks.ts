import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export interface SignOptions {
  alg?: 'RS256' | 'ES256';
  kid?: string;
  issuer?: string;
  audience?: string;
  /** seconds relative to now */
  expiresIn?: number;
  notBefore?: number;
  /** sign with a key the JWKS does not publish */
  foreignKey?: boolean;
}

/**
 * A real identity provider's key material for tests: RS256 and ES256 key pairs, a JWKS served
 * over HTTP on 127.0.0.1 (port 0), and a signer for real tokens.
 */
export class TestIdp {
  readonly issuer = 'https://idp.test.local/realms/field';
  readonly audience = 'smart-oilfield';
  /** how often the station fetched the JWKS */
  get jwksHits(): number {
    return this.hits.n;
  }

  private constructor(
    private readonly server: Server,
    readonly jwksUrl: string,
    private readonly keys: Record<'RS256' | 'ES256', { privateKey: CryptoKey; publicKey: CryptoKey }>,
    private readonly foreign: { privateKey: CryptoKey },
    /** PEM of the RS256 public key (for OIDC_PUBLIC_KEY and the HS256 confusion attack) */
    readonly rsPublicPem: string,
    private readonly hits: { n: number },
  ) {}

  static async start(): Promise<TestIdp> {
    const rs = await generateKeyPair('RS256', { extractable: true });
    const es = await generateKeyPair('ES256', { extractable: true });
    const foreign = await generateKeyPair('RS256');
    const jwks = {
      keys: [
        { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
      ],
    };
    const hits = { n: 0 };
    const server = createServer((req, res) => {
      if (req.url !== '/jwks.json') return void res.writeHead(404).end();
      hits.n++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new TestIdp(server, `http://127.0.0.1:${port}/jwks.json`, { RS256: rs, ES256: es }, foreign, await exportSPKI(rs.publicKey), hits);
  }

  /** Station env that trusts this provider through its JWKS. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { OIDC_ISSUER: this.issuer, OIDC_AUDIENCE: this.audience, OIDC_JWKS_URL: this.jwksUrl, ...extra };
  }

  async sign(claims: JWTPayload, o: SignOptions = {}): Promise<string> {
    const alg = o.alg ?? 'RS256';
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg, kid: o.kid ?? (alg === 'RS256' ? 'rs-1' : 'es-1'), typ: 'JWT' })
      .setIssuer(o.issuer ?? this.issuer)
      .setAudience(o.audience ?? this.audience)
      .setIssuedAt(now - 5)
      .setExpirationTime(now + (o.expiresIn ?? 300));
    if (o.notBefore !== undefined) jwt.setNotBefore(now + o.notBefore);
    return jwt.sign(o.foreignKey ? this.foreign.privateKey : this.keys[alg].privateKey);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const b64url = (v: object | string) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An unsigned token (`alg: none`), the classic bypass attempt. */
export function unsignedToken(payload: object): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

/** An HS256 token whose HMAC key is the given bytes (e.g. the provider's public key PEM). */
export async function hmacToken(payload: object, secret: string | Buffer): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
