// ristretto255 points and scalars (DESIGN.md §3) with libsodium's pitfalls handled here, once:
// scalarmult fails (throws, in libsodium.js) on a zero scalar or an identity result, so mul and
// mulBase return IDENTITY for those instead; the identity is recognised by its 32 zero bytes,
// never through is_valid_point, whose answer for it changed after libsodium 1.0.18; points and
// scalars from outside are checked canonical (scalar_reduce is not a check).
import { type Bytes, equalBytes, fromHex } from './bytes';
import { CryptoError } from './errors';
import { sodium } from './sodium';

export const IDENTITY: Bytes = new Uint8Array(32);

// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
const GROUP_ORDER = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

function isAllZero(b: Bytes): boolean {
  let acc = 0;
  for (const octet of b) acc |= octet;
  return acc === 0;
}

let generatorCache: Bytes | null = null;

// G, the ristretto255 base point (computed once libsodium is ready).
export function basePoint(): Bytes {
  if (generatorCache === null) generatorCache = mulBase(scalarFromInt(1));
  return generatorCache.slice();
}

export function isIdentity(p: Bytes): boolean {
  return p.length === 32 && isAllZero(p);
}

export function checkPoint(p: Bytes, opts?: { allowIdentity?: boolean }): Bytes {
  if (!(p instanceof Uint8Array) || p.length !== 32) {
    throw new CryptoError('bad_length', 'a point is 32 bytes');
  }
  if (isAllZero(p)) {
    if (opts?.allowIdentity === true) return p;
    throw new CryptoError('invalid_point', 'the identity is not allowed here');
  }
  if (!sodium().crypto_core_ristretto255_is_valid_point(p)) {
    throw new CryptoError('invalid_point', 'not a canonical ristretto255 encoding');
  }
  return p;
}

// s < ℓ exactly when s − ℓ borrows; computed over every byte without branching on the data.
function isCanonicalScalar(s: Bytes): boolean {
  let borrow = 0;
  for (let i = 0; i < 32; i++) {
    const diff = s[i]! - GROUP_ORDER[i]! - borrow;
    borrow = (diff >> 8) & 1;
  }
  return borrow === 1;
}

export function checkScalar(s: Bytes): Bytes {
  if (!(s instanceof Uint8Array) || s.length !== 32) {
    throw new CryptoError('bad_length', 'a scalar is 32 bytes');
  }
  if (!isCanonicalScalar(s)) throw new CryptoError('invalid_scalar', 'scalar not below the group order');
  return s;
}

export function pointFromHex(hex: string, opts?: { allowIdentity?: boolean }): Bytes {
  return checkPoint(fromHex(hex, 32), opts);
}

export function scalarFromHex(hex: string): Bytes {
  return checkScalar(fromHex(hex, 32));
}

export function isZeroScalar(s: Bytes): boolean {
  return isAllZero(s);
}

export function mul(s: Bytes, p: Bytes): Bytes {
  if (isAllZero(s) || isAllZero(p)) return IDENTITY.slice();
  try {
    return sodium().crypto_scalarmult_ristretto255(s, p);
  } catch {
    // libsodium answers −1 both for an encoding that is not a point and for an identity
    // result; only the second is a value. Asked here, off the hot path, never before.
    if (!sodium().crypto_core_ristretto255_is_valid_point(p)) {
      throw new CryptoError('invalid_point', 'not a canonical ristretto255 encoding');
    }
    return IDENTITY.slice();
  }
}

export function mulBase(s: Bytes): Bytes {
  if (isAllZero(s)) return IDENTITY.slice();
  try {
    return sodium().crypto_scalarmult_ristretto255_base(s);
  } catch {
    // s ≠ 0 but s·G is the identity: s is a non-zero multiple of ℓ (never a reduced scalar).
    return IDENTITY.slice();
  }
}

// libsodium's add and sub accept the identity (it is a valid encoding to them in every version),
// but the short cuts keep the identity's treatment independent of that.
export function add(p: Bytes, q: Bytes): Bytes {
  if (isAllZero(p)) return q.slice();
  if (isAllZero(q)) return p.slice();
  return sodium().crypto_core_ristretto255_add(p, q);
}

export function sub(p: Bytes, q: Bytes): Bytes {
  if (isAllZero(q)) return p.slice();
  if (equalBytes(p, q)) return IDENTITY.slice();
  return sodium().crypto_core_ristretto255_sub(p, q);
}

export function scalarAdd(a: Bytes, b: Bytes): Bytes {
  return sodium().crypto_core_ristretto255_scalar_add(a, b);
}

export function scalarSub(a: Bytes, b: Bytes): Bytes {
  return sodium().crypto_core_ristretto255_scalar_sub(a, b);
}

export function scalarMul(a: Bytes, b: Bytes): Bytes {
  return sodium().crypto_core_ristretto255_scalar_mul(a, b);
}

export function scalarNeg(a: Bytes): Bytes {
  return sodium().crypto_core_ristretto255_scalar_negate(a);
}

export function scalarInvert(a: Bytes): Bytes {
  if (isAllZero(a)) throw new CryptoError('invalid_scalar', 'zero has no inverse');
  return sodium().crypto_core_ristretto255_scalar_invert(a);
}

export function scalarFromInt(n: number): Bytes {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new CryptoError('out_of_range', 'scalarFromInt takes a non-negative safe integer');
  }
  const out = new Uint8Array(32);
  let v = n;
  for (let i = 0; i < 8 && v > 0; i++) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

export function scalarEquals(a: Bytes, b: Bytes): boolean {
  return equalBytes(a, b);
}
