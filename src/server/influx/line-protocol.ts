/**
 * A hand-written scanner for InfluxDB line protocol
 * (`measurement[,tag=value...] field=value[,field=value...] [timestamp]`).
 *
 * It walks the text with charCodeAt and never splits or regex-matches whole lines, because this is
 * the hot path of bulk ingest. It works on a growing text buffer: `next()` either returns a parsed
 * line, an error for one line (and skips past it), or reports that the line is not complete yet,
 * so the caller can feed the next chunk of a streamed body. A quoted string field may contain a
 * newline (InfluxDB 1.x accepts that), which is why line ends are found by the scanner itself.
 *
 * Escapes: measurement `\,` `\ `; tag keys, tag values and field keys `\,` `\=` `\ `; string
 * field values `\"` `\\`. A backslash before anything else is kept literally, as InfluxDB does.
 */

export type FieldValue = number | string | boolean;

export interface ParsedLine {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** the timestamp digits as written (precision applied by the caller), or undefined */
  timestamp: string | undefined;
}

export type ScanResult = { kind: 'line'; line: ParsedLine } | { kind: 'error'; message: string } | { kind: 'incomplete' } | { kind: 'end' };

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;
const HASH = 35;

const MAX_INT64 = 9223372036854775807n;
const MIN_INT64 = -9223372036854775808n;
const MAX_UINT64 = 18446744073709551615n;
/** The largest integer a double holds exactly (Number.MAX_SAFE_INTEGER). */
const MAX_EXACT = 9007199254740991n;

/** Longer lines are refused: a line is a few hundred bytes; a megabyte is not a reading. */
export const MAX_LINE_CHARS = 1024 * 1024;
/**
 * More fields or tags in one line are refused: a reading keeps at most 32 extra fields besides
 * temperature, pressure and status, and a line of 100,000 fields cost 1.8 s to turn into errors.
 */
export const MAX_FIELDS_PER_LINE = 128;
export const MAX_TAGS_PER_LINE = 64;
/** An unfinished line is parsed again only once its text has doubled (and at least this much arrived). */
const MIN_RETRY_CHARS = 4096;

class LineError extends Error {}
class NeedMore extends Error {}
const NEED_MORE = new NeedMore();

export class LineScanner {
  private text = '';
  private pos = 0;
  private final = false;
  /** 1-based number of the line the next result belongs to */
  lineNumber = 0;
  private nextLineNumber = 1;
  /** dropping the rest of an over-long line */
  private skipping = false;
  /**
   * The unfinished line at `pos` is not parsed again until this many characters are there. Each
   * failed attempt doubles it, so a line that arrives in many small pieces costs a linear amount
   * of scanning in all, not one full re-scan per piece (a 1 MB field in 512-byte pieces took 1 s).
   */
  private retryAt = 0;
  /** where the last readKey/readString stopped (a field, not a returned object: one less allocation per key) */
  private stop = 0;
  /**
   * The key last read at each position of a line (tag keys 0-63, field keys 64-127). Lines of one
   * body repeat their keys, so comparing the text with the previous key at that position replaces
   * slicing a new string (and V8 interning it as a property name) for every key of every line.
   * Only keys without backslashes are kept: then the text matches the key followed by `=` exactly
   * when a scan would return that same key.
   */
  private readonly keys: (string | undefined)[] = [];

  /** Appends decoded text; the consumed prefix is dropped so memory stays at about one chunk. */
  push(chunk: string): void {
    if (this.skipping) {
      const eol = chunk.indexOf('\n');
      if (eol < 0) return;
      this.skipping = false;
      chunk = chunk.slice(eol + 1);
    }
    this.text = this.pos > 0 ? this.text.slice(this.pos) + chunk : this.text + chunk;
    this.pos = 0;
  }

  /** No more text will come: a last line without a newline is complete. */
  end(): void {
    this.final = true;
  }

