// Ballots (DESIGN.md §3.3), as crypto/src/ballot.cpp: per contest one encrypted 0/1 selection
// per option with its proof, a limit proof on their sum, and the whole signed by the ephemeral
// key ske whose public half vk is the nullifier the token was bound to. Also the wire body
// (hex JSON) and the checks any observer makes of a ballot without the token key.
import { type Bytes, concat, equalBytes, fromHex, i2osp, lp, toHex, utf8 } from './bytes';
import { CryptoError } from './errors';
import { IDENTITY, add, checkPoint, checkScalar, isIdentity, scalarAdd, scalarFromInt } from './group';
import { type RangeProof, MAX_RANGE_VALUES, encrypt, proveRange, verifyRange } from './range';
import { type Rng, randomScalar } from './rng';
import { isEd25519PublicKey, signDetached, verifyDetached } from './sign';
import { sodium } from './sodium';

export interface ContestSpec {
  id: string;
  options: number;
  min: number;
  max: number;
}
export interface Selection {
  alpha: Bytes;
  beta: Bytes;
  proof: RangeProof;
}
export interface ContestBallot {
  id: string;
  selections: Selection[];
  limit_proof: RangeProof;
}
export interface Ballot {
  round: number;
  vk: Bytes;
  token: Bytes;
  contests: ContestBallot[];
  sig: Bytes;
}

// The option index of a contest's limit proof context.
export const LIMIT_OPTION = 0xffff;
// The longest contest id (UTF-8 bytes) whose proofs' lp(ctx) can still be encoded
// (32 + 4 + 2 + id + 32 + 2 ≤ 65,535), as the C++ max_contest_id_bytes.
export const MAX_CONTEST_ID_BYTES = 0xffff - 72;

function contestIdBytes(id: string): Bytes {
  const b = utf8(id);
  if (b.length > MAX_CONTEST_ID_BYTES) throw new CryptoError('out_of_range', 'contest id too long');
  return b;
}

// ballot_ctx = session_id ‖ I2OSP(round, 4) ‖ lp(contest_id) ‖ vk
export function ballotCtx(sessionId: Bytes, round: number, contestId: string, vk: Bytes): Bytes {
  return concat(sessionId, i2osp(round, 4), lp(contestIdBytes(contestId)), vk);
}

// ballot_ctx ‖ I2OSP(option, 2); the limit proof uses LIMIT_OPTION.
export function selectionCtx(ballotContext: Bytes, option: number): Bytes {
  return concat(ballotContext, i2osp(option, 2));
}

// SHA-512("pingyi-v1-ballot" ‖ session_id ‖ I2OSP(round, 4) ‖ vk ‖ for each contest: lp(id) ‖
// for each selection α ‖ β ‖ c… ‖ s… ‖ then the limit proof's c… ‖ s…), hashed as it is
// written: a 100-target ballot is tens of kilobytes.
export function ballotDigest(sessionId: Bytes, round: number, vk: Bytes, contests: ContestBallot[]): Bytes {
  const na = sodium();
  const st = na.crypto_hash_sha512_init();
  na.crypto_hash_sha512_update(st, concat(utf8('pingyi-v1-ballot'), sessionId, i2osp(round, 4), vk));
  for (const contest of contests) {
    na.crypto_hash_sha512_update(st, lp(contestIdBytes(contest.id)));
    for (const sel of contest.selections) {
      na.crypto_hash_sha512_update(st, concat(sel.alpha, sel.beta, ...sel.proof.c, ...sel.proof.s));
    }
    na.crypto_hash_sha512_update(st, concat(...contest.limit_proof.c, ...contest.limit_proof.s));
  }
  return na.crypto_hash_sha512_final(st);
}

// A spec no ballot can satisfy, or one whose limit proof is too wide to prove or verify.
function limitWidth(spec: ContestSpec): number {
  if (!Number.isInteger(spec.min) || !Number.isInteger(spec.max) || spec.min < 0 || spec.min > spec.max) return 0;
  const width = spec.max - spec.min + 1;
  return width > MAX_RANGE_VALUES ? 0 : width;
}

