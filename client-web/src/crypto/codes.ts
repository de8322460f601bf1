// Crockford base32 for the codes people read aloud and type (DESIGN.md §3.4 comparison code,
// §3.5 recovery codes, §3.6 receipt codes). Alphabet without I, L, O (read as 1, 1, 0 on
// entry) and U.
import type { Bytes } from './bytes';
import { CryptoError } from './errors';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// The bytes as a big-endian bit stream, five bits a character; a final partial group is padded
// with zero bits (5 bytes give 8 characters, 10 give 16).
export function crockford(b: Bytes): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const octet of b) {
    buffer = (buffer << 8) | octet;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31]!;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31]!;
  return out;
}

export function displayCode(code: string): string {
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += 4) groups.push(code.slice(i, i + 4));
  return groups.join('-');
}

// §3.6: 40 bits, for looking a receipt up; the full hash is the receipt.
export function receiptCode(hash: Bytes): string {
  if (hash.length < 5) throw new CryptoError('bad_length', 'a receipt hash is 32 bytes');
  return displayCode(crockford(hash.subarray(0, 5)));
}

// §3.4: 80 bits, so that a server cannot grind a private fork's round_closed to match.
export function comparisonCode(hash: Bytes): string {
  if (hash.length < 10) throw new CryptoError('bad_length', 'a round_closed hash is 32 bytes');
  return displayCode(crockford(hash.subarray(0, 10)));
}

// What a person typed, made canonical: lower case upper-cased, dashes and spaces dropped, I and
// L read as 1, O as 0; anything else (U included) or the wrong length is 'invalid_code'.
export function normalizeTypedCode(typed: string, length: number): string {
  let out = '';
  for (const ch of typed) {
    let c = ch;
    if (c >= 'a' && c <= 'z') c = c.toUpperCase();
    if (c === '-' || c === ' ') continue;
    if (c === 'I' || c === 'L') c = '1';
    else if (c === 'O') c = '0';
    else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c !== 'U'))) {
      throw new CryptoError('invalid_code', 'the code has a character outside Crockford base32');
    }
    // Stop early on over-long input: what a person types is short, hostile input may not be.
    if (out.length === length) throw new CryptoError('invalid_code', `the code is not ${length} characters`);
    out += c;
  }
  if (out.length !== length) throw new CryptoError('invalid_code', `the code is not ${length} characters`);
  return out;
}
