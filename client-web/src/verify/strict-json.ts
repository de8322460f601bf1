// A strict JSON reader for chain lines (DESIGN.md §3.6): unlike JSON.parse it keeps each
// object's keys in their order, refuses a key twice in one object and nesting deeper than a
// bound, and keeps numbers as their text, so that 2.0, 1e3, -0 and 2^64 are told apart from the
// integers a record may hold. It accepts what nlohmann::json (the C++ codec's parser) accepts —
// RFC 8259 JSON, whitespace included — and classifies numbers as nlohmann does: an integer
// literal is unsigned if it fits 64 bits, signed if negative and it fits, otherwise a float.
import { Refusal, badRequest } from './refusal';

/** An object with its keys in line order. */
export class JsonObject {
  readonly keys: string[] = [];
  readonly values: JsonValue[] = [];

  get(key: string): JsonValue | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  has(key: string): boolean {
    return this.keys.indexOf(key) >= 0;
  }
}

export type NumberKind = 'unsigned' | 'signed' | 'float';

/** A number as written, with nlohmann's classification of it. */
export class JsonNumber {
  readonly text: string;
  readonly kind: NumberKind;

  constructor(text: string, kind: NumberKind) {
    this.text = text;
    this.kind = kind;
  }

  /** The integer's value (only for kind 'unsigned' or 'signed'). */
  bigint(): bigint {
    return BigInt(this.text);
  }
}

export type JsonValue = JsonObject | JsonValue[] | JsonNumber | string | boolean | null;

export function typeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof JsonNumber) return 'number';
  if (v instanceof JsonObject) return 'object';
  return 'array';
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);

function syntax(at: number, what: string): Refusal {
  return new Refusal('BAD_JSON', '', `not valid JSON: ${what} at character ${at + 1}`);
}

