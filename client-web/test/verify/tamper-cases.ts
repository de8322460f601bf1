// The tamper catalogue as data (mirroring tests/unit/verify/chain_check_test.cpp and the rule
// tables of tests/unit/core/session_state_test.cpp): chains made from the vector chain, each with
// one defect, and where the fold must stop — seq, the C++ fold's code and field. A defect in the
// middle of the chain comes with every later record re-linked (prev), so that nothing but the
// defect can be what stops a verifier; tamper.test.ts checks the browser verifier against every
// case, cpp-agreement.test.ts checks pingyi-verify (C++) against the same chains.
import { add, basePoint, checkinMessage, fromHex, signDetached, signKeyPair, toHex } from '../../src/crypto';
import {
  type Json,
  append,
  ballotBody,
  device,
  edit,
  ephemeral,
  insertAt,
  parse,
  relink,
  rng,
  sessionId,
  tokenBody,
  votedSig,
} from './chain-kit';
import { vectorLines, vectors } from './vectors';

const L = vectorLines();

// ---- editing helpers ---------------------------------------------------------------------------

function at(o: unknown, path: string): unknown {
  let cur = o;
  if (path === '') return cur;
  for (const k of path.split('.')) cur = (cur as Record<string, unknown>)[k];
  return cur;
}

function put(o: unknown, path: string, v: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  (at(o, keys.join('.')) as Record<string, unknown>)[last] = v;
}

/** A hex value with its first digit changed (for a scalar: its lowest byte, so still < ℓ). */
function flip(hex: unknown): string {
  const h = hex as string;
  return (h[0] === '0' ? '1' : '0') + h.slice(1);
}

function plusG(hex: unknown): string {
  return toHex(add(fromHex(hex as string, 32), basePoint()));
}

/** The vector chain with line i edited, every later line re-linked. */
function edited(i: number, change: (o: Json) => void): string[] {
  const lines = [...L];
  lines[i] = edit(L[i]!, change);
  return relink(lines, i + 1);
}

/** The vector chain with records made in front of line `at`, everything after re-linked. */
function inserting(at: number, ...records: [string, Json][]): string[] {
  let lines = L.slice(0, at);
  for (const [type, body] of records) lines = append(lines, type, body);
  return relink([...lines, ...L.slice(at)], at + records.length);
}

function change(path: string, f: (old: unknown) => unknown): (o: Json) => void {
  return (o) => {
    const keys = path.split('.');
    const last = keys.pop()!;
    const parent = at(o, keys.join('.')) as Record<string, unknown>;
    parent[last] = f(parent[last]);
  };
}

function line(seq: number): Json {
  return parse(L[seq]!);
}

// ---- the catalogue -----------------------------------------------------------------------------

export interface Case {
  name: string;
  lines: () => string[];
  seq: number;
  code: string;
  field: string;
}