// The 0/1 plaintext of each option from the selected indices; 'out_of_range' for anything a
// ballot could not honestly carry, checked before any randomness is drawn.
function plaintexts(contests: ContestSpec[], choices: number[][]): number[][] {
  if (choices.length !== contests.length) {
    throw new CryptoError('out_of_range', `${contests.length} contests, ${choices.length} choices`);
  }
  return contests.map((spec, k) => {
    if (!Number.isInteger(spec.options) || spec.options < 1 || spec.options > 0xffff) {
      throw new CryptoError('out_of_range', `contests[${k}]: bad option count`);
    }
    contestIdBytes(spec.id);
    if (limitWidth(spec) === 0) throw new CryptoError('out_of_range', `contests[${k}]: impossible min/max`);
    const v = new Array<number>(spec.options).fill(0);
    for (const i of choices[k]!) {
      if (!Number.isInteger(i) || i < 0 || i >= spec.options) {
        throw new CryptoError('out_of_range', `contests[${k}]: no option ${i}`);
      }
      if (v[i] === 1) throw new CryptoError('out_of_range', `contests[${k}]: option ${i} chosen twice`);
      v[i] = 1;
    }
    const chosen = choices[k]!.length;
    if (chosen < spec.min || chosen > spec.max) {
      throw new CryptoError('out_of_range', `contests[${k}]: ${chosen} chosen, allowed ${spec.min}…${spec.max}`);
    }
    return v;
  });
}

// Randomness is drawn contest by contest, option by option: r_i (non-zero), then that
// selection's proof draws; after the options, the limit proof's draws (as the C++).
export function buildBallot(args: {
  sessionId: Bytes;
  round: number;
  electionKey: Bytes;
  contests: ContestSpec[];
  choices: number[][];
  vk: Bytes;
  ske: Bytes;
  token: Bytes;
  rng: Rng;
}): Ballot {
  const { sessionId, round, electionKey, contests, vk, ske, token, rng } = args;
  if (ske.length !== 64) throw new CryptoError('bad_length', 'ske is a 64-byte Ed25519 secret key');
  if (!equalBytes(sodium().crypto_sign_ed25519_sk_to_pk(ske), vk)) {
    throw new CryptoError('invalid_signature', 'vk is not the public half of ske');
  }
  checkPoint(electionKey);
  checkPoint(token);
  const values = plaintexts(contests, args.choices);

  const out: ContestBallot[] = contests.map((spec, k) => {
    const ctx = ballotCtx(sessionId, round, spec.id, vk);
    const selections: Selection[] = [];
    let sumAlpha = IDENTITY;
    let sumBeta = IDENTITY;
    let rSum = scalarFromInt(0);
    let count = 0;
    for (let i = 0; i < spec.options; i++) {
      const v = values[k]![i]!;
      const r = randomScalar(rng);
      const { alpha, beta } = encrypt(v, r, electionKey);
      const proof = proveRange(selectionCtx(ctx, i), electionKey, alpha, beta, v, r, 0, 1, rng);
      selections.push({ alpha, beta, proof });
      sumAlpha = add(sumAlpha, alpha);
      sumBeta = add(sumBeta, beta);
      rSum = scalarAdd(rSum, r);
      count += v;
      sodium().memzero(r);
    }
    const limit = proveRange(selectionCtx(ctx, LIMIT_OPTION), electionKey, sumAlpha, sumBeta, count, rSum,
      spec.min, spec.max, rng);
    sodium().memzero(rSum);
    return { id: spec.id, selections, limit_proof: limit };
  });
  const sig = signDetached(ballotDigest(sessionId, round, vk, out), ske);
  return { round, vk: vk.slice(), token: token.slice(), contests: out, sig };
}

// The failure of a ballot check, with the C++ verify_ballot's catalogue code and field name,
// so that the browser verifier reports exactly what the server and pingyi-verify report.
export type BallotErrorCode = 'invalid_encoding' | 'out_of_range' | 'invalid_point' | 'invalid_proof'
  | 'invalid_signature';
export type BallotCheck = { ok: true } | { ok: false; error: BallotErrorCode; field: string };