  /** The next line, skipping blank lines and comments. */
  next(): ScanResult {
    for (;;) {
      const start = this.pos;
      const t = this.text;
      const n = t.length;
      if (!this.final && n - start < this.retryAt && n - start <= MAX_LINE_CHARS) return { kind: 'incomplete' };
      let i = start;
      while (i < n && (t.charCodeAt(i) === SPACE || t.charCodeAt(i) === TAB)) i++;
      if (i >= n) {
        if (!this.final) return this.incomplete(start);
        this.pos = n;
        return { kind: 'end' };
      }
      const c = t.charCodeAt(i);
      if (c === NL || c === CR || c === HASH) {
        const eol = t.indexOf('\n', i);
        if (eol < 0) {
          if (!this.final) return this.incomplete(start);
          this.pos = n;
          return { kind: 'end' };
        }
        this.pos = eol + 1;
        this.retryAt = 0;
        this.nextLineNumber++;
        continue;
      }
      this.lineNumber = this.nextLineNumber;
      try {
        const line = this.parseLine(i);
        this.retryAt = 0;
        return { kind: 'line', line };
      } catch (err) {
        if (err === NEED_MORE) {
          return this.wait(start);
        }
        if (!(err instanceof LineError)) throw err;
        const eol = t.indexOf('\n', i);
        if (eol < 0 && !this.final) return this.wait(start);
        this.nextLineNumber = this.lineNumber + 1;
        this.pos = eol < 0 ? n : eol + 1;
        this.retryAt = 0;
        return { kind: 'error', message: err.message };
      }
    }
  }

  /** The text from `start` ends before its line does: try again once it has doubled. */
  private incomplete(start: number): ScanResult {
    this.pos = start;
    this.retryAt = Math.max(MIN_RETRY_CHARS, 2 * (this.text.length - start));
    return { kind: 'incomplete' };
  }

  /** The line from `start` is not complete: wait for more text, unless it is already too long. */
  private wait(start: number): ScanResult {
    if (this.text.length - start <= MAX_LINE_CHARS) return this.incomplete(start);
    // A line this long is an attack or a broken client: drop it instead of keeping it.
    this.text = '';
    this.pos = 0;
    this.retryAt = 0;
    this.skipping = true;
    this.nextLineNumber = this.lineNumber + 1;
    return { kind: 'error', message: `the line is longer than ${MAX_LINE_CHARS} characters` };
  }

  /** Throws NEED_MORE when the text ends before the line does and more may come. */
  private eof(): never {
    if (!this.final) throw NEED_MORE;
    throw new LineError('the line ends early');
  }

  private parseLine(begin: number): ParsedLine {
    const t = this.text;
    const n = t.length;
    let i = begin;

    // measurement
    let measurement = '';
    let segment = i;
    for (;;) {
      if (i >= n) this.eof();
      const c = t.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < n) {
        const d = t.charCodeAt(i + 1);
        if (d === COMMA || d === SPACE) {
          measurement += t.slice(segment, i) + t[i + 1];
          i += 2;
          segment = i;
          continue;
        }
        i++;
        continue;
      }
      if (c === BACKSLASH) this.eof();
      if (c === COMMA || c === SPACE) break;
      if (c === NL || c === CR) throw new LineError('missing fields after the measurement');
      i++;
    }
    measurement += t.slice(segment, i);
    if (!measurement) throw new LineError('missing measurement');

    // tags
    const tags: Record<string, string> = {};
    let tagSlot = 0;
    while (t.charCodeAt(i) === COMMA) {
      i++;
      const key = this.readKey(i, 'tag key', tagSlot++);
      i = this.stop;
      if (t.charCodeAt(i) !== EQUALS) throw new LineError(`tag key "${key}" has no value`);
      i++;
      const value = this.readKey(i, 'tag value', -1);
      i = this.stop;
      if (!value) throw new LineError(`tag "${key}" has an empty value`);
      if (i >= n) this.eof();
      const c = t.charCodeAt(i);
      if (c === EQUALS) throw new LineError(`tag "${key}" has an unescaped "=" in its value`);
      if (c !== COMMA && c !== SPACE) throw new LineError('missing fields after the tags');
      if (tagSlot > MAX_TAGS_PER_LINE) throw new LineError(`the line has more than ${MAX_TAGS_PER_LINE} tags`);
      tags[key] = value;
    }

    // one or more spaces, then fields
    if (i >= n) this.eof();
    if (t.charCodeAt(i) !== SPACE) throw new LineError('missing fields');
    while (i < n && t.charCodeAt(i) === SPACE) i++;
    if (i >= n) this.eof();