class Reader {
  private at = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): JsonValue {
    this.space();
    const v = this.value();
    this.space();
    if (this.at !== this.text.length) throw syntax(this.at, 'unexpected text after the value');
    return v;
  }

  private space(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private value(): JsonValue {
    const t = this.text;
    if (this.at >= t.length) throw syntax(this.at, 'unexpected end of the line');
    const c = t.charCodeAt(this.at);
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (t.startsWith('true', this.at)) {
      this.at += 4;
      return true;
    }
    if (t.startsWith('false', this.at)) {
      this.at += 5;
      return false;
    }
    if (t.startsWith('null', this.at)) {
      this.at += 4;
      return null;
    }
    throw syntax(this.at, 'unexpected character');
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) throw badRequest('', 'is nested too deeply');
  }

  private object(): JsonObject {
    this.enter();
    this.at++; // {
    const o = new JsonObject();
    let seen: Set<string> | null = null;
    this.space();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      this.depth--;
      return o;
    }
    for (;;) {
      this.space();
      if (this.text.charCodeAt(this.at) !== 0x22) throw syntax(this.at, 'expected a key');
      const key = this.string();
      // Objects on the chain have a dozen keys at most; a hostile one with many gets a set.
      if (o.keys.length >= 16) {
        if (seen === null) seen = new Set(o.keys);
        if (seen.has(key)) throw badRequest(key, 'appears twice in one object');
        seen.add(key);
      } else if (o.keys.indexOf(key) >= 0) {
        throw badRequest(key, 'appears twice in one object');
      }
      this.space();
      if (this.text.charCodeAt(this.at) !== 0x3a) throw syntax(this.at, "expected ':'");
      this.at++;
      this.space();
      const v = this.value();
      o.keys.push(key);
      o.values.push(v);
      this.space();
      const c = this.text.charCodeAt(this.at);
      if (c === 0x2c) {
        this.at++;
        continue;
      }
      if (c === 0x7d) {
        this.at++;
        this.depth--;
        return o;
      }
      throw syntax(this.at, "expected ',' or '}'");
    }
  }

  private array(): JsonValue[] {
    this.enter();
    this.at++; // [
    const items: JsonValue[] = [];
    this.space();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      this.depth--;
      return items;
    }
    for (;;) {
      this.space();
      items.push(this.value());
      this.space();
      const c = this.text.charCodeAt(this.at);
      if (c === 0x2c) {
        this.at++;
        continue;
      }
      if (c === 0x5d) {
        this.at++;
        this.depth--;
        return items;
      }
      throw syntax(this.at, "expected ',' or ']'");
    }
  }

  private string(): string {
    const t = this.text;
    const start = ++this.at; // past the opening quote
    // Fast path: no escapes (every hex field, almost every id and title).
    let i = start;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.at = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c || c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) break;
    }
    let out = t.slice(start, i);
    this.at = i;
    for (;;) {
      if (this.at >= t.length) throw syntax(this.at, 'unterminated string');
      const c = t.charCodeAt(this.at);
      if (c === 0x22) {
        this.at++;
        return out;
      }
      if (c < 0x20) throw syntax(this.at, 'a control character must be escaped');
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = t.charCodeAt(this.at + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) throw syntax(this.at, 'not valid UTF-8 (a lone surrogate)');
        out += t.slice(this.at, this.at + 2);
        this.at += 2;
        continue;
      }
      if (c >= 0xdc00 && c <= 0xdfff) throw syntax(this.at, 'not valid UTF-8 (a lone surrogate)');
      if (c !== 0x5c) {
        out += t[this.at]!;
        this.at++;
        continue;
      }
      const e = t.charCodeAt(this.at + 1);
      this.at += 2;
      switch (e) {
        case 0x22: out += '"'; break;
        case 0x5c: out += '\\'; break;
        case 0x2f: out += '/'; break;
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x75: {
          const u = this.hex4(this.at);
          this.at += 4;
          if (u >= 0xd800 && u <= 0xdbff) {
            // A high surrogate must be followed by an escaped low one (nlohmann refuses otherwise).
            if (t.charCodeAt(this.at) !== 0x5c || t.charCodeAt(this.at + 1) !== 0x75) {
              throw syntax(this.at, 'a high surrogate escape must be followed by a low one');
            }
            const low = this.hex4(this.at + 2);
            if (!(low >= 0xdc00 && low <= 0xdfff)) throw syntax(this.at, 'a high surrogate escape must be followed by a low one');
            this.at += 6;
            out += String.fromCharCode(u, low);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            throw syntax(this.at - 6, 'a low surrogate escape without a high one');
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          throw syntax(this.at - 1, 'an invalid escape');
      }
    }
  }

  private hex4(from: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.text.charCodeAt(from + k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else throw syntax(from + k, 'a \\u escape needs four hex digits');
      v = v * 16 + d;
    }
    return v;
  }

  private digits(): number {
    const t = this.text;
    const from = this.at;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c < 0x30 || c > 0x39) break;
      this.at++;
    }
    return this.at - from;
  }

  private number(): JsonNumber {
    const t = this.text;
    const start = this.at;
    const negative = t.charCodeAt(this.at) === 0x2d;
    if (negative) this.at++;
    const first = t.charCodeAt(this.at);
    if (first === 0x30) {
      this.at++;
    } else if (first >= 0x31 && first <= 0x39) {
      this.digits();
    } else {
      throw syntax(this.at, 'a number needs a digit');
    }
    let float = false;
    if (t.charCodeAt(this.at) === 0x2e) {
      this.at++;
      if (this.digits() === 0) throw syntax(this.at, 'a fraction needs a digit');
      float = true;
    }
    const e = t.charCodeAt(this.at);
    if (e === 0x65 || e === 0x45) {
      this.at++;
      const sign = t.charCodeAt(this.at);
      if (sign === 0x2b || sign === 0x2d) this.at++;
      if (this.digits() === 0) throw syntax(this.at, 'an exponent needs a digit');
      float = true;
    }
    const text = t.slice(start, this.at);
    if (float) return new JsonNumber(text, 'float');
    // Up to 15 digits always fits; beyond, compare exactly (nlohmann falls back to a float).
    const magnitudeDigits = text.length - (negative ? 1 : 0);
    if (magnitudeDigits <= 15) return new JsonNumber(text, negative ? 'signed' : 'unsigned');
    const v = BigInt(text);
    if (!negative && v <= UINT64_MAX) return new JsonNumber(text, 'unsigned');
    if (negative && v >= INT64_MIN) return new JsonNumber(text, 'signed');
    return new JsonNumber(text, 'float');
  }
}

/** Parses one JSON document. Throws a Refusal: BAD_JSON for text that is not JSON,
 *  BAD_REQUEST naming the key for a key twice in one object, BAD_REQUEST with no field for
 *  nesting deeper than maxDepth. */
export function parseStrictJson(text: string, maxDepth: number): JsonValue {
  return new Reader(text, maxDepth).document();
}
