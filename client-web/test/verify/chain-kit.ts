// Making chains for the verifier's tests: editing the vector chain's lines, appending records
// made as the server, a tablet or a trustee would make them (with the vectors' keys and seeds),
// re-linking the prev hashes after an edit and re-signing the heads with the vectors' server key.
// A record is written as the C++ encoder writes it: compact JSON, keys in §3.6 order.
import {
  type Bytes,
  type ContestSpec,
  DeterministicRng,
  ballotToJson,
  basePoint,
  blind,
  blindEvaluate,
  buildBallot,
  fromHex,
  generateProof,
  hashToGroupVoprf,
  headMessage,
  mul,
  randomScalar,
  sha256,
  signDetached,
  signKeyPair,
  toHex,
  tokenInput,
  tokenRequestMessage,
  utf8,
  votedMessage,
} from '../../src/crypto';
import { type BallotVerdict, ChainVerifier, type PreparedLine, prepareLine } from '../../src/verify/chain-verifier';
import { contextKey } from '../../src/verify/ballot-check';
import type { VerifyError } from '../../src/verify/types';
import { vectors } from './vectors';

export type Json = Record<string, unknown>;

export function lineHash(line: string): string {
  return toHex(sha256(utf8(line)));
}

export function parse(line: string): Json {
  return JSON.parse(line) as Json;
}

/** The line with its JSON edited in place (key order kept: JSON.stringify writes keys in the
 *  order they were parsed, compact, as nlohmann does). */
export function edit(line: string, change: (o: Json) => void): string {
  const o = parse(line);
  change(o);
  return JSON.stringify(o);
}