function failed(error: BallotErrorCode, field: string): BallotCheck {
  return { ok: false, error, field };
}

// The index of the first selection whose α repeats an earlier one's in the contest (§3.3).
function firstRepeatedAlpha(selections: Selection[]): number | null {
  const seen = new Set<string>();
  for (let i = 0; i < selections.length; i++) {
    const key = toHex(selections[i]!.alpha);
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return null;
}

// Everything that can be checked of a ballot without the token key, in the C++ order so that
// the same field is named: (1) shape and points, (2) every 0/1 proof then the limit proof,
// contest by contest, (3) the signature, which covers everything and guards nothing on its own
// (whoever holds ske signs what they like). The round is not compared with anything: the caller
// compares it with the open round. Points and scalars must already be canonical encodings
// (ballotFromJson checks that); the identity is refused here, with the field named.
export function verifyBallot(sessionId: Bytes, electionKey: Bytes, specs: ContestSpec[], b: Ballot): BallotCheck {
  if (b.contests.length !== specs.length) return failed('invalid_encoding', 'contests');
  for (let k = 0; k < specs.length; k++) {
    const spec = specs[k]!;
    const contest = b.contests[k]!;
    const field = `contests[${k}]`;
    if (contest.id !== spec.id) return failed('invalid_encoding', `${field}.id`);
    if (utf8(contest.id).length > MAX_CONTEST_ID_BYTES) return failed('out_of_range', `${field}.id`);
    const width = limitWidth(spec);
    if (width === 0) return failed('out_of_range', field);
    if (contest.selections.length !== spec.options) return failed('invalid_encoding', `${field}.selections`);
    for (let i = 0; i < contest.selections.length; i++) {
      const sel = contest.selections[i]!;
      if (isIdentity(sel.alpha)) return failed('invalid_point', `${field}.selections[${i}].alpha`);
      if (isIdentity(sel.beta)) return failed('invalid_point', `${field}.selections[${i}].beta`);
      if (sel.proof.c.length !== 2 || sel.proof.s.length !== 2) {
        return failed('invalid_proof', `${field}.selections[${i}].proof`);
      }
    }
    if (contest.limit_proof.c.length !== width || contest.limit_proof.s.length !== width) {
      return failed('invalid_proof', `${field}.limit_proof`);
    }
    const repeated = firstRepeatedAlpha(contest.selections);
    if (repeated !== null) return failed('invalid_point', `${field}.selections[${repeated}].alpha`);
  }

  for (let k = 0; k < specs.length; k++) {
    const spec = specs[k]!;
    const contest = b.contests[k]!;
    const ctx = ballotCtx(sessionId, b.round, contest.id, b.vk);
    let sumAlpha = IDENTITY;
    let sumBeta = IDENTITY;
    for (let i = 0; i < contest.selections.length; i++) {
      const sel = contest.selections[i]!;
      if (!verifyRange(selectionCtx(ctx, i), electionKey, sel.alpha, sel.beta, 0, 1, sel.proof)) {
        return failed('invalid_proof', `contests[${k}].selections[${i}].proof`);
      }
      sumAlpha = add(sumAlpha, sel.alpha);
      sumBeta = add(sumBeta, sel.beta);
    }
    if (!verifyRange(selectionCtx(ctx, LIMIT_OPTION), electionKey, sumAlpha, sumBeta, spec.min, spec.max,
      contest.limit_proof)) {
      return failed('invalid_proof', `contests[${k}].limit_proof`);
    }
  }

  if (!verifyDetached(b.sig, ballotDigest(sessionId, b.round, b.vk, b.contests), b.vk)) {
    return failed('invalid_signature', 'sig');
  }
  return { ok: true };
}

function rangeToJson(p: RangeProof): { c: string[]; s: string[] } {
  return { c: p.c.map(toHex), s: p.s.map(toHex) };
}

// The wire body of POST /api/sessions/{id}/ballots: {round, vk, token, contests, sig}, hex fields.
export function ballotToJson(b: Ballot): object {
  return {
    round: b.round,
    vk: toHex(b.vk),
    token: toHex(b.token),
    contests: b.contests.map((c) => ({
      id: c.id,
      selections: c.selections.map((s) => ({ alpha: toHex(s.alpha), beta: toHex(s.beta), proof: rangeToJson(s.proof) })),
      limit_proof: rangeToJson(c.limit_proof),
    })),
    sig: toHex(b.sig),
  };
}

// --- strict decoding: exact keys, types, lengths and canonical encodings; a CryptoError that
// names the field otherwise.

type JsonObject = Record<string, unknown>;

function fieldError(e: unknown, field: string): never {
  if (e instanceof CryptoError) throw new CryptoError(e.code, `${field}: ${e.message}`);
  throw e;
}

function object(j: unknown, keys: string[], field: string): JsonObject {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) {
    throw new CryptoError('bad_length', `${field}: expected an object`);
  }
  const o = j as JsonObject;
  const have = Object.keys(o);
  for (const k of have) if (!keys.includes(k)) throw new CryptoError('bad_length', `${field}: unexpected key "${k}"`);
  for (const k of keys) if (!(k in o)) throw new CryptoError('bad_length', `${field}: missing "${k}"`);
  return o;
}