    if (t.charCodeAt(i) === NL || t.charCodeAt(i) === CR) throw new LineError('missing fields');
    const fields: Record<string, FieldValue> = {};
    let fieldSlot = 64;
    let count = 0;
    for (;;) {
      const key = this.readKey(i, 'field key', fieldSlot++);
      i = this.stop;
      if (i >= n) this.eof();
      if (t.charCodeAt(i) !== EQUALS) throw new LineError(key ? `field "${key}" has no value` : 'missing fields');
      i++;
      if (i >= n) this.eof();
      let value: FieldValue;
      if (t.charCodeAt(i) === QUOTE) {
        value = this.readString(i + 1);
        i = this.stop;
      } else {
        const start = i;
        while (i < n) {
          const c = t.charCodeAt(i);
          if (c === COMMA || c === SPACE || c === NL || c === CR) break;
          i++;
        }
        if (i >= n && !this.final) throw NEED_MORE;
        value = scalar(t.slice(start, i), key);
      }
      if (!Object.prototype.hasOwnProperty.call(fields, key) && ++count > MAX_FIELDS_PER_LINE) {
        throw new LineError(`the line has more than ${MAX_FIELDS_PER_LINE} fields`);
      }
      fields[key] = value;
      if (i >= n) break;
      const c = t.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      break;
    }
    if (count === 0) throw new LineError('missing fields');

    // optional timestamp, optional trailing spaces, then the end of the line
    let timestamp: string | undefined;
    if (i < n && t.charCodeAt(i) === SPACE) {
      while (i < n && t.charCodeAt(i) === SPACE) i++;
      const start = i;
      if (i < n && t.charCodeAt(i) === 45 /* - */) i++;
      while (i < n) {
        const c = t.charCodeAt(i);
        if (c < 48 || c > 57) break;
        i++;
      }
      if (i >= n && !this.final) throw NEED_MORE;
      if (i > start) {
        timestamp = t.slice(start, i);
        if (timestamp === '-') throw new LineError('bad timestamp "-"');
      }
      while (i < n && (t.charCodeAt(i) === SPACE || t.charCodeAt(i) === TAB)) i++;
    }
    if (i < n && t.charCodeAt(i) === CR) i++;
    if (i < n) {
      if (t.charCodeAt(i) !== NL) {
        const eol = t.indexOf('\n', i);
        const rest = t.slice(i, eol < 0 ? Math.min(n, i + 40) : Math.min(eol, i + 40)).trim();
        throw new LineError(timestamp === undefined ? `bad timestamp "${rest}"` : `unexpected text after the timestamp: "${rest}"`);
      }
      i++;
    } else if (!this.final) {
      throw NEED_MORE;
    }
    this.nextLineNumber = this.lineNumber + 1 + countNewlines(t, begin, i - 1);
    this.pos = i;
    return { measurement, tags, fields, timestamp };
  }

  /** A tag key, tag value or field key: ends at an unescaped `,` `=` or space (left in this.stop). */
  private readKey(begin: number, what: string, slot: number): string {
    const t = this.text;
    const cached = slot >= 0 && slot < 128 ? this.keys[slot] : undefined;
    if (cached !== undefined && t.charCodeAt(begin + cached.length) === EQUALS && t.startsWith(cached, begin)) {
      this.stop = begin + cached.length;
      return cached;
    }
    const n = t.length;
    let i = begin;
    let out = '';
    let segment = i;
    let escaped = false;
    for (;;) {
      if (i >= n) this.eof();
      const c = t.charCodeAt(i);
      if (c === BACKSLASH) {
        escaped = true;
        if (i + 1 >= n) this.eof();
        const d = t.charCodeAt(i + 1);
        if (d === COMMA || d === EQUALS || d === SPACE) {
          out += t.slice(segment, i) + t[i + 1];
          i += 2;
          segment = i;
          continue;
        }
        i++;
        continue;
      }
      if (c === COMMA || c === EQUALS || c === SPACE) break;
      if (c === NL || c === CR) {
        const text = out + t.slice(segment, i);
        if (what === 'tag value') throw new LineError('missing fields after the tags');
        throw new LineError(text ? `${what === 'tag key' ? 'tag' : 'field'} "${text}" has no value` : 'missing fields');
      }
      i++;
    }
    out += t.slice(segment, i);
    if (!out && what !== 'tag value' && what !== 'field key') throw new LineError(`empty ${what}`);
    if (!out && what === 'field key') {
      if (t.charCodeAt(i) === EQUALS) throw new LineError('empty field key');
    }
    this.stop = i;
    if (slot >= 0 && slot < 128 && out && !escaped && t.charCodeAt(i) === EQUALS) this.keys[slot] = out;
    return out;
  }

  /** A quoted string value starting after the opening quote; `\"` and `\\` are unescaped (end in this.stop). */
  private readString(begin: number): string {
    const t = this.text;
    const n = t.length;
    let i = begin;
    let out = '';
    let segment = i;
    for (;;) {
      if (i >= n) {
        if (!this.final) throw NEED_MORE;
        throw new LineError('unterminated string field');
      }
      const c = t.charCodeAt(i);
      if (c === BACKSLASH) {
        if (i + 1 >= n) this.eof();
        const d = t.charCodeAt(i + 1);
        if (d === QUOTE || d === BACKSLASH) {
          out += t.slice(segment, i) + t[i + 1];
          i += 2;
          segment = i;
          continue;
        }
        i++;
        continue;
      }
      if (c === QUOTE) break;
      i++;
    }
    out += t.slice(segment, i);
    const end = i + 1;
    if (end < n) {
      const c = t.charCodeAt(end);
      if (c !== COMMA && c !== SPACE && c !== NL && c !== CR) throw new LineError('unexpected text after a string field');
    }
    this.stop = end;
    return out;
  }
}