export const catalogue: Case[] = [
  // genesis
  { name: 'genesis quorum above one', lines: () => edited(0, (o) => put(o, 'quorum', { num: 3, den: 2 })), seq: 0, code: 'BAD_REQUEST', field: 'quorum' },
  { name: 'genesis member id twice', lines: () => edited(0, change('members.1.id', () => 'm01')), seq: 0, code: 'BAD_REQUEST', field: 'members[1].id' },
  { name: 'genesis member id "server"', lines: () => edited(0, change('members.3.id', () => 'server')), seq: 0, code: 'BAD_REQUEST', field: 'members[3].id' },
  { name: 'genesis scrutineer not on the roster', lines: () => edited(0, change('scrutineers.1', () => 'm09')), seq: 0, code: 'BAD_REQUEST', field: 'scrutineers[1]' },
  // A seat changed: genesis is still valid, but the session id is another, so every proof and
  // signature bound to it fails, the first trustee's proof first.
  { name: 'genesis seat changed (another session id)', lines: () => edited(0, change('members.4.seat', () => '6')), seq: 1, code: 'INVALID_PROOF', field: 'proof' },
  // trustee, election_key
  { name: 'trustee proof altered', lines: () => edited(1, change('proof.s', flip)), seq: 1, code: 'INVALID_PROOF', field: 'proof' },
  { name: 'trustee under another name', lines: () => edited(2, change('name', () => '王芳')), seq: 2, code: 'BAD_REQUEST', field: 'name' },
  { name: 'trustee with another trustee’s key', lines: () => edited(2, change('key', () => line(3).key)), seq: 2, code: 'INVALID_PROOF', field: 'proof' },
  { name: 'trustee who is no scrutineer', lines: () => edited(2, change('id', () => 'm03')), seq: 2, code: 'FORBIDDEN', field: 'id' },
  { name: 'trustee twice', lines: () => insertAt(L, 4, L[3]!), seq: 4, code: 'FORBIDDEN', field: 'id' },
  { name: 'election key not the sum', lines: () => edited(4, change('key', () => line(1).key)), seq: 4, code: 'BAD_REQUEST', field: 'key' },
  { name: 'election key missing a trustee', lines: () => edited(4, change('trustees', () => ['server', 'm01'])), seq: 4, code: 'BAD_REQUEST', field: 'trustees' },
  { name: 'election key naming a non-trustee', lines: () => edited(4, change('trustees', () => ['server', 'm01', 'm03'])), seq: 4, code: 'NOT_FOUND', field: 'trustees[2]' },
  { name: 'election key sealed before a scrutineer’s key', lines: () => inserting(3, ['election_key', { trustees: ['server', 'm01'], key: line(4).key }]), seq: 3, code: 'FORBIDDEN', field: 'trustees' },
  // round
  { name: 'round number skipped', lines: () => edited(5, change('round', () => 2)), seq: 5, code: 'BAD_REQUEST', field: 'round' },
  { name: 'evaluation targets on different scales', lines: () => edited(5, change('contests.1.options', () => ['优秀', '称职', '不称职'])), seq: 5, code: 'BAD_REQUEST', field: 'contests[1].options' },
  { name: 'selection rule above one', lines: () => edited(6, change('rule', () => ({ num: 3, den: 2, inclusive: false }))), seq: 6, code: 'BAD_REQUEST', field: 'rule.num' },
  { name: 'rule of another kind', lines: () => edited(6, change('rule', () => ({ pass_grades: 2, weights: null }))), seq: 6, code: 'BAD_REQUEST', field: 'rule.pass_grades' },
  { name: 'contest id twice in a round', lines: () => edited(5, change('contests.1.id', () => 'd1')), seq: 5, code: 'BAD_REQUEST', field: 'contests[1].id' },
  // check_in, check_out
  { name: 'check-in signature altered', lines: () => edited(7, change('sig', flip)), seq: 7, code: 'INVALID_SIGNATURE', field: 'sig' },
  { name: 'check-in of someone not on the roster', lines: () => edited(9, change('member', () => 'm09')), seq: 9, code: 'NOT_FOUND', field: 'member' },
  { name: 'check-in repeated with the same key', lines: () => insertAt(L, 12, L[11]!), seq: 12, code: 'BAD_REQUEST', field: 'member' },
  {
    name: 'check-in signed for another member',
    lines: () => {
      const k = signKeyPair(rng('another member'));
      const sig = toHex(signDetached(checkinMessage(sessionId, 'm04', k.publicKey), k.secretKey));
      return inserting(12, ['check_in', { member: 'm05', device_key: toHex(k.publicKey), sig }]);
    },
    seq: 12, code: 'INVALID_SIGNATURE', field: 'sig',
  },
  { name: 'check-out of someone never checked in', lines: () => inserting(8, ['check_out', { member: 'm05' }]), seq: 8, code: 'FORBIDDEN', field: 'member' },
  // round_opened
  { name: 'round opened with a wrong present count', lines: () => edited(12, change('present', () => 4)), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'round opened without quorum (2 of 5)', lines: () => append(L.slice(0, 9), 'round_opened', { round: 1, present: 2 }), seq: 9, code: 'QUORUM_NOT_MET', field: 'present' },
  { name: 'round opened before the election key', lines: () => append(relink([...L.slice(0, 4), ...L.slice(5, 12)], 4), 'round_opened', { round: 1, present: 5 }), seq: 11, code: 'FORBIDDEN', field: 'round' },
  { name: 'round opened while another is open', lines: () => inserting(17, ['round_opened', { round: 2, present: 5 }]), seq: 17, code: 'FORBIDDEN', field: 'round' },
  { name: 'round reopened after close', lines: () => edited(26, change('round', () => 1)), seq: 26, code: 'FORBIDDEN', field: 'round' },
  // token
  { name: 'token request signature altered', lines: () => edited(13, change('request_sig', flip)), seq: 13, code: 'INVALID_SIGNATURE', field: 'request_sig' },
  { name: 'token evaluation of another request', lines: () => edited(13, (o) => { o.evaluated = line(14).evaluated; o.proof = line(14).proof; }), seq: 13, code: 'INVALID_PROOF', field: 'proof' },
  { name: 'token proof altered', lines: () => edited(13, change('proof.c', flip)), seq: 13, code: 'INVALID_PROOF', field: 'proof' },
  { name: 'token for an absent member', lines: () => inserting(17, ['check_out', { member: 'm05' }], ['token', tokenBody(1, 'm05', rng('absent'))]), seq: 18, code: 'FORBIDDEN', field: 'member' },
  { name: 'two tokens for one member', lines: () => inserting(17, ['token', tokenBody(1, 'm01', rng('second token'))]), seq: 17, code: 'ALREADY_ISSUED', field: 'member' },
  { name: 'token before the round opens', lines: () => inserting(12, ['token', tokenBody(1, 'm01', rng('early token'))]), seq: 12, code: 'ROUND_NOT_OPEN', field: 'round' },
  { name: 'token for a round not open', lines: () => inserting(17, ['token', tokenBody(2, 'm05', rng('round 2 token'))]), seq: 17, code: 'ROUND_NOT_OPEN', field: 'round' },
  { name: 'token for a round not defined', lines: () => inserting(17, ['token', tokenBody(3, 'm05', rng('round 3 token'))]), seq: 17, code: 'NOT_FOUND', field: 'round' },
  { name: 'token for someone not on the roster', lines: () => inserting(17, ['token', tokenBody(1, 'm09', rng('m09'), device('m05').secretKey)]), seq: 17, code: 'NOT_FOUND', field: 'member' },
  // ballot
  { name: 'ballot signature altered', lines: () => edited(17, change('sig', flip)), seq: 17, code: 'INVALID_SIGNATURE', field: 'sig' },
  { name: 'ballot token proof altered', lines: () => edited(17, change('token_proof.s', flip)), seq: 17, code: 'INVALID_TOKEN', field: 'token_proof' },
  { name: 'ballot 0/1 proof altered', lines: () => edited(17, change('contests.0.selections.1.proof.s.0', flip)), seq: 17, code: 'INVALID_PROOF', field: 'contests[0].selections[1].proof' },
  { name: 'ballot limit proof altered', lines: () => edited(17, change('contests.1.limit_proof.c.0', flip)), seq: 17, code: 'INVALID_PROOF', field: 'contests[1].limit_proof' },
  { name: 'ballot 0 turned into 1 (β + G)', lines: () => edited(18, change('contests.1.selections.2.beta', plusG)), seq: 18, code: 'INVALID_PROOF', field: 'contests[1].selections[2].proof' },
  { name: 'ballot contest missing', lines: () => edited(17, change('contests', (c) => (c as unknown[]).slice(0, 1))), seq: 17, code: 'BAD_REQUEST', field: 'contests' },
  { name: 'ballot contests swapped', lines: () => edited(17, change('contests', (c) => [...(c as unknown[])].reverse())), seq: 17, code: 'BAD_REQUEST', field: 'contests[0].id' },
  { name: 'ballot selection missing', lines: () => edited(17, change('contests.1.selections', (s) => (s as unknown[]).slice(1))), seq: 17, code: 'BAD_REQUEST', field: 'contests[1].selections' },
  { name: 'ballot vk spent by an earlier ballot', lines: () => edited(18, change('vk', () => line(17).vk)), seq: 18, code: 'TOKEN_SPENT', field: 'vk' },
  { name: 'ballot cast again, identical', lines: () => insertAt(L, 20, L[17]!), seq: 20, code: 'TOKEN_SPENT', field: 'vk' },
  { name: 'another ballot with a spent vk', lines: () => inserting(20, ['ballot', ballotBody(1, [[2], [2]], rng('spent vk'), { eph: ephemeral(1, 'm01') })]), seq: 20, code: 'TOKEN_SPENT', field: 'vk' },
  { name: 'ballot with a vk spent in an earlier round', lines: () => inserting(30, ['ballot', ballotBody(2, [[0]], rng('vk of round 1'), { eph: ephemeral(1, 'm01') })]), seq: 30, code: 'TOKEN_SPENT', field: 'vk' },
  // Four tokens, three ballots: a fourth ballot (a token the server minted) still fits, a
  // fifth does not — ballots ≤ tokens is what bounds what the token key's holder can add.
  { name: 'more ballots than tokens (minted tokens)', lines: () => inserting(20, ['ballot', ballotBody(1, [[0], [0]], rng('minted 1'))], ['ballot', ballotBody(1, [[0], [0]], rng('minted 2'))]), seq: 21, code: 'INVALID_TOKEN', field: 'token' },
  { name: 'ballot token evaluated by another key', lines: () => inserting(20, ['ballot', ballotBody(1, [[1], [1]], rng('other key'), { proofKey: fromHex(vectors.trustees.server_x, 32) })]), seq: 20, code: 'INVALID_TOKEN', field: 'token_proof' },
  { name: 'ballot with a token of another round', lines: () => inserting(20, ['ballot', ballotBody(1, [[1], [1]], rng('round 2 token'), { proofRound: 2 })]), seq: 20, code: 'INVALID_TOKEN', field: 'token_proof' },
  { name: 'ballot after the round closed', lines: () => inserting(21, ['ballot', ballotBody(1, [[0], [1]], rng('late'))]), seq: 21, code: 'ROUND_NOT_OPEN', field: 'round' },
  {
    name: 'ballot replaying an earlier α',
    lines: () => inserting(20, ['ballot', withSelection(ballotBody(1, [[0], [1]], rng('replay 1')), 0, 0, line(17))]),
    seq: 20, code: 'DUPLICATE_CIPHERTEXT', field: 'contests[0].selections[0].alpha',
  },
  {
    name: 'ballot replaying an earlier α in the second contest',
    lines: () => inserting(20, ['ballot', withSelection(ballotBody(1, [[0], [1]], rng('replay 2')), 1, 2, line(18))]),
    seq: 20, code: 'DUPLICATE_CIPHERTEXT', field: 'contests[1].selections[2].alpha',
  },
  { name: 'ballot repeating an α within itself', lines: () => edited(17, (o) => put(o, 'contests.0.selections.2', at(o, 'contests.0.selections.0'))), seq: 17, code: 'DUPLICATE_CIPHERTEXT', field: 'contests[0].selections[2].alpha' },
  // round_closed
  { name: 'close with a wrong present count', lines: () => edited(20, change('present', () => 4)), seq: 20, code: 'BAD_REQUEST', field: 'present' },
  { name: 'close with a wrong token count', lines: () => edited(20, change('tokens', () => 3)), seq: 20, code: 'BAD_REQUEST', field: 'tokens' },
  { name: 'close with a wrong ballot count', lines: () => edited(20, change('ballots', () => 2)), seq: 20, code: 'BAD_REQUEST', field: 'ballots' },
  { name: 'declarations unsorted', lines: () => edited(20, change('voted', (v) => { const a = [...(v as unknown[])]; [a[0], a[1]] = [a[1], a[0]]; return a; })), seq: 20, code: 'BAD_REQUEST', field: 'voted[1].member' },
  { name: 'declaration repeated', lines: () => edited(20, change('voted', (v) => { const a = v as unknown[]; return [a[0], a[0], ...a.slice(1)]; })), seq: 20, code: 'BAD_REQUEST', field: 'voted[1].member' },
  { name: 'declaration by a member without a token', lines: () => edited(20, change('voted', (v) => [...(v as unknown[]), { member: 'm05', sig: votedSig(1, device('m05').secretKey) }])), seq: 20, code: 'FORBIDDEN', field: 'voted[3].member' },
  { name: 'declaration by someone not on the roster', lines: () => edited(20, change('voted', (v) => [...(v as unknown[]), { member: 'm09', sig: votedSig(1, device('m05').secretKey) }])), seq: 20, code: 'NOT_FOUND', field: 'voted[3].member' },
  { name: 'declaration signature altered', lines: () => edited(20, change('voted.0.sig', flip)), seq: 20, code: 'INVALID_SIGNATURE', field: 'voted[0].sig' },
  { name: 'declaration signature of another member', lines: () => edited(20, (o) => put(o, 'voted.1.sig', at(o, 'voted.0.sig'))), seq: 20, code: 'INVALID_SIGNATURE', field: 'voted[1].sig' },
  { name: 'declaration signed for another round', lines: () => edited(20, change('voted.2.sig', () => votedSig(2, device('m03').secretKey))), seq: 20, code: 'INVALID_SIGNATURE', field: 'voted[2].sig' },
  { name: 'a wrong sum (one more 不满意)', lines: () => edited(20, change('sums.0.options.2.beta', plusG)), seq: 20, code: 'BAD_REQUEST', field: 'sums[0].options[2]' },
  { name: 'sums missing a contest', lines: () => edited(20, change('sums', (s) => (s as unknown[]).slice(0, 1))), seq: 20, code: 'BAD_REQUEST', field: 'sums' },
  { name: 'sums of another contest', lines: () => edited(20, change('sums.1.id', () => 'd9')), seq: 20, code: 'BAD_REQUEST', field: 'sums[1].id' },
  { name: 'close of a round not open', lines: () => insertAt(L, 21, L[20]!), seq: 21, code: 'ROUND_NOT_OPEN', field: 'round' },
  // decryption
  { name: 'decryption proof altered', lines: () => edited(21, change('shares.0.options.1.proof.s', flip)), seq: 21, code: 'INVALID_PROOF', field: 'shares[0].options[1].proof' },
  { name: 'decryption share altered', lines: () => edited(22, change('shares.1.options.2.share', plusG)), seq: 22, code: 'INVALID_PROOF', field: 'shares[1].options[2].proof' },
  { name: 'decryption by a non-trustee', lines: () => edited(21, change('trustee', () => 'm03')), seq: 21, code: 'NOT_FOUND', field: 'trustee' },
  { name: 'decryption under another trustee’s name', lines: () => edited(21, change('trustee', () => 'm01')), seq: 21, code: 'INVALID_PROOF', field: 'shares[0].options[0].proof' },
  { name: 'decryption twice by one trustee', lines: () => insertAt(L, 22, L[21]!), seq: 22, code: 'FORBIDDEN', field: 'trustee' },
  { name: 'decryption before close', lines: () => insertAt(L, 20, L[21]!), seq: 20, code: 'FORBIDDEN', field: 'round' },
  // The shares' proofs are bound to round_closed's hash: a close that differs in one byte (a
  // later time) makes every share useless on this chain.
  { name: 'decryption bound to another round_closed', lines: () => edited(20, change('time', () => '2026-11-23T09:00:30.001Z')), seq: 21, code: 'INVALID_PROOF', field: 'shares[0].options[0].proof' },
  // result
  { name: 'result before every trustee decrypted', lines: () => relink([...L.slice(0, 23), ...L.slice(24)], 23), seq: 23, code: 'FORBIDDEN', field: 'round' },
  { name: 'result with a wrong count', lines: () => edited(24, change('contests.0.counts', () => [1, 2, 0])), seq: 24, code: 'BAD_REQUEST', field: 'contests[0]' },
  { name: 'result with a wrong grade', lines: () => edited(24, change('contests.1.grade', () => 0)), seq: 24, code: 'BAD_REQUEST', field: 'contests[1]' },
  { name: 'result with a wrong rate', lines: () => edited(24, change('contests.1.rate_bp', () => 6667)), seq: 24, code: 'BAD_REQUEST', field: 'contests[1]' },
  { name: 'result with a wrong rank', lines: () => edited(24, change('contests.1.rank', () => 1)), seq: 24, code: 'BAD_REQUEST', field: 'contests[1]' },
  { name: 'result with a wrong undeclared', lines: () => edited(24, change('undeclared', () => 1)), seq: 24, code: 'BAD_REQUEST', field: 'undeclared' },
  { name: 'result with a wrong ballot count', lines: () => edited(24, change('ballots', () => 4)), seq: 24, code: 'BAD_REQUEST', field: 'ballots' },
  { name: 'result with a wrong present count', lines: () => edited(24, change('present', () => 4)), seq: 24, code: 'BAD_REQUEST', field: 'present' },
  { name: 'result missing a contest', lines: () => edited(24, change('contests', (c) => (c as unknown[]).slice(0, 1))), seq: 24, code: 'BAD_REQUEST', field: 'contests' },
  { name: 'selection result with a wrong selection', lines: () => edited(37, change('contests.0.selected', () => [1, 0])), seq: 37, code: 'BAD_REQUEST', field: 'contests[0]' },
  { name: 'result in a motion’s shape', lines: () => edited(37, change('contests.0', () => ({ id: 's1', counts: [1, 3, 1, 0], passed: true }))), seq: 37, code: 'BAD_REQUEST', field: 'contests[0]' },
  { name: 'result twice', lines: () => insertAt(L, 25, L[24]!), seq: 25, code: 'FORBIDDEN', field: 'round' },
  // revealed, adjourned, envelope
  { name: 'reveal of a round without result', lines: () => edited(25, change('round', () => 2)), seq: 25, code: 'FORBIDDEN', field: 'round' },
  { name: 'reveal twice', lines: () => insertAt(L, 26, L[25]!), seq: 26, code: 'FORBIDDEN', field: 'round' },
  { name: 'adjourned while a round is open', lines: () => inserting(17, ['adjourned', {}]), seq: 17, code: 'FORBIDDEN', field: 'type' },
  { name: 'a record after adjourned', lines: () => append(L, 'check_out', { member: 'm01' }), seq: 40, code: 'FORBIDDEN', field: 'type' },
  { name: 'time running backwards', lines: () => edited(8, change('time', () => '2026-11-23T08:59:59.999Z')), seq: 8, code: 'BAD_REQUEST', field: 'time' },
  { name: 'genesis again', lines: () => relink([L[0]!, L[0]!, ...L.slice(1)], 1), seq: 1, code: 'BAD_REQUEST', field: 'type' },
  { name: 'record 0 not genesis', lines: () => [L[1]!.replace(/^\{"seq":1,"prev":"[0-9a-f]{64}"/, `{"seq":0,"prev":"${'0'.repeat(64)}"`)], seq: 0, code: 'BAD_REQUEST', field: 'type' },
  { name: 'prev not the last hash', lines: () => [...L.slice(0, 9), L[9]!.replace(/"prev":"./, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'))], seq: 9, code: 'BROKEN_LINK', field: 'prev' },
];

function withSelection(body: Json, contest: number, option: number, from: Json): Json {
  put(body, `contests.${contest}.selections.${option}`, at(from, `contests.${contest}.selections.${option}`));
  return body;
}


/** The vector chain with line i's text replaced, every later line re-linked. */
function rewritten(i: number, f: (line: string) => string): string[] {
  const lines = [...L];
  lines[i] = f(L[i]!);
  if (lines[i] === L[i]) throw new Error(`case did not change line ${i}`);
  return relink(lines, i + 1);
}

function swapText(s: string, from: string, to: string): string {
  if (!s.includes(from)) throw new Error(`"${from}" is not in the line`);
  return s.replace(from, to);
}

/** Defects of the line itself, refused while it is read (record.cpp decode), whatever the
 *  state. */
export type DecodeCase = Case;

const alpha17 = (parse(L[17]!) as { contests: { selections: { alpha: string }[] }[] }).contests[0]!.selections[0]!.alpha;

export const decodeCases: DecodeCase[] = [
  { name: 'upper-case hex', lines: () => rewritten(17, (l) => swapText(l, alpha17, alpha17.toUpperCase())), seq: 17, code: 'BAD_REQUEST', field: 'contests[0].selections[0].alpha' },
  { name: 'a point that is not canonical', lines: () => rewritten(17, (l) => swapText(l, alpha17, vectors.invalid.points[0]!.hex)), seq: 17, code: 'INVALID_POINT', field: 'contests[0].selections[0].alpha' },
  { name: 'an identity α', lines: () => rewritten(17, (l) => swapText(l, alpha17, '0'.repeat(64))), seq: 17, code: 'INVALID_POINT', field: 'contests[0].selections[0].alpha' },
  { name: 'an identity token', lines: () => rewritten(17, (l) => swapText(l, `"token":"${String(parse(l).token)}"`, `"token":"${'0'.repeat(64)}"`)), seq: 17, code: 'INVALID_POINT', field: 'token' },
  { name: 'a vk that is no Ed25519 key', lines: () => rewritten(17, (l) => swapText(l, `"vk":"${String(parse(l).vk)}"`, `"vk":"${'0'.repeat(64)}"`)), seq: 17, code: 'INVALID_POINT', field: 'vk' },
  { name: 'a scalar not below ℓ', lines: () => rewritten(17, (l) => swapText(l, `"token_proof":{"c":"${String((parse(l).token_proof as Json).c)}"`, `"token_proof":{"c":"${vectors.invalid.scalars[0]!.hex}"`)), seq: 17, code: 'BAD_REQUEST', field: 'token_proof.c' },
  { name: 'a signature too short', lines: () => rewritten(7, (l) => l.replace(/"sig":"([0-9a-f]{128})"/, (_m, h: string) => `"sig":"${h.slice(2)}"`)), seq: 7, code: 'BAD_REQUEST', field: 'sig' },
  { name: 'a key twice in one object', lines: () => rewritten(12, (l) => swapText(l, '"round":1,', '"round":1,"round":1,')), seq: 12, code: 'BAD_REQUEST', field: 'round' },
  { name: 'a fraction', lines: () => rewritten(12, (l) => swapText(l, '"present":5', '"present":5.0')), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'an exponent', lines: () => rewritten(12, (l) => swapText(l, '"present":5', '"present":5e0')), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'a negative number', lines: () => rewritten(12, (l) => swapText(l, '"round":1', '"round":-1')), seq: 12, code: 'BAD_REQUEST', field: 'round' },
  { name: 'a number beyond 64 bits', lines: () => rewritten(12, (l) => swapText(l, '"present":5', '"present":18446744073709551616')), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'a number above 32 bits', lines: () => rewritten(12, (l) => swapText(l, '"present":5', '"present":4294967296')), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'a string for a number', lines: () => rewritten(12, (l) => swapText(l, '"present":5', '"present":"5"')), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'a field beyond the record type’s', lines: () => rewritten(12, (l) => swapText(l, '"present":5}', '"present":5,"extra":1}')), seq: 12, code: 'BAD_REQUEST', field: 'extra' },
  { name: 'a field missing', lines: () => rewritten(12, (l) => swapText(l, ',"present":5', '')), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'a nested field missing', lines: () => rewritten(13, (l) => l.replace(/,"s":"[0-9a-f]{64}"\}\}$/, '}}')), seq: 13, code: 'BAD_REQUEST', field: 'proof.s' },
  { name: 'the envelope out of order', lines: () => rewritten(12, (l) => l.replace(/^\{"seq":12,("prev":"[0-9a-f]{64}"),/, '{$1,"seq":12,')), seq: 12, code: 'BAD_REQUEST', field: 'seq' },
  { name: 'an unknown record type', lines: () => rewritten(12, (l) => swapText(l, '"type":"round_opened"', '"type":"vote"')), seq: 12, code: 'BAD_REQUEST', field: 'type' },
  { name: 'a type that is not a string', lines: () => rewritten(12, (l) => swapText(l, '"type":"round_opened"', '"type":7')), seq: 12, code: 'BAD_REQUEST', field: 'type' },
  { name: 'not JSON', lines: () => rewritten(12, (l) => l.slice(0, -1)), seq: 12, code: 'BAD_JSON', field: '' },
  { name: 'not an object', lines: () => rewritten(12, () => '[12]'), seq: 12, code: 'BAD_REQUEST', field: '' },
  { name: 'nested too deeply', lines: () => rewritten(12, (l) => swapText(l, '"present":5', '"present":[[[[[[[[5]]]]]]]]')), seq: 12, code: 'BAD_REQUEST', field: '' },
  { name: 'a lone surrogate escape', lines: () => rewritten(5, (l) => swapText(l, '"title":"对政府', '"title":"\\ud800对政府')), seq: 5, code: 'BAD_JSON', field: '' },
  { name: 'an id longer than 64 bytes', lines: () => rewritten(7, (l) => swapText(l, '"member":"m01"', `"member":"${'委'.repeat(22)}"`)), seq: 7, code: 'BAD_REQUEST', field: 'member' },
  { name: 'a title longer than 1024 bytes', lines: () => rewritten(6, (l) => swapText(l, '"title":"推选', `"title":"${'推'.repeat(342)}`)), seq: 6, code: 'BAD_REQUEST', field: 'title' },
  { name: 'a time without milliseconds', lines: () => rewritten(12, (l) => swapText(l, '"time":"2026-11-23T09:00:18.000Z"', '"time":"2026-11-23T09:00:18Z"')), seq: 12, code: 'BAD_REQUEST', field: 'time' },
  { name: 'a time that is no date', lines: () => rewritten(39, (l) => l.replace(/"time":"2026-11-23/, '"time":"2026-02-30')), seq: 39, code: 'BAD_REQUEST', field: 'time' },
  { name: 'a seq beyond 2^53', lines: () => [...L.slice(0, 12), L[12]!.replace('{"seq":12,', '{"seq":9007199254740992,')], seq: 12, code: 'BAD_REQUEST', field: 'seq' },
  { name: 'a line above 16 MiB', lines: () => rewritten(12, (l) => swapText(l, '"present":5', `"present":${' '.repeat(16 * 1024 * 1024)}5`)), seq: 12, code: 'PAYLOAD_TOO_LARGE', field: '' },
  // Stricter than the C++ decoder: a line is written once, keys in one order.
  { name: 'body keys out of order', lines: () => rewritten(12, (l) => swapText(l, '"round":1,"present":5', '"present":5,"round":1')), seq: 12, code: 'BAD_REQUEST', field: 'present' },
  { name: 'nested keys out of order', lines: () => rewritten(13, (l) => l.replace(/"proof":\{"c":("[0-9a-f]{64}"),"s":("[0-9a-f]{64}")\}/, '"proof":{"s":$2,"c":$1}')), seq: 13, code: 'BAD_REQUEST', field: 'proof.s' },
  { name: 'rule keys out of order', lines: () => rewritten(6, (l) => swapText(l, '"rule":{"num":1,"den":2,', '"rule":{"den":2,"num":1,')), seq: 6, code: 'BAD_REQUEST', field: 'rule.num' },
];

/** tests/vectors' invalid ballots (each a cast of round 1 with one defect), put on the chain in
 *  place of the ballot they were made from (seq 17, with its token proof). The vectors name the
 *  crypto library's error; on the chain the fold's own checks come first for some of them
 *  (a repeated α, the shape, the round), as the C++ apply's do. */
const onChain: Record<string, { code: string; field?: string }> = {
  'alpha repeated within a contest': { code: 'DUPLICATE_CIPHERTEXT' },
  'identity alpha': { code: 'INVALID_POINT' },
  'contest id changed': { code: 'BAD_REQUEST' },
  'a selection missing': { code: 'BAD_REQUEST' },
  'a contest missing': { code: 'BAD_REQUEST' },
  'cast for another round': { code: 'ROUND_NOT_OPEN', field: 'round' },
  // An empty list is refused by the decoder, before the proof's length is compared.
  'proof list too short': { code: 'BAD_REQUEST', field: 'contests[0].limit_proof.c' },
};

const catalogueCode: Record<string, string> = {
  invalid_signature: 'INVALID_SIGNATURE',
  invalid_proof: 'INVALID_PROOF',
};

export function invalidBallotCases(): Case[] {
  return vectors.invalid.ballots.map((b) => {
    const mapped = onChain[b.defect] ?? { code: catalogueCode[b.error] ?? `unmapped ${b.error}` };
    return {
      name: `vectors' invalid ballot: ${b.defect}`,
      lines: () => {
        const original = parse(L[17]!);
        const cast = b.cast as Json;
        const record = { seq: 17, prev: original.prev, time: original.time, type: 'ballot', round: cast.round, vk: cast.vk, token: cast.token, token_proof: original.token_proof, contests: cast.contests, sig: cast.sig };
        const lines = [...L];
        lines[17] = JSON.stringify(record);
        return relink(lines, 18);
      },
      seq: 17,
      code: mapped.code,
      field: mapped.field ?? b.field,
    };
  });
}