function array(j: unknown, field: string): unknown[] {
  if (!Array.isArray(j)) throw new CryptoError('bad_length', `${field}: expected an array`);
  return j;
}

function hexField(j: unknown, length: number, field: string): Bytes {
  if (typeof j !== 'string') throw new CryptoError('bad_hex', `${field}: expected a hex string`);
  try {
    return fromHex(j, length);
  } catch (e) {
    return fieldError(e, field);
  }
}

function pointField(j: unknown, field: string, allowIdentity: boolean): Bytes {
  const p = hexField(j, 32, field);
  try {
    return checkPoint(p, { allowIdentity });
  } catch (e) {
    return fieldError(e, field);
  }
}

function scalarField(j: unknown, field: string): Bytes {
  const s = hexField(j, 32, field);
  try {
    return checkScalar(s);
  } catch (e) {
    return fieldError(e, field);
  }
}

function rangeFromJson(j: unknown, field: string): RangeProof {
  const o = object(j, ['c', 's'], field);
  const c = array(o.c, `${field}.c`).map((x, i) => scalarField(x, `${field}.c[${i}]`));
  const s = array(o.s, `${field}.s`).map((x, i) => scalarField(x, `${field}.s[${i}]`));
  return { c, s };
}

// α and β may decode as the identity here so that verifyBallot can refuse them naming the
// field, as the server does; the token and vk are refused at once.
export function ballotFromJson(j: unknown): Ballot {
  const o = object(j, ['round', 'vk', 'token', 'contests', 'sig'], 'ballot');
  if (typeof o.round !== 'number' || !Number.isInteger(o.round) || o.round < 0 || o.round > 0xffffffff) {
    throw new CryptoError('out_of_range', 'round: expected an integer 0 … 2^32 − 1');
  }
  const vk = hexField(o.vk, 32, 'vk');
  if (!isEd25519PublicKey(vk)) throw new CryptoError('invalid_point', 'vk: not an Ed25519 public key');
  const token = pointField(o.token, 'token', false);
  const contests = array(o.contests, 'contests').map((cj, k): ContestBallot => {
    const field = `contests[${k}]`;
    const c = object(cj, ['id', 'selections', 'limit_proof'], field);
    if (typeof c.id !== 'string') throw new CryptoError('bad_length', `${field}.id: expected a string`);
    const selections = array(c.selections, `${field}.selections`).map((sj, i): Selection => {
      const sf = `${field}.selections[${i}]`;
      const s = object(sj, ['alpha', 'beta', 'proof'], sf);
      return {
        alpha: pointField(s.alpha, `${sf}.alpha`, true),
        beta: pointField(s.beta, `${sf}.beta`, true),
        proof: rangeFromJson(s.proof, `${sf}.proof`),
      };
    });
    return { id: c.id, selections, limit_proof: rangeFromJson(c.limit_proof, `${field}.limit_proof`) };
  });
  const sig = hexField(o.sig, 64, 'sig');
  return { round: o.round, vk, token, contests, sig };
}
