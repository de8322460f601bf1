// Range proofs beyond 0..1 (DESIGN.md §3.3: limit proofs prove {min … max}), their refusals,
// tampering, and count recovery (§3.4).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Bytes,
  type RangeProof,
  DeterministicRng,
  IDENTITY,
  add,
  basePoint,
  combineShares,
  encrypt,
  fromHex,
  mul,
  mulBase,
  proveRange,
  randomScalar,
  recoverCount,
  scalarAdd,
  scalarFromInt,
  sodiumReady,
  sub,
  utf8,
  verifyRange,
} from '../../src/crypto';
import { codeOf, L_HEX } from '../support/crypto';

let X: Bytes;
let rng: DeterministicRng;
const ctx = utf8('range test ctx');

function proved(v: number, lo: number, hi: number) {
  const r = randomScalar(rng);
  const ct = encrypt(v, r, X);
  const proof = proveRange(ctx, X, ct.alpha, ct.beta, v, r, lo, hi, rng);
  return { ...ct, r, proof };
}

function flipped(p: RangeProof, list: 'c' | 's', k: number): RangeProof {
  const copy = { c: p.c.map((x) => x.slice()), s: p.s.map((x) => x.slice()) };
  copy[list][k]![0]! ^= 0x01;
  return copy;
}

beforeAll(async () => {
  await sodiumReady();
  rng = new DeterministicRng(new Uint8Array(32).fill(0x42));
  X = mulBase(randomScalar(rng));
});

describe('range proofs for lo..hi other than 0..1', () => {
  const cases: [number, number][] = [[0, 1], [0, 2], [1, 1], [2, 5], [0, 0], [3, 3], [0, 63], [60, 70]];
  for (const [lo, hi] of cases) {
    it(`proves and verifies every value of ${lo}..${hi}`, () => {
      for (let v = lo; v <= hi; v += hi - lo > 8 ? 7 : 1) {
        const { alpha, beta, proof } = proved(v, lo, hi);
        expect(proof.c.length).toBe(hi - lo + 1);
        expect(proof.s.length).toBe(hi - lo + 1);
        expect(verifyRange(ctx, X, alpha, beta, lo, hi, proof)).toBe(true);
      }
    });
  }

  it('a proof for one range does not verify for another of the same width', () => {
    const { alpha, beta, proof } = proved(2, 0, 2);
    expect(verifyRange(ctx, X, alpha, beta, 1, 3, proof)).toBe(false);
  });

  it('refuses to prove a value outside the range (out_of_range), before drawing anything', () => {
    for (const [v, lo, hi] of [[2, 0, 1], [0, 1, 1], [6, 2, 5], [1, 2, 5]] as const) {
      const r = randomScalar(rng);
      const ct = encrypt(v, r, X);
      const fresh = new DeterministicRng(new Uint8Array(32));
      expect(codeOf(() => proveRange(ctx, X, ct.alpha, ct.beta, v, r, lo, hi, fresh))).toBe('out_of_range');
      expect(fresh.draws).toBe(0);
    }
  });

  it('refuses impossible statements on both sides: lo > hi, too wide, ctx too long', () => {
    const { alpha, beta, r, proof } = proved(1, 0, 1);
    expect(codeOf(() => proveRange(ctx, X, alpha, beta, 1, r, 2, 1, rng))).toBe('out_of_range');
    expect(codeOf(() => verifyRange(ctx, X, alpha, beta, 2, 1, proof))).toBe('out_of_range');
    expect(codeOf(() => verifyRange(ctx, X, alpha, beta, 0, 1001, proof))).toBe('out_of_range');
    expect(codeOf(() => verifyRange(new Uint8Array(65536), X, alpha, beta, 0, 1, proof))).toBe('out_of_range');
  });

  it('an encryption of a value outside the range cannot be given a valid proof by simulation', () => {
    // A 2 proved as if it were a 1 in 0..1: the prover's algebra goes through, the proof does not.
    const r = randomScalar(rng);
    const ct = encrypt(2, r, X);
    const proof = proveRange(ctx, X, ct.alpha, ct.beta, 1, r, 0, 1, rng);
    expect(verifyRange(ctx, X, ct.alpha, ct.beta, 0, 1, proof)).toBe(false);
  });
});

