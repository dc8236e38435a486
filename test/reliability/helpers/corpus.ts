/**
 * The bad-input corpus: every case is a request and the status(es) the station must answer.
 * Cases are generated from small lists of hostile values crossed with every field, query
 * parameter, content type and encoding of every endpoint, so a new field or endpoint is one line.
 * A set of statuses is allowed only where the design leaves the choice open (noted inline).
 */
export interface Creds {
  device: string;
  user: string;
  admin: string;
  userKey: string;
}

export interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  expect: number[];
  /** OAuth2 endpoints answer RFC 6749 JSON, not problem+json */
  oauth?: boolean;
}

const NOW_S = Math.floor(Date.now() / 1000);
const VALID = { device_id: 'flood-1', ts: NOW_S - 3600, temperature: 21.5, pressure: 101.3, status: 'ok' };

const HOSTILE_STRINGS = [
  '',
  ' ',
  "x'; DROP TABLE telemetry;--",
  '" OR 1=1 --',
  '1 UNION SELECT password FROM users',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  'dev\u0000ice',
  'dévice-ünïcode',
  '🛢️🔥',
  '\u202eevil',
  '\ud800',
  'a b',
  'x'.repeat(65),
  'x'.repeat(5000),
  '\r\nSet-Cookie: a=b',
  '%00%ff',
];

/** Values that no field of a reading accepts in place of its own type. */
const WRONG_TYPES: unknown[] = [true, [], {}, [1, 2], { $gt: 0 }];

const FIELD_CASES: Record<string, unknown[]> = {
  device_id: [null, 1, 1.5, ...WRONG_TYPES, ...HOSTILE_STRINGS],
  ts: [
    null,
    ...WRONG_TYPES,
    '',
    'yesterday',
    '2024-05-01T12:00:00',
    '1970-01-01T00:00:00Z',
    '1979-12-31T23:59:59Z',
    0,
    -1,
    1e300,
    9_999_999_999,
    '9999999999',
    '2024-13-45T00:00:00Z',
    '1e9',
    'NaN',
    "1700000000'; --",
    ...HOSTILE_STRINGS.slice(2),
  ],
  temperature: ['hot', '25', ...WRONG_TYPES, 1e13, -1e13, 1.7976931348623157e308, ...HOSTILE_STRINGS.slice(2, 8)],
  pressure: ['high', '101', ...WRONG_TYPES, 1e13, -1e13, -1.7976931348623157e308, ...HOSTILE_STRINGS.slice(2, 8)],
  // status is free text: injection strings are stored as the text they are; refused are blanks,
  // control characters, bidi overrides, lone surrogates and more than 128 characters
  status: [1, 0, ...WRONG_TYPES, '', ' ', 'x'.repeat(129), 'x'.repeat(5000), 'dev\u0000ice', '\u202eevil', '\ud800', '\r\nSet-Cookie: a=b', 'tab\there'],
  extra: [
    'x',
    1,
    [],
    [1],
    { 'bad key': 1 },
    { a: { nested: 1 } },
    { a: 'x'.repeat(300) },
    { a: null },
    Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i])),
    { "x'--": 1 },
    { constructor: {} },
  ],
};

/** Readings that must be refused with 422: each field broken in each way, plus shape errors. */
export function badReadings(): { name: string; json: string }[] {
  const out: { name: string; json: string }[] = [];
  for (const [field, values] of Object.entries(FIELD_CASES)) {
    values.forEach((v, i) => out.push({ name: `${field}#${i}`, json: JSON.stringify({ ...VALID, [field]: v }) }));
  }
  // JSON literals JSON.stringify cannot produce: 1e400 parses to Infinity.
  out.push({ name: 'temperature 1e400', json: `{"device_id":"flood-1","ts":${NOW_S},"temperature":1e400}` });
  out.push({ name: 'pressure -1e400', json: `{"device_id":"flood-1","ts":${NOW_S},"pressure":-1e400}` });
  out.push({ name: 'ts 1e400', json: `{"device_id":"flood-1","ts":1e400,"temperature":1}` });
  out.push({ name: 'no measurement', json: JSON.stringify({ device_id: 'flood-1', ts: NOW_S }) });
  out.push({ name: 'all null', json: JSON.stringify({ device_id: 'flood-1', ts: NOW_S, temperature: null, pressure: null, extra: null }) });
  out.push({ name: 'unknown field', json: JSON.stringify({ ...VALID, hacker: 1 }) });
  out.push({ name: '__proto__', json: `{"__proto__":{"admin":true},"device_id":"flood-1","ts":${NOW_S},"temperature":1}` });
  out.push({ name: 'duplicate keys', json: `{"device_id":"flood-1","device_id":"x y","ts":${NOW_S},"temperature":1}` });
  for (const [i, v] of ['{}', 'null', '1', '"reading"', 'true', '[]'].entries()) out.push({ name: `shape#${i}`, json: v });
  return out;
}

