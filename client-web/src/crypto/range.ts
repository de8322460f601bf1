// Exponential ElGamal and the Chaum–Pedersen disjunctive range proof that (α, β) encrypts some
// m ∈ {lo, …, hi} (DESIGN.md §3.3), as crypto/src/range_proof.cpp, draw for draw:
//   j ≠ v: random c_j, s_j; a_j = s_j·G − c_j·α; b_j = s_j·X − c_j·(β − j·G)
//   j = v: random w; a_v = w·G; b_v = w·X
//   c = HashToScalar(lp(ctx) ‖ lp(X) ‖ lp(α) ‖ lp(β) ‖ lp(a_lo) ‖ lp(b_lo) ‖ … , "pingyi-v1-range")
//   c_v = c − Σ_{j≠v} c_j, s_v = w + c_v·r
// Draw order: w, then c_j and s_j for each j ≠ v, ascending (each a 64-byte draw reduced).
import { type Bytes, equalBytes } from './bytes';
import { CryptoError } from './errors';
import {
  IDENTITY,
  add,
  checkScalar,
  mul,
  mulBase,
  scalarAdd,
  scalarFromInt,
  scalarMul,
  scalarSub,
  sub,
} from './group';
import { challenge } from './hash';
import type { Rng } from './rng';
import { sodium } from './sodium';

export interface RangeProof {
  c: Bytes[];
  s: Bytes[];
} // index 0 is j = lo

// The most values a range may hold (hi − lo + 1), as the C++ max_range_values: a proof costs
// about four scalar multiplications per value, so this bounds the work any statement demands.
export const MAX_RANGE_VALUES = 1001;

const MAX_LP_FIELD = 0xffff;

// A statement neither side will look at: lo > hi, too many values, or a ctx lp cannot encode.
function checkStatement(ctx: Bytes, lo: number, hi: number): number {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > 0xffffffff || lo > hi) {
    throw new CryptoError('out_of_range', 'a range needs integers 0 ≤ lo ≤ hi < 2^32');
  }
  const width = hi - lo + 1;
  if (width > MAX_RANGE_VALUES) throw new CryptoError('out_of_range', `a range holds at most ${MAX_RANGE_VALUES} values`);
  if (ctx.length > MAX_LP_FIELD) throw new CryptoError('out_of_range', 'ctx longer than 65,535 bytes');
  return width;
}

// j·G for small j, built on first use: selections, plaintexts and limits all live here.
const TABLE_SIZE = 64;
let table: Bytes[] | null = null;

export function multipleOfGenerator(j: number): Bytes {
  if (j < TABLE_SIZE) {
    if (table === null) {
      const t: Bytes[] = [IDENTITY];
      const G = mulBase(scalarFromInt(1));
      for (let k = 1; k < TABLE_SIZE; k++) t.push(add(t[k - 1]!, G));
      table = t;
    }
    return table[j]!.slice();
  }
  return mulBase(scalarFromInt(j));
}

// One 64-byte draw reduced mod ℓ, zero allowed (as the C++ scalar::random used here).
function drawScalar(rng: Rng): Bytes {
  const wide = rng.bytes(64);
  const s = sodium().crypto_core_ristretto255_scalar_reduce(wide);
  sodium().memzero(wide);
  return s;
}

// (α, β) = (r·G, v·G + r·X).
export function encrypt(v: number, r: Bytes, X: Bytes): { alpha: Bytes; beta: Bytes } {
  return { alpha: mulBase(r), beta: add(multipleOfGenerator(v), mul(r, X)) };
}

function transcriptStart(ctx: Bytes, X: Bytes, alpha: Bytes, beta: Bytes): Bytes[] {
  return [ctx, X, alpha, beta];
}

export function proveRange(ctx: Bytes, X: Bytes, alpha: Bytes, beta: Bytes, v: number, r: Bytes,
  lo: number, hi: number, rng: Rng): RangeProof {
  const width = checkStatement(ctx, lo, hi);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new CryptoError('out_of_range', 'the value is outside the range it is proved in');
  }
  checkScalar(r);
  const c: Bytes[] = new Array<Bytes>(width);
  const s: Bytes[] = new Array<Bytes>(width);
  const fields = transcriptStart(ctx, X, alpha, beta);
  const w = drawScalar(rng);
  let simulated: Bytes = scalarFromInt(0);
  for (let k = 0; k < width; k++) {
    const j = lo + k;
    if (j === v) {
      fields.push(mulBase(w), mul(w, X));
      continue;
    }
    const cj = drawScalar(rng);
    const sj = drawScalar(rng);
    c[k] = cj;
    s[k] = sj;
    simulated = scalarAdd(simulated, cj);
    fields.push(...recomputed(cj, sj, alpha, X, sub(beta, multipleOfGenerator(j))));
  }
  const kv = v - lo;
  const cv = scalarSub(challenge('range', fields), simulated);
  c[kv] = cv;
  s[kv] = scalarAdd(w, scalarMul(cv, r));
  sodium().memzero(w);
  return { c, s };
}

// a_j = s_j·G − c_j·α, b_j = s_j·X − c_j·(β − j·G).
function recomputed(cj: Bytes, sj: Bytes, alpha: Bytes, X: Bytes, shiftedBeta: Bytes): [Bytes, Bytes] {
  return [sub(mulBase(sj), mul(cj, alpha)), sub(mul(sj, X), mul(cj, shiftedBeta))];
}

// False for any proof that does not verify (wrong list lengths and non-canonical scalars
// included); throws 'out_of_range', before any group operation, for a statement proveRange
// refuses (lo > hi, more than MAX_RANGE_VALUES values, ctx too long), since that is a defect of
// the round definition, not of the proof.
export function verifyRange(ctx: Bytes, X: Bytes, alpha: Bytes, beta: Bytes, lo: number, hi: number,
  proof: RangeProof): boolean {
  const width = checkStatement(ctx, lo, hi);
  if (proof.c.length !== width || proof.s.length !== width) return false;
  try {
    for (let k = 0; k < width; k++) {
      checkScalar(proof.c[k]!);
      checkScalar(proof.s[k]!);
    }
    const fields = transcriptStart(ctx, X, alpha, beta);
    let sum: Bytes = scalarFromInt(0);
    for (let k = 0; k < width; k++) {
      const j = lo + k;
      const cj = proof.c[k]!;
      fields.push(...recomputed(cj, proof.s[k]!, alpha, X, sub(beta, multipleOfGenerator(j))));
      sum = scalarAdd(sum, cj);
    }
    return equalBytes(sum, challenge('range', fields));
  } catch (e) {
    if (e instanceof CryptoError) return false;
    throw e;
  }
}