function countNewlines(t: string, from: number, to: number): number {
  let count = 0;
  for (let i = t.indexOf('\n', from); i >= 0 && i < to; i = t.indexOf('\n', i + 1)) count++;
  return count;
}

/** A field value that is not a string: boolean, integer (`i`), unsigned (`u`) or float. */
function scalar(raw: string, key: string): FieldValue {
  switch (raw) {
    case 't':
    case 'T':
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'f':
    case 'F':
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  if (!raw) throw new LineError(`field "${key}" has no value`);
  const last = raw.charCodeAt(raw.length - 1);
  if (last === 105 /* i */) return integer(raw.slice(0, -1), key, true);
  if (last === 117 /* u */) return integer(raw.slice(0, -1), key, false);
  if (!isFloat(raw)) throw new LineError(`field "${key}" has an invalid value "${raw.slice(0, 40)}"`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new LineError(`field "${key}" is out of range`);
  return v;
}

function integer(digits: string, key: string, signed: boolean): number {
  let i = 0;
  if (signed && (digits.charCodeAt(0) === 45 || digits.charCodeAt(0) === 43)) i = 1;
  if (i >= digits.length) throw new LineError(`field "${key}" has an invalid ${signed ? 'integer' : 'unsigned'} value`);
  for (; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) throw new LineError(`field "${key}" has an invalid ${signed ? 'integer' : 'unsigned'} value "${digits.slice(0, 40)}"`);
  }
  if (digits.length > 15) {
    const big = BigInt(digits);
    if (signed ? big > MAX_INT64 || big < MIN_INT64 : big > MAX_UINT64) throw new LineError(`field "${key}" is out of range`);
    // Readings keep numbers as doubles: past 2^53 the value would be stored rounded, silently.
    if (big > MAX_EXACT || big < -MAX_EXACT) {
      throw new LineError(
        `field "${key}": the integer ${digits.slice(0, 24)} cannot be stored exactly (beyond ±2^53-1); send it as a float if an approximation will do`,
      );
    }
  }
  return Number(digits);
}

/** [+-] digits [. digits] [e [+-] digits], or a leading-dot fraction; no NaN or Inf. */
function isFloat(s: string): boolean {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 45 || c === 43) i++;
  let digits = 0;
  while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < n && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) {
    i++;
    if (i < n && (s.charCodeAt(i) === 45 || s.charCodeAt(i) === 43)) i++;
    const start = i;
    while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) i++;
    if (i === start) return false;
  }
  return i === n;
}
