// Hashing (DESIGN.md §3.1): SHA-2, expand_message_xmd with SHA-512 (RFC 9380 §5.3.1),
// HashToGroup / HashToScalar onto ristretto255, and pingyi's own Fiat–Shamir challenges.
import { type Bytes, concat, i2osp, lp, utf8 } from './bytes';
import { CryptoError } from './errors';
import { sodium } from './sodium';

export function sha256(m: Bytes): Bytes {
  return sodium().crypto_hash_sha256(m);
}

export function sha512(m: Bytes): Bytes {
  return sodium().crypto_hash_sha512(m);
}

const B_IN_BYTES = 64; // SHA-512 output
const S_IN_BYTES = 128; // SHA-512 block

export function expandMessageXmd(msg: Bytes, dst: Bytes, len: number): Bytes {
  const ell = Math.ceil(len / B_IN_BYTES);
  if (!Number.isInteger(len) || len <= 0 || ell > 255 || len > 65535) {
    throw new CryptoError('out_of_range', 'expand_message_xmd length');
  }
  // RFC 9380 §5.3.3: a DST over 255 bytes is replaced by H("H2C-OVERSIZE-DST-" ‖ DST).
  const d = dst.length > 255 ? sha512(concat(utf8('H2C-OVERSIZE-DST-'), dst)) : dst;
  const dstPrime = concat(d, i2osp(d.length, 1));
  const b0 = sha512(concat(new Uint8Array(S_IN_BYTES), msg, i2osp(len, 2), i2osp(0, 1), dstPrime));
  const out = new Uint8Array(ell * B_IN_BYTES);
  let bi = sha512(concat(b0, i2osp(1, 1), dstPrime));
  out.set(bi, 0);
  for (let i = 2; i <= ell; i++) {
    const x = new Uint8Array(B_IN_BYTES);
    for (let k = 0; k < B_IN_BYTES; k++) x[k] = b0[k]! ^ bi[k]!;
    bi = sha512(concat(x, i2osp(i, 1), dstPrime));
    out.set(bi, (i - 1) * B_IN_BYTES);
  }
  return out.slice(0, len);
}

export function hashToGroup(msg: Bytes, dst: Bytes): Bytes {
  return sodium().crypto_core_ristretto255_from_hash(expandMessageXmd(msg, dst, 64));
}

export function hashToScalar(msg: Bytes, dst: Bytes): Bytes {
  return sodium().crypto_core_ristretto255_scalar_reduce(expandMessageXmd(msg, dst, 64));
}

// HashToScalar(lp(f1) ‖ lp(f2) ‖ …, "pingyi-v1-" ‖ name).
export function challenge(name: string, fields: Bytes[]): Bytes {
  return hashToScalar(concat(...fields.map(lp)), utf8(`pingyi-v1-${name}`));
}
