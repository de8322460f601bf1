// Byte strings as DESIGN.md §3 writes them: lower-case hex in JSON, I2OSP (big-endian), lp(x)
// = I2OSP(len(x), 2) ‖ x. Every hash and signature input is built from these, never from text.
import { CryptoError } from './errors';

export type Bytes = Uint8Array;

const HEX_DIGITS = '0123456789abcdef';

export function toHex(b: Bytes): string {
  let out = '';
  for (const octet of b) out += HEX_DIGITS[octet >> 4]! + HEX_DIGITS[octet & 15]!;
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30; // 0-9
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10; // a-f
  return -1; // upper case too: DESIGN §3 fixes lower-case hex, so one value has one spelling
}

export function fromHex(hex: string, length?: number): Bytes {
  if (typeof hex !== 'string') throw new CryptoError('bad_hex', 'expected a hex string');
  if (hex.length % 2 !== 0) throw new CryptoError('bad_hex', 'hex of odd length');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i));
    const lo = hexValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new CryptoError('bad_hex', 'not lower-case hex');
    out[i] = (hi << 4) | lo;
  }
  if (length !== undefined && out.length !== length) {
    throw new CryptoError('bad_length', `expected ${length} bytes, got ${out.length}`);
  }
  return out;
}

export function concat(...parts: Bytes[]): Bytes {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function i2osp(n: number | bigint, k: number): Bytes {
  if (!Number.isInteger(k) || k < 0) throw new CryptoError('out_of_range', 'I2OSP length');
  if (typeof n === 'number' && !Number.isSafeInteger(n)) {
    throw new CryptoError('out_of_range', 'I2OSP of a non-integer');
  }
  let v = BigInt(n);
  if (v < 0n || v >= 1n << BigInt(8 * k)) {
    throw new CryptoError('out_of_range', `${v} does not fit in ${k} bytes`);
  }
  const out = new Uint8Array(k);
  for (let i = k - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function lp(x: Bytes): Bytes {
  return concat(i2osp(x.length, 2), x);
}

const encoder = new TextEncoder();

export function utf8(s: string): Bytes {
  return encoder.encode(s);
}

// Constant-time for equal lengths (the length itself is public everywhere it is used).
export function equalBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