export const BROKEN_JSON = [
  '{',
  '}',
  '{"device_id":',
  '{"device_id":"a",}',
  "{'device_id':'a'}",
  '{device_id:"a"}',
  '[1,2',
  'nul',
  'NaN',
  'Infinity',
  '{"temperature": NaN}',
  '{"temperature": -Infinity}',
  '{"a": 01}',
  '{"a": .5}',
  '{"a": 1.}',
  '{"a": "\\x41"}',
  '{"a": "\\u12"}',
  '{"a": "line\nbreak"}',
  '{"a": "tab\there"}',
  '\u0000',
  '\ufeff{}x',
  '{"a":1}{"b":2}',
  '[' + '['.repeat(5000),
  '{"a":'.repeat(1000),
  '<?xml version="1.0"?><reading/>',
  'device_id=a&ts=1',
  '--boundary\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--boundary--',
  '{"a":1} trailing',
  '"unterminated',
  '{"a":[1,2,]}',
];

export const WRONG_TYPES_HEADER = [
  'text/plain',
  'text/csv',
  'application/xml',
  'text/html',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'image/png',
  'application/javascript',
  'application/jsonx',
  'json',
];

/** Encodings that cannot be decoded (400) or are not supported at all (415). */
export const BAD_ENCODINGS: { encoding: string; body: Buffer; expect: number }[] = [
  { encoding: 'gzip', body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]), expect: 400 },
  { encoding: 'gzip', body: Buffer.from('not gzip at all'), expect: 400 },
  { encoding: 'deflate', body: Buffer.from('not deflate either'), expect: 400 },
  { encoding: 'br', body: Buffer.from([0xff, 0xff, 0xff, 0xff]), expect: 400 },
  { encoding: 'compress', body: Buffer.from('{}'), expect: 415 },
  { encoding: 'zstd-evil', body: Buffer.from('{}'), expect: 415 },
];

// (utf-7 is not here: iconv-lite decodes it, which is fine)
export const BAD_CHARSETS = ['latin1', 'ebcdic', 'x-evil', 'utf-9'];

export const BAD_AUTH: Record<string, string>[] = [
  { authorization: 'Bearer not-a-jwt' },
  { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJ1aWQiOjF9.' },
  { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOjF9.c2lnbmF0dXJl' },
  { authorization: 'Basic YWRtaW46YWRtaW4=' },
  { authorization: 'Bearer' },
  { authorization: 'Token ' },
  { authorization: 'Token wrong-key' },
  { authorization: `Bearer ${'a'.repeat(5000)}` },
  { authorization: "Bearer ' OR 1=1 --" },
  { authorization: 'Digest username="admin"' },
  { 'x-api-key': 'wrong-key' },
  { 'x-api-key': 'a'.repeat(300) },
  { 'x-api-key': "' OR '1'='1" },
  { 'x-api-key': '%00' },
];

/** Query values that every parameter refuses with 422, by parameter. */
export const BAD_QUERY: Record<string, string[]> = {
  device_id: HOSTILE_STRINGS.filter((s) => !s.includes('\ud800')),
  ts_from: ['abc', '-1', '0', '2024-05-01T12:00:00', '1e9', '9999999999', "1' OR 1=1", '2024-99-99Z', ''],
  ts_to: ['abc', '-1', '0', 'tomorrow', '[object Object]', '1);DROP TABLE x;--'],
  limit: ['-1', '0', '10001', 'abc', '1.5', '99999999999999999999', 'NaN', 'Infinity', '1;--'],
  page: ['0', '-5', 'x', '1.5', '1000001'],
  cursor: ['!!!', 'a'.repeat(65), "' OR 1=1", '../../x', '%00'],
  order: ['sideways', 'ASC; DROP TABLE telemetry', '1', ''],
  buckets: ['0', '-1', '5001', 'many', '1.5'],
  evil: ['1'],
  __proto__: ['x'],
};

/** Parameters each read endpoint accepts (others are unknown, which is also a 422). */
export const QUERY_ENDPOINTS: Record<string, { params: string[]; base: string }> = {
  '/api/telemetry': { params: ['device_id', 'ts_from', 'ts_to', 'limit', 'page', 'cursor', 'order', 'evil', '__proto__'], base: '' },
  '/api/telemetry/export': { params: ['device_id', 'ts_from', 'ts_to', 'limit', 'evil'], base: '' },
  '/api/telemetry/stats': { params: ['device_id', 'ts_from', 'ts_to', 'order', 'evil'], base: '' },
  '/api/telemetry/series': { params: ['device_id', 'ts_from', 'ts_to', 'buckets', 'evil'], base: `device_id=flood-1&ts_from=${NOW_S - 86400}&ts_to=${NOW_S}` },
};

export const BAD_IDS: { id: string; expect: number }[] = [
  ...[
    '0',
    '-1',
    '1.5',
    'abc',
    '1e3',
    '0x10',
    '99999999999999999999',
    '1%3BDROP%20TABLE%20telemetry',
    '%27%20OR%201%3D1',
    '%F0%9F%9B%A2',
    '999999',
    '%20',
    '1%00',
  ].map((id) => ({ id, expect: 404 })),
  // a path segment that is not valid percent-encoding cannot be decoded: Express answers 400
  ...['%ff', '%E0%A4%A', '%'].map((id) => ({ id, expect: 400 })),
];

export const bad = { VALID, NOW_S };