describe('tampered range proofs fail', () => {
  it('every flipped c_j and s_j, the ctx, X, α and β', () => {
    const { alpha, beta, proof } = proved(3, 2, 5);
    for (let k = 0; k < 4; k++) {
      expect(verifyRange(ctx, X, alpha, beta, 2, 5, flipped(proof, 'c', k))).toBe(false);
      expect(verifyRange(ctx, X, alpha, beta, 2, 5, flipped(proof, 's', k))).toBe(false);
    }
    expect(verifyRange(utf8('another ctx'), X, alpha, beta, 2, 5, proof)).toBe(false);
    expect(verifyRange(ctx, add(X, basePoint()), alpha, beta, 2, 5, proof)).toBe(false);
    expect(verifyRange(ctx, X, add(alpha, basePoint()), beta, 2, 5, proof)).toBe(false);
    expect(verifyRange(ctx, X, alpha, add(beta, basePoint()), 2, 5, proof)).toBe(false);
  });
  it('lists of the wrong length, and a scalar ≥ ℓ, are a failed proof, not an exception', () => {
    const { alpha, beta, proof } = proved(1, 0, 2);
    expect(verifyRange(ctx, X, alpha, beta, 0, 2, { c: proof.c.slice(1), s: proof.s })).toBe(false);
    expect(verifyRange(ctx, X, alpha, beta, 0, 2, { c: proof.c, s: [...proof.s, proof.s[0]!] })).toBe(false);
    const big = { c: proof.c.slice(), s: proof.s.slice() };
    big.s[0] = fromHex(L_HEX, 32);
    expect(verifyRange(ctx, X, alpha, beta, 0, 2, big)).toBe(false);
  });
  it('a sum of two selections proves in 0..2 with the summed randomness (the limit proof)', () => {
    const a = proved(1, 0, 1);
    const b = proved(1, 0, 1);
    const A = add(a.alpha, b.alpha);
    const B = add(a.beta, b.beta);
    const limit = proveRange(ctx, X, A, B, 2, scalarAdd(a.r, b.r), 0, 2, rng);
    expect(verifyRange(ctx, X, A, B, 0, 2, limit)).toBe(true);
    expect(verifyRange(ctx, X, A, B, 0, 1, { c: limit.c.slice(0, 2), s: limit.s.slice(0, 2) })).toBe(false);
  });
});

describe('recoverCount', () => {
  it('finds 0 (the identity), the maximum, and nothing beyond it', () => {
    expect(recoverCount(IDENTITY, 0)).toBe(0);
    expect(recoverCount(IDENTITY, 10)).toBe(0);
    expect(recoverCount(mulBase(scalarFromInt(10)), 10)).toBe(10);
    expect(recoverCount(mulBase(scalarFromInt(11)), 10)).toBeNull();
    expect(recoverCount(mulBase(scalarFromInt(1)), 0)).toBeNull();
    expect(recoverCount(sub(IDENTITY, basePoint()), 50)).toBeNull();
    expect(recoverCount(mulBase(scalarFromInt(3000)), 3000)).toBe(3000);
    expect(recoverCount(mulBase(scalarFromInt(7)), 3000)).toBe(7);
  });
  it('decrypts a sum of encryptions with x·A removed: B − x·A = count·G', () => {
    const x = randomScalar(rng);
    const key = mulBase(x);
    let A = IDENTITY;
    let B = IDENTITY;
    for (const v of [1, 0, 1, 1, 0]) {
      const ct = encrypt(v, randomScalar(rng), key);
      A = add(A, ct.alpha);
      B = add(B, ct.beta);
    }
    expect(recoverCount(combineShares(B, [mul(x, A)]), 5)).toBe(3);
  });
  it('refuses a negative max', () => {
    expect(codeOf(() => recoverCount(IDENTITY, -1))).toBe('out_of_range');
  });
});