const ENVELOPE = /^\{"seq":\d+,"prev":"[0-9a-f]{64}"/;

export function withEnvelope(line: string, seq: number, prev: string): string {
  if (!ENVELOPE.test(line)) throw new Error('not a chain line');
  return line.replace(ENVELOPE, `{"seq":${seq},"prev":"${prev}"`);
}

/** Every line from `from` on gets its seq from its position and prev from the line before. */
export function relink(lines: string[], from = 1): string[] {
  const out = [...lines];
  for (let i = Math.max(1, from); i < out.length; i++) out[i] = withEnvelope(out[i]!, i, lineHash(out[i - 1]!));
  return out;
}

// An Ed25519 key pair from its 32-byte seed (the vectors give server and device keys so).
export function keyFromSeed(seed: Bytes): { publicKey: Bytes; secretKey: Bytes } {
  return signKeyPair({ bytes: () => seed.slice() });
}

let serverKeyCache: { publicKey: Bytes; secretKey: Bytes } | null = null;
function serverKey(): { publicKey: Bytes; secretKey: Bytes } {
  serverKeyCache ??= keyFromSeed(fromHex(vectors.session.server_key_seed, 32));
  return serverKeyCache;
}

/** Signed heads for every line, by the vectors' server key over the chain's own session id. */
export function signHeads(lines: string[]): string[] {
  const sid = fromHex(lineHash(lines[0]!), 32);
  return lines.map((l, seq) => toHex(signDetached(headMessage(sid, seq, fromHex(lineHash(l), 32)), serverKey().secretKey)));
}

export function signHead(lines: string[], seq: number, hash: string): string {
  const sid = fromHex(lineHash(lines[0]!), 32);
  return toHex(signDetached(headMessage(sid, seq, fromHex(hash, 32)), serverKey().secretKey));
}

/** The next line of `lines`: seq, prev and time (the last record's) in front of the body. */
export function nextLine(lines: string[], type: string, body: Json): string {
  const last = parse(lines[lines.length - 1]!);
  return JSON.stringify({ seq: lines.length, prev: lineHash(lines[lines.length - 1]!), time: last.time, type, ...body });
}

export function append(lines: string[], type: string, body: Json): string[] {
  return [...lines, nextLine(lines, type, body)];
}

/** `lines` with copies of `inserted` put before index `at`, each stamped with the time of the
 *  record before it (a clock never runs backwards), everything re-linked from there on. */
export function insertAt(lines: string[], at: number, ...inserted: string[]): string[] {
  const time = parse(lines[at - 1]!).time;
  const copies = inserted.map((l) => edit(l, (o) => {
    o.time = time;
  }));
  return relink([...lines.slice(0, at), ...copies, ...lines.slice(at)], at);
}

// ---- the parties, with the vectors' keys -----------------------------------------------------

export const sessionId: Bytes = fromHex(vectors.session.session_id, 32);
export const skT: Bytes = fromHex(vectors.session.token_key.sk, 32);
export const pkT: Bytes = fromHex(vectors.session.token_key.pk, 32);
export const electionKey: Bytes = fromHex(vectors.trustees.election_key, 32);

export function device(member: string): { publicKey: Bytes; secretKey: Bytes } {
  const c = vectors.check_ins.find((x) => x.member === member);
  if (c === undefined) throw new Error(`no device for ${member}`);
  return keyFromSeed(fromHex(c.device_seed, 32));
}

/** The ephemeral key (vk, ske) a tablet used for its token in a round of the vectors. */
export function ephemeral(round: number, member: string): { publicKey: Bytes; secretKey: Bytes } {
  const t = vectors.rounds[round - 1]!.tokens.find((x) => x.member === member);
  if (t === undefined) throw new Error(`no token of ${member} in round ${round}`);
  return signKeyPair(new DeterministicRng(fromHex(t.ephemeral_seed, 32)));
}

export function specs(round: number): ContestSpec[] {
  return vectors.rounds[round - 1]!.contests.map((c) => ({ id: c.id, options: c.options, min: c.min, max: c.max }));
}

export function rng(label: string): DeterministicRng {
  return new DeterministicRng(sha256(utf8(`pingyi verifier tests: ${label}`)));
}

/** A token record body: the member's tablet blinds a fresh vk's input and signs the request with
 *  `signer` (default: its device key); the server evaluates with skT. */
export function tokenBody(round: number, member: string, r: DeterministicRng, signer?: Bytes, sid: Bytes = sessionId): Json {
  const eph = signKeyPair(r);
  const { blinded } = blind(tokenInput(sid, round, eph.publicKey), r);
  const requestSig = signDetached(tokenRequestMessage(sid, round, blinded), signer ?? device(member).secretKey);
  const { evaluated, proof } = blindEvaluate(skT, pkT, [blinded], r);
  return {
    round,
    member,
    blinded: toHex(blinded),
    request_sig: toHex(requestSig),
    evaluated: toHex(evaluated[0]!),
    proof: { c: toHex(proof.c), s: toHex(proof.s) },
  };
}

/** A ballot record body as the server would append it: N = skT·T for the ballot's vk (a token
 *  the server minted, or one a tablet unblinded: the same value) and the server's proof
 *  GenerateProof(skT, G, pkT, [T], [N]) (`proofKey` replaces skT for a proof by another key). */
export function ballotBody(round: number, choices: number[][], r: DeterministicRng,
  opts?: { eph?: { publicKey: Bytes; secretKey: Bytes }; proofKey?: Bytes; proofRound?: number }): Json {
  const eph = opts?.eph ?? signKeyPair(r);
  const T = hashToGroupVoprf(tokenInput(sessionId, opts?.proofRound ?? round, eph.publicKey));
  const key = opts?.proofKey ?? skT;
  const N = mul(key, T);
  const proof = generateProof(key, basePoint(), mul(key, basePoint()), [T], [N], randomScalar(r));
  const b = buildBallot({ sessionId, round, electionKey, contests: specs(round), choices, vk: eph.publicKey, ske: eph.secretKey, token: N, rng: r });
  const wire = ballotToJson(b) as { contests: unknown };
  return {
    round,
    vk: toHex(b.vk),
    token: toHex(b.token),
    token_proof: { c: toHex(proof.c), s: toHex(proof.s) },
    contests: wire.contests,
    sig: toHex(b.sig),
  };
}

export function votedSig(round: number, signer: Bytes): string {
  return toHex(signDetached(votedMessage(sessionId, round), signer));
}

// ---- verifying -------------------------------------------------------------------------------

// The vector chain's lines prepared once, and its ballots' verdicts: a test that leaves a ballot
// line as it was does not pay for its proofs again (the verdict names its context, so it is
// used only where the chain before it is the same — as the fold worker uses a proof worker's).
const prepared = new Map<string, PreparedLine>();
const verdicts = new Map<string, BallotVerdict>();

export function primeCache(): void {
  const v = new ChainVerifier();
  for (const e of vectors.chain) {
    const p = prepareLine(e.line);
    prepared.set(e.line, p);
    if (p.record?.type === 'ballot') {
      const ctx = v.ballotContext(p.record.body.round)!;
      verdicts.set(e.line, { context: contextKey(p.record.body.round, ctx), error: null });
    }
    const r = v.pushPrepared(p, e.head_sig);
    if (!r.ok) throw new Error(`the vector chain does not verify at ${r.seq}`);
  }
}

/** push(), with the vector chain's lines and ballot verdicts taken from the cache. */
export function pushCached(v: ChainVerifier, line: string, head?: string): boolean {
  return v.pushPrepared(prepared.get(line) ?? prepareLine(line), head, verdicts.get(line)).ok;
}

/** Verifies lines (with heads when given) to the first failure; the verifier and its failure. */
export function verify(lines: string[], heads?: string[]): { verifier: ChainVerifier; failure: VerifyError | null } {
  const v = new ChainVerifier();
  for (let i = 0; i < lines.length; i++) {
    if (!pushCached(v, lines[i]!, heads?.[i])) break;
  }
  return { verifier: v, failure: v.failure };
}
