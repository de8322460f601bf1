// Joint decryption of round totals (DESIGN.md §3.4), as crypto/src/decryption.cpp and tally.cpp:
// a trustee's share D_t = x_t·A with a Chaum–Pedersen proof that log_G(X_t) = log_A(D_t),
// bound to the hash of the round's round_closed line; M = B − Σ D_t; count recovery in a table
// of j·G. No individual ballot is ever decrypted. A and D_t may be the identity.
import { type Bytes, equalBytes, i2osp, toHex, utf8 } from './bytes';
import { CryptoError } from './errors';
import { IDENTITY, add, basePoint, checkScalar, isIdentity, isZeroScalar, mul, mulBase, scalarAdd, scalarMul, sub } from './group';
import { challenge } from './hash';
import type { DleqProof } from './voprf';
import { type Rng, randomScalar } from './rng';
import { sodium } from './sodium';

export interface ShareContext {
  sessionId: Bytes;
  closedHash: Bytes;
  round: number;
  contestId: string;
  option: number;
  trusteeId: string;
  trusteeKey: Bytes;
}

const MAX_LP_FIELD = 0xffff;

// c = HashToScalar(lp(session_id) ‖ lp(closed_hash) ‖ lp(I2OSP(round,4)) ‖ lp(contest_id) ‖
// lp(I2OSP(option,2)) ‖ lp(trustee_id) ‖ lp(X_t) ‖ lp(A) ‖ lp(D_t) ‖ lp(a) ‖ lp(b),
// "pingyi-v1-decrypt"). Null when an id is too long for lp (such a share never verifies).
function shareChallenge(ctx: ShareContext, A: Bytes, D: Bytes, a: Bytes, b: Bytes): Bytes | null {
  const contest = utf8(ctx.contestId);
  const trustee = utf8(ctx.trusteeId);
  if (contest.length > MAX_LP_FIELD || trustee.length > MAX_LP_FIELD) return null;
  return challenge('decrypt', [ctx.sessionId, ctx.closedHash, i2osp(ctx.round, 4), contest,
    i2osp(ctx.option, 2), trustee, ctx.trusteeKey, A, D, a, b]);
}

// w (non-zero, the only draw), a = w·G, b = w·A, s = w + c·x.
export function decryptionShare(ctx: ShareContext, x: Bytes, A: Bytes, rng: Rng): { share: Bytes; proof: DleqProof } {
  checkScalar(x);
  if (isZeroScalar(x)) throw new CryptoError('invalid_scalar', 'a zero trustee secret');
  if (!equalBytes(mulBase(x), ctx.trusteeKey)) {
    throw new CryptoError('invalid_scalar', 'the secret does not belong to this trustee key');
  }
  const D = mul(x, A);
  const w = randomScalar(rng);
  const c = shareChallenge(ctx, A, D, mulBase(w), mul(w, A));
  if (c === null) throw new CryptoError('out_of_range', 'contest or trustee id too long');
  const s = scalarAdd(w, scalarMul(c, x));
  sodium().memzero(w);
  return { share: D, proof: { c, s } };
}

// a = s·G − c·X_t, b = s·A − c·D_t, then the challenge must come back as c.
export function verifyDecryptionShare(ctx: ShareContext, A: Bytes, share: Bytes, proof: DleqProof): boolean {
  if (isIdentity(ctx.trusteeKey)) return false;
  try {
    checkScalar(proof.c);
    checkScalar(proof.s);
    const a = sub(mulBase(proof.s), mul(proof.c, ctx.trusteeKey));
    const b = sub(mul(proof.s, A), mul(proof.c, share));
    const c = shareChallenge(ctx, A, share, a, b);
    return c !== null && equalBytes(c, proof.c);
  } catch (e) {
    if (e instanceof CryptoError) return false;
    throw e;
  }
}

// M = B − Σ_t D_t (= count·G when the shares are right).
export function combineShares(B: Bytes, shares: Bytes[]): Bytes {
  let M = B;
  for (const D of shares) M = sub(M, D);
  return M;
}

// j·G for j = 0 … as far as asked so far, by repeated addition (one addition per entry,
// cheaper than a multiplication each), kept for later rounds.
const multiples: Bytes[] = [IDENTITY];
const multiplesHex: string[] = [toHex(IDENTITY)];

export function recoverCount(M: Bytes, max: number): number | null {
  if (!Number.isSafeInteger(max) || max < 0) throw new CryptoError('out_of_range', 'max is a non-negative integer');
  if (M.length !== 32) throw new CryptoError('bad_length', 'a point is 32 bytes');
  const target = toHex(M);
  for (let j = 0; j <= max; j++) {
    if (j === multiples.length) {
      const next = add(multiples[j - 1]!, basePoint());
      multiples.push(next);
      multiplesHex.push(toHex(next));
    }
    if (multiplesHex[j] === target) return j;
  }
  return null;
}
