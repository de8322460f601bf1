// The expensive, stateless part of checking a ballot record (DESIGN.md §3.2 step 3, §3.3): the
// server's token proof VerifyProof(G, pkT, [T], [N]), every 0/1 proof, each contest's limit
// proof and the signature by vk. It needs only what the chain states before the ballot (the
// session id, the token and election keys, the round's contests), so it runs on any thread, in
// any order: the fold asks for its verdicts in seq order. Codes and fields as the C++ apply and
// verify_ballot name them.
import {
  type Bytes,
  type ContestBallot,
  type ContestSpec,
  IDENTITY,
  add,
  ballotCtx,
  ballotDigest,
  basePoint,
  concat,
  fromHex,
  hashToGroupVoprf,
  i2osp,
  tokenInput,
  utf8,
  verifyDetached,
  verifyProof,
  verifyRange,
} from '../crypto';
import type { BallotBody } from './record';
import { Refusal, indexed } from './refusal';

/** What a ballot is verified against, as the chain before it states it. */
export interface BallotContext {
  sessionId: string; // hex
  tokenKey: string; // hex, genesis' token_key
  electionKey: string; // hex, election_key's key
  specs: ContestSpec[]; // the round's contests
}

/** Identifies a context, so that a verdict reached with one is never used for another. */
export function contextKey(round: number, c: BallotContext): string {
  const specs = c.specs.map((s) => `${JSON.stringify(s.id)}:${s.options}:${s.min}:${s.max}`).join(',');
  return `${c.sessionId}|${c.tokenKey}|${c.electionKey}|${round}|${specs}`;
}

// The option index of a contest's limit proof context (§3.3: I2OSP(0xFFFF, 2)).
const LIMIT_OPTION = 0xffff;
// lp(ctx) must fit two bytes: 32 + 4 + 2 + id + 32 + 2 ≤ 65,535 (the C++ max_contest_id_bytes).
const MAX_CONTEST_ID_BYTES = 0xffff - 72;
const MAX_RANGE_VALUES = 1001;

// crypto's failures as core's from_crypto maps them onto the catalogue.
function invalidEncoding(field: string): Refusal {
  return new Refusal('BAD_REQUEST', field, 'is not a valid encoding');
}
function outOfRange(field: string): Refusal {
  return new Refusal('BAD_REQUEST', field, 'is out of range');
}
function invalidPoint(field: string): Refusal {
  return new Refusal('INVALID_POINT', field, 'is not a valid group element');
}
function invalidProof(field: string): Refusal {
  return new Refusal('INVALID_PROOF', field, 'proof does not verify');
}

function limitWidth(spec: ContestSpec): number {
  if (spec.min > spec.max) return 0;
  const width = spec.max - spec.min + 1;
  return width > MAX_RANGE_VALUES ? 0 : width;
}

/** The contests in crypto's shape, for ballotDigest. */
export function asContestBallots(b: BallotBody): ContestBallot[] {
  return b.contests.map((c) => ({
    id: c.id,
    selections: c.selections.map((s) => ({ alpha: s.alpha.bytes, beta: s.beta.bytes, proof: s.proof })),
    limit_proof: c.limitProof,
  }));
}

/** Every proof and the signature of a ballot record, in the C++ order: the token proof
 *  (INVALID_TOKEN "token_proof"), then verify_ballot's three passes — shape and points, every
 *  0/1 proof then the limit proof contest by contest, the signature last (it covers
 *  everything, so checked first it would hide which part was wrong). Null when all verify. */
export function checkBallotProofs(ctx: BallotContext, b: BallotBody): Refusal | null {
  const sessionId = fromHex(ctx.sessionId, 32);
  const tokenKey = fromHex(ctx.tokenKey, 32);
  const electionKey = fromHex(ctx.electionKey, 32);

  const T = hashToGroupVoprf(tokenInput(sessionId, b.round, b.vk));
  if (!verifyProof(tokenKey, basePoint(), tokenKey, [T], [b.token.bytes], b.tokenProof)) {
    return new Refusal('INVALID_TOKEN', 'token_proof', "the token is not an evaluation by the session's token key");
  }

  const specs = ctx.specs;
  if (b.contests.length !== specs.length) return invalidEncoding('contests');
  for (let k = 0; k < specs.length; k++) {
    const spec = specs[k]!;
    const contest = b.contests[k]!;
    const at = indexed('contests', k);
    if (contest.id !== spec.id) return invalidEncoding(`${at}.id`);
    if (utf8(contest.id).length > MAX_CONTEST_ID_BYTES) return outOfRange(`${at}.id`);
    const width = limitWidth(spec);
    if (width === 0) return outOfRange(at);
    if (contest.selections.length !== spec.options) return invalidEncoding(`${at}.selections`);
    const seen = new Set<string>();
    for (let i = 0; i < contest.selections.length; i++) {
      const sel = contest.selections[i]!;
      const sf = `${at}.${indexed('selections', i)}`;
      // The decoder refuses the identity for α and β; a ballot built in code is refused the same way.
      if (sel.alpha.hex === '0'.repeat(64)) return invalidPoint(`${sf}.alpha`);
      if (sel.beta.hex === '0'.repeat(64)) return invalidPoint(`${sf}.beta`);
      if (sel.proof.c.length !== 2 || sel.proof.s.length !== 2) return invalidProof(`${sf}.proof`);
    }
    if (contest.limitProof.c.length !== width || contest.limitProof.s.length !== width) {
      return invalidProof(`${at}.limit_proof`);
    }
    for (let i = 0; i < contest.selections.length; i++) {
      const alpha = contest.selections[i]!.alpha.hex;
      if (seen.has(alpha)) return invalidPoint(`${at}.${indexed('selections', i)}.alpha`);
      seen.add(alpha);
    }
  }

  for (let k = 0; k < specs.length; k++) {
    const spec = specs[k]!;
    const contest = b.contests[k]!;
    const base = ballotCtx(sessionId, b.round, contest.id, b.vk);
    let sumAlpha: Bytes = IDENTITY;
    let sumBeta: Bytes = IDENTITY;
    for (let i = 0; i < contest.selections.length; i++) {
      const sel = contest.selections[i]!;
      if (!verifyRange(concat(base, i2osp(i, 2)), electionKey, sel.alpha.bytes, sel.beta.bytes, 0, 1, sel.proof)) {
        return invalidProof(`contests[${k}].selections[${i}].proof`);
      }
      sumAlpha = add(sumAlpha, sel.alpha.bytes);
      sumBeta = add(sumBeta, sel.beta.bytes);
    }
    const limitCtx = concat(base, i2osp(LIMIT_OPTION, 2));
    if (!verifyRange(limitCtx, electionKey, sumAlpha, sumBeta, spec.min, spec.max, contest.limitProof)) {
      return invalidProof(`contests[${k}].limit_proof`);
    }
  }

  if (!verifyDetached(b.sig, ballotDigest(sessionId, b.round, b.vk, asContestBallots(b)), b.vk)) {
    return new Refusal('INVALID_SIGNATURE', 'sig', 'signature does not verify');
  }
  return null;
}
