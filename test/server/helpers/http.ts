/** What a test sends: credentials, and a JSON body or raw bytes with their content type. */
export interface Call {
  token?: string;
  key?: string;
  body?: unknown;
  /** sent as is (string or Buffer); sets no content type unless `type` is given */
  raw?: string | Buffer;
  type?: string;
  headers?: Record<string, string>;
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One real HTTP request to a station; a JSON answer is parsed, anything else stays text. */
export async function callStation<T = any>(baseUrl: string, method: string, path: string, c: Call = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...c.headers };
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  if (c.key) headers['x-api-key'] = c.key;
  let body: string | Buffer | undefined;
  if (c.raw !== undefined) {
    body = c.raw;
    if (c.type) headers['content-type'] = c.type;
  } else if (c.body !== undefined) {
    body = JSON.stringify(c.body);
    headers['content-type'] = c.type ?? 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(res.headers.get('content-type') ?? '') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}
