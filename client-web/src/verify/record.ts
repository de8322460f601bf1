// The chain record (DESIGN.md §3.6) read from its one line, field by field, as
// server/core/src/record.cpp decode reads it: the same checks in the same order, so that a bad
// line is refused with the same code and field by both verifiers. Duplicate, unknown or missing
// keys, wrong types, non-integers, negative or out-of-range numbers, ids outside 1 … 64 bytes,
// lists above their bounds, upper-case or malformed hex are BAD_REQUEST; a point that is not
// canonical, or the identity where §3 forbids it, or a bad Ed25519 key is INVALID_POINT; a line
// above 16 MiB is PAYLOAD_TOO_LARGE; text that is not JSON is BAD_JSON.
//
// Keys must also be in the order the encoder writes them (docs/RECORDS.md: "keys in exactly that
// order"), at every level, as record.cpp checks: a line is written once and never re-serialised,
// so a reordered line is not one the server wrote.
import { type Bytes, checkPoint, checkScalar, fromHex, isEd25519PublicKey, isIdentity } from '../crypto';
import { Refusal, badRequest, indexed, member as pathOf } from './refusal';
import { type ContestShape, type Rule, parseRule } from './rules';
import { JsonNumber, JsonObject, type JsonValue, parseStrictJson } from './strict-json';
import type { ResultContest, RoundKind } from './types';

// record.hpp bounds, so that hostile input cannot demand unbounded memory or work.
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
export const MAX_JSON_DEPTH = 8;
export const MAX_MEMBERS = 10_000;
export const MAX_TRUSTEES = MAX_MEMBERS + 1;
export const MAX_CONTESTS = 100;
export const MAX_OPTIONS = 1000;
export const MAX_RANGE_VALUES = 1001;
export const MAX_ID_BYTES = 64;
export const MAX_TEXT_BYTES = 1024;
export const MAX_SEQ = 2 ** 53 - 1;
const U32_MAX = 0xffffffff;

export interface Point {
  hex: string;
  bytes: Bytes;
}
export interface Dleq {
  c: Bytes;
  s: Bytes;
}
export interface RangeProofValue {
  c: Bytes[];
  s: Bytes[];
}
export interface RosterMember {
  id: string;
  name: string;
  seat: string;
}
export interface GenesisBody {
  protocol: string;
  title: string;
  committee: string;
  date: string;
  nonce: string;
  serverKey: Bytes;
  serverKeyHex: string;
  tokenKey: Point;
  members: RosterMember[];
  quorum: { num: number; den: number };
  scrutineers: string[];
}
export interface TrusteeBody {
  id: string;
  name: string;
  key: Point;
  proof: Dleq;
}
export interface ElectionKeyBody {
  trustees: string[];
  key: Point;
}
export interface RoundContest {
  id: string;
  title: string;
  options: string[];
  min: number;
  max: number;
}
export interface RoundBody {
  round: number;
  title: string;
  kind: RoundKind;
  contests: RoundContest[];
  rule: Rule;
  ruleAsWritten: Record<string, unknown>;
}
export interface CheckInBody {
  member: string;
  deviceKey: Bytes;
  deviceKeyHex: string;
  sig: Bytes;
}
export interface CheckOutBody {
  member: string;
}
export interface RoundOpenedBody {
  round: number;
  present: number;
}
export interface TokenBody {
  round: number;
  member: string;
  blinded: Point;
  requestSig: Bytes;
  evaluated: Point;
  proof: Dleq;
}
export interface BallotSelection {
  alpha: Point;
  beta: Point;
  proof: RangeProofValue;
}
export interface BallotContest {
  id: string;
  selections: BallotSelection[];
  limitProof: RangeProofValue;
}
export interface BallotBody {
  round: number;
  vk: Bytes;
  vkHex: string;
  token: Point;
  tokenProof: Dleq;
  contests: BallotContest[];
  sig: Bytes;
}
export interface Declaration {
  member: string;
  sig: Bytes;
}
export interface ContestSums {
  id: string;
  options: { alpha: Point; beta: Point }[];
}
export interface RoundClosedBody {
  round: number;
  present: number;
  tokens: number;
  ballots: number;
  voted: Declaration[];
  sums: ContestSums[];
}
export interface ShareValue {
  share: Point;
  proof: Dleq;
}
export interface ContestShares {
  id: string;
  options: ShareValue[];
}
export interface DecryptionBody {
  round: number;
  trustee: string;
  shares: ContestShares[];
}
export interface ResultBody {
  round: number;
  ballots: number;
  present: number;
  undeclared: number;
  contests: ResultContest[];
}
export interface RevealedBody {
  round: number;
}

export type RecordBody =
  | { type: 'genesis'; body: GenesisBody }
  | { type: 'trustee'; body: TrusteeBody }
  | { type: 'election_key'; body: ElectionKeyBody }
  | { type: 'round'; body: RoundBody }
  | { type: 'check_in'; body: CheckInBody }
  | { type: 'check_out'; body: CheckOutBody }
  | { type: 'round_opened'; body: RoundOpenedBody }
  | { type: 'token'; body: TokenBody }
  | { type: 'ballot'; body: BallotBody }
  | { type: 'round_closed'; body: RoundClosedBody }
  | { type: 'decryption'; body: DecryptionBody }
  | { type: 'result'; body: ResultBody }
  | { type: 'revealed'; body: RevealedBody }
  | { type: 'adjourned'; body: Record<string, never> };

export type RecordType = RecordBody['type'];

export type ChainRecord = { seq: number; prev: string; time: string } & RecordBody;

// The body keys of each type, in §3.6 order.
const BODY_KEYS: Record<RecordType, readonly string[]> = {
  genesis: ['protocol', 'title', 'committee', 'date', 'nonce', 'server_key', 'token_key', 'members', 'quorum', 'scrutineers'],
  trustee: ['id', 'name', 'key', 'proof'],
  election_key: ['trustees', 'key'],
  round: ['round', 'title', 'kind', 'contests', 'rule'],
  check_in: ['member', 'device_key', 'sig'],
  check_out: ['member'],
  round_opened: ['round', 'present'],
  token: ['round', 'member', 'blinded', 'request_sig', 'evaluated', 'proof'],
  ballot: ['round', 'vk', 'token', 'token_proof', 'contests', 'sig'],
  round_closed: ['round', 'present', 'tokens', 'ballots', 'voted', 'sums'],
  decryption: ['round', 'trustee', 'shares'],
  result: ['round', 'ballots', 'present', 'undeclared', 'contests'],
  revealed: ['round'],
  adjourned: [],
};

export const RECORD_TYPES = Object.keys(BODY_KEYS) as RecordType[];

const ENVELOPE = ['seq', 'prev', 'time', 'type'] as const;

export function isRecordType(s: string): s is RecordType {
  return Object.prototype.hasOwnProperty.call(BODY_KEYS, s);
}

/** Bytes of the UTF-8 encoding of s (s is well-formed: the JSON reader refuses lone surrogates). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// ---- leaf values ---------------------------------------------------------------------------

function readUnsigned(v: JsonValue, path: string, max: number): number {
  if (v instanceof JsonNumber) {
    if (v.kind === 'float') throw badRequest(path, 'must be an integer (no fraction, exponent or excess magnitude)');
    if (v.kind === 'signed') throw badRequest(path, 'must not be negative');
    const n = v.bigint();
    if (n > BigInt(max)) throw badRequest(path, `must be at most ${max}`);
    return Number(n);
  }
  throw badRequest(path, 'must be an integer');
}

function readU32(v: JsonValue, path: string): number {
  return readUnsigned(v, path, U32_MAX);
}

function readSigned(v: JsonValue, path: string, bound: number): number {
  if (v instanceof JsonNumber) {
    if (v.kind === 'float') throw badRequest(path, 'must be an integer (no fraction, exponent or excess magnitude)');
    const n = v.bigint();
    if (n > BigInt(bound) || n < -BigInt(bound)) throw badRequest(path, 'is out of range');
    return Number(n);
  }
  throw badRequest(path, 'must be an integer');
}

function readBool(v: JsonValue, path: string): boolean {
  if (typeof v !== 'boolean') throw badRequest(path, 'must be true or false');
  return v;
}

function readString(v: JsonValue, path: string): string {
  if (typeof v !== 'string') throw badRequest(path, 'must be a string');
  return v;
}

// Ids: 1 … 64 UTF-8 bytes.
function readId(v: JsonValue, path: string): string {
  const s = readString(v, path);
  const n = utf8Length(s);
  if (n === 0 || n > MAX_ID_BYTES) throw badRequest(path, 'must be 1 to 64 bytes');
  return s;
}

// Titles, names, labels, seats, the date: at most 1024 bytes.
function readText(v: JsonValue, path: string): string {
  const s = readString(v, path);
  if (utf8Length(s) > MAX_TEXT_BYTES) throw badRequest(path, 'must be at most 1024 bytes');
  return s;
}

// Lower-case hex of exactly `bytes` bytes: the chain writes lower case, and a line is never
// re-serialised, so upper case would be a second spelling of the same record.
function readHex(v: JsonValue, path: string, bytes: number): string {
  const s = readString(v, path);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) throw badRequest(path, 'must be lower-case hex');
  }
  if (s.length !== 2 * bytes) throw badRequest(path, `must be ${bytes} bytes of hex`);
  return s;
}

function readPoint(v: JsonValue, path: string, allowIdentity: boolean): Point {
  const hex = readHex(v, path, 32);
  const bytes = fromHex(hex, 32);
  try {
    checkPoint(bytes, { allowIdentity: true });
  } catch {
    throw new Refusal('INVALID_POINT', path, 'is not a canonical ristretto255 point');
  }
  if (!allowIdentity && isIdentity(bytes)) throw new Refusal('INVALID_POINT', path, 'must not be the identity');
  return { hex, bytes };
}

function readScalar(v: JsonValue, path: string): Bytes {
  const bytes = fromHex(readHex(v, path, 32), 32);
  try {
    return checkScalar(bytes);
  } catch {
    throw badRequest(path, 'is not a canonical scalar (must be below the group order)');
  }
}

function readVerifyKey(v: JsonValue, path: string): { bytes: Bytes; hex: string } {
  const hex = readHex(v, path, 32);
  const bytes = fromHex(hex, 32);
  if (!isEd25519PublicKey(bytes)) throw new Refusal('INVALID_POINT', path, 'is not a valid Ed25519 public key');
  return { bytes, hex };
}

function readSignature(v: JsonValue, path: string): Bytes {
  return fromHex(readHex(v, path, 64), 64);
}

// ---- objects and arrays --------------------------------------------------------------------

// An object with exactly the given keys: the first missing one, then the first unknown one, is
// named (as the C++ does), then the first out of order.
class Fields {
  constructor(
    private readonly o: JsonObject,
    private readonly base: string,
  ) {}

  static of(v: JsonValue, path: string, keys: readonly string[]): Fields {
    if (!(v instanceof JsonObject)) throw badRequest(path, 'must be an object');
    checkKeys(v, keys, path, 'is not a field of this object');
    return new Fields(v, path);
  }

  get(key: string): JsonValue {
    return this.o.get(key) as JsonValue;
  }
  path(key: string): string {
    return pathOf(this.base, key);
  }
  u32(key: string): number {
    return readU32(this.get(key), this.path(key));
  }
  id(key: string): string {
    return readId(this.get(key), this.path(key));
  }
  text(key: string): string {
    return readText(this.get(key), this.path(key));
  }
  bool(key: string): boolean {
    return readBool(this.get(key), this.path(key));
  }
  point(key: string, allowIdentity: boolean): Point {
    return readPoint(this.get(key), this.path(key), allowIdentity);
  }
  scalar(key: string): Bytes {
    return readScalar(this.get(key), this.path(key));
  }
  verifyKey(key: string): { bytes: Bytes; hex: string } {
    return readVerifyKey(this.get(key), this.path(key));
  }
  signature(key: string): Bytes {
    return readSignature(this.get(key), this.path(key));
  }
}

function checkKeys(o: JsonObject, keys: readonly string[], base: string, unknownMessage: string): void {
  for (const k of keys) if (!o.has(k)) throw badRequest(pathOf(base, k), 'is missing');
  if (o.keys.length !== keys.length) {
    for (const k of o.keys) if (!keys.includes(k)) throw badRequest(pathOf(base, k), unknownMessage);
  }
  for (let i = 0; i < keys.length; i++) {
    if (o.keys[i] !== keys[i]) {
      throw badRequest(pathOf(base, o.keys[i]!), `is out of order: must be field number ${keys.indexOf(o.keys[i]!) + 1}`);
    }
  }
}

function readArray<T>(v: JsonValue, path: string, max: number, element: (item: JsonValue, at: string) => T): T[] {
  if (!Array.isArray(v)) throw badRequest(path, 'must be an array');
  if (v.length > max) throw badRequest(path, `must have at most ${max} entries`);
  const out: T[] = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = element(v[i]!, indexed(path, i));
  return out;
}

function readProof(v: JsonValue, path: string): Dleq {
  const f = Fields.of(v, path, ['c', 's']);
  return { c: f.scalar('c'), s: f.scalar('s') };
}

// A range proof's c and s: the same length, 1 … 1001 (one per value of the range).
function readRangeProof(v: JsonValue, path: string): RangeProofValue {
  const f = Fields.of(v, path, ['c', 's']);
  const c = readArray(f.get('c'), f.path('c'), MAX_RANGE_VALUES, readScalar);
  const s = readArray(f.get('s'), f.path('s'), MAX_RANGE_VALUES, readScalar);
  if (c.length === 0) throw badRequest(f.path('c'), 'must not be empty');
  if (s.length !== c.length) throw badRequest(f.path('s'), 'must have as many entries as c');
  return { c, s };
}

function readOptional(v: JsonValue, path: string, max: number): number | null {
  return v === null ? null : readUnsigned(v, path, max);
}

function readU32s(v: JsonValue, path: string): number[] {
  return readArray(v, path, MAX_OPTIONS, readU32);
}

/** The JSON as plain values (numbers as numbers): how RoundInfo shows a rule "as on the chain". */
export function jsonToPlain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (v instanceof JsonObject) {
    const out: Record<string, unknown> = {};
    v.keys.forEach((k, i) => {
      out[k] = jsonToPlain(v.values[i]!);
    });
    return out;
  }
  if (Array.isArray(v)) return v.map(jsonToPlain);
  return v;
}

// ---- bodies --------------------------------------------------------------------------------

function readGenesis(f: Fields): GenesisBody {
  const protocol = readString(f.get('protocol'), 'protocol');
  if (protocol !== 'pingyi/1') throw badRequest('protocol', 'must be "pingyi/1"');
  const title = f.text('title');
  const committee = f.text('committee');
  const date = f.text('date');
  const nonce = readHex(f.get('nonce'), 'nonce', 32);
  const serverKey = f.verifyKey('server_key');
  const tokenKey = f.point('token_key', false);
  const members = readArray(f.get('members'), 'members', MAX_MEMBERS, (v, p) => {
    const m = Fields.of(v, p, ['id', 'name', 'seat']);
    return { id: m.id('id'), name: m.text('name'), seat: m.text('seat') };
  });
  const q = Fields.of(f.get('quorum'), 'quorum', ['num', 'den']);
  const quorum = { num: q.u32('num'), den: q.u32('den') };
  const scrutineers = readArray(f.get('scrutineers'), 'scrutineers', MAX_MEMBERS, readId);
  return {
    protocol, title, committee, date, nonce, serverKey: serverKey.bytes, serverKeyHex: serverKey.hex, tokenKey,
    members, quorum, scrutineers,
  };
}

function readRound(f: Fields): RoundBody {
  const round = f.u32('round');
  const title = f.text('title');
  const kind = readString(f.get('kind'), 'kind');
  if (kind !== 'evaluation' && kind !== 'motion' && kind !== 'selection') {
    throw badRequest('kind', 'must be evaluation, motion or selection');
  }
  const contests = readArray(f.get('contests'), 'contests', MAX_CONTESTS, (v, p) => {
    const c = Fields.of(v, p, ['id', 'title', 'options', 'min', 'max']);
    const out: RoundContest = {
      id: c.id('id'),
      title: c.text('title'),
      options: readArray(c.get('options'), c.path('options'), MAX_OPTIONS, readText),
      min: c.u32('min'),
      max: c.u32('max'),
    };
    if (out.max > out.options.length) throw badRequest(c.path('max'), 'must not exceed the number of options');
    if (out.min > out.max) throw badRequest(c.path('min'), 'must not exceed max');
    return out;
  });
  const shapes: ContestShape[] = contests.map((c) => ({ id: c.id, options: c.options, min: c.min, max: c.max }));
  const ruleJson = f.get('rule');
  const rule = parseRule(kind, ruleJson, shapes);
  return { round, title, kind, contests, rule, ruleAsWritten: jsonToPlain(ruleJson) as Record<string, unknown> };
}

function readBallot(f: Fields): BallotBody {
  const round = f.u32('round');
  const vk = f.verifyKey('vk');
  const token = f.point('token', false);
  const tokenProof = readProof(f.get('token_proof'), 'token_proof');
  const contests = readArray(f.get('contests'), 'contests', MAX_CONTESTS, (v, p) => {
    const c = Fields.of(v, p, ['id', 'selections', 'limit_proof']);
    const id = c.id('id');
    const selections = readArray(c.get('selections'), c.path('selections'), MAX_OPTIONS, (sv, sp) => {
      const s = Fields.of(sv, sp, ['alpha', 'beta', 'proof']);
      return { alpha: s.point('alpha', false), beta: s.point('beta', false), proof: readRangeProof(s.get('proof'), s.path('proof')) };
    });
    const limitProof = readRangeProof(c.get('limit_proof'), c.path('limit_proof'));
    return { id, selections, limitProof };
  });
  const sig = f.signature('sig');
  return { round, vk: vk.bytes, vkHex: vk.hex, token, tokenProof, contests, sig };
}

function readRoundClosed(f: Fields): RoundClosedBody {
  const round = f.u32('round');
  const present = f.u32('present');
  const tokens = f.u32('tokens');
  const ballots = f.u32('ballots');
  const voted = readArray(f.get('voted'), 'voted', MAX_MEMBERS, (v, p) => {
    const d = Fields.of(v, p, ['member', 'sig']);
    return { member: d.id('member'), sig: d.signature('sig') };
  });
  const sums = readArray(f.get('sums'), 'sums', MAX_CONTESTS, (v, p) => {
    const c = Fields.of(v, p, ['id', 'options']);
    const id = c.id('id');
    const options = readArray(c.get('options'), c.path('options'), MAX_OPTIONS, (ov, op) => {
      const o = Fields.of(ov, op, ['alpha', 'beta']);
      return { alpha: o.point('alpha', true), beta: o.point('beta', true) };
    });
    return { id, options };
  });
  return { round, present, tokens, ballots, voted, sums };
}

function readDecryption(f: Fields): DecryptionBody {
  const round = f.u32('round');
  const trustee = f.id('trustee');
  const shares = readArray(f.get('shares'), 'shares', MAX_CONTESTS, (v, p) => {
    const c = Fields.of(v, p, ['id', 'options']);
    const id = c.id('id');
    const options = readArray(c.get('options'), c.path('options'), MAX_OPTIONS, (ov, op) => {
      const o = Fields.of(ov, op, ['share', 'proof']);
      return { share: o.point('share', true), proof: readProof(o.get('proof'), o.path('proof')) };
    });
    return { id, options };
  });
  return { round, trustee, shares };
}

// A result contest's kind is not in the record (it is the round's); its keys tell it: only an
// evaluation has "grade", only a selection has "selected".
function readContestResult(v: JsonValue, p: string): ResultContest {
  if (!(v instanceof JsonObject)) throw badRequest(p, 'must be an object');
  if (v.has('grade')) {
    const c = Fields.of(v, p, ['id', 'counts', 'grade', 'passed', 'rate_bp', 'score_x100', 'rank']);
    return {
      id: c.id('id'),
      counts: readU32s(c.get('counts'), c.path('counts')),
      grade: readOptional(c.get('grade'), c.path('grade'), U32_MAX),
      passed: c.bool('passed'),
      rate_bp: readOptional(c.get('rate_bp'), c.path('rate_bp'), 10_000),
      score_x100: readOptional(c.get('score_x100'), c.path('score_x100'), MAX_SEQ),
      rank: readOptional(c.get('rank'), c.path('rank'), U32_MAX),
    };
  }
  if (v.has('selected')) {
    const c = Fields.of(v, p, ['id', 'counts', 'selected', 'tied']);
    return {
      id: c.id('id'),
      counts: readU32s(c.get('counts'), c.path('counts')),
      selected: readU32s(c.get('selected'), c.path('selected')),
      tied: readU32s(c.get('tied'), c.path('tied')),
    };
  }
  const c = Fields.of(v, p, ['id', 'counts', 'passed']);
  return { id: c.id('id'), counts: readU32s(c.get('counts'), c.path('counts')), passed: c.bool('passed') };
}

function readBody(type: RecordType, f: Fields): RecordBody {
  switch (type) {
    case 'genesis':
      return { type, body: readGenesis(f) };
    case 'trustee':
      return { type, body: { id: f.id('id'), name: f.text('name'), key: f.point('key', false), proof: readProof(f.get('proof'), 'proof') } };
    case 'election_key':
      return { type, body: { trustees: readArray(f.get('trustees'), 'trustees', MAX_TRUSTEES, readId), key: f.point('key', false) } };
    case 'round':
      return { type, body: readRound(f) };
    case 'check_in': {
      const member = f.id('member');
      const key = f.verifyKey('device_key');
      return { type, body: { member, deviceKey: key.bytes, deviceKeyHex: key.hex, sig: f.signature('sig') } };
    }
    case 'check_out':
      return { type, body: { member: f.id('member') } };
    case 'round_opened':
      return { type, body: { round: f.u32('round'), present: f.u32('present') } };
    case 'token':
      return {
        type,
        body: {
          round: f.u32('round'),
          member: f.id('member'),
          blinded: f.point('blinded', false),
          requestSig: f.signature('request_sig'),
          evaluated: f.point('evaluated', false),
          proof: readProof(f.get('proof'), 'proof'),
        },
      };
    case 'ballot':
      return { type, body: readBallot(f) };
    case 'round_closed':
      return { type, body: readRoundClosed(f) };
    case 'decryption':
      return { type, body: readDecryption(f) };
    case 'result':
      return {
        type,
        body: {
          round: f.u32('round'),
          ballots: f.u32('ballots'),
          present: f.u32('present'),
          undeclared: readSigned(f.get('undeclared'), 'undeclared', U32_MAX),
          contests: readArray(f.get('contests'), 'contests', MAX_CONTESTS, readContestResult),
        },
      };
    case 'revealed':
      return { type, body: { round: f.u32('round') } };
    case 'adjourned':
      return { type, body: {} };
  }
}

/** record.cpp is_record_time: "YYYY-MM-DDTHH:MM:SS.mmmZ" naming a real instant (month lengths and
 *  leap years checked, no leap seconds). */
export function isRecordTime(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s)) return false;
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days && Number(s.slice(11, 13)) < 24 && Number(s.slice(14, 16)) < 60 && Number(s.slice(17, 19)) < 60;
}

/** Decodes one line (without its newline) whose UTF-8 encoding is `byteLength` bytes long.
 *  Throws a Refusal naming the first field that is wrong. */
export function decodeRecord(line: string, byteLength: number): ChainRecord {
  if (byteLength > MAX_LINE_BYTES) throw new Refusal('PAYLOAD_TOO_LARGE', '', 'a record line must be at most 16 MiB');
  const j = parseStrictJson(line, MAX_JSON_DEPTH);
  if (!(j instanceof JsonObject)) throw badRequest('', 'a record must be a JSON object');

  // The envelope comes first, in this order (§3.6).
  for (let k = 0; k < ENVELOPE.length; k++) {
    if (k >= j.keys.length) throw badRequest(ENVELOPE[k]!, 'is missing');
    if (j.keys[k] !== ENVELOPE[k]) throw badRequest(ENVELOPE[k]!, `must be the record's field number ${k + 1}`);
  }
  const typeName = readString(j.get('type') as JsonValue, 'type');
  if (!isRecordType(typeName)) throw badRequest('type', 'is not a record type of pingyi/1');
  const bodyKeys = BODY_KEYS[typeName];
  checkKeys(j, [...ENVELOPE, ...bodyKeys], '', `is not a field of a ${typeName} record`);

  const seq = readUnsigned(j.get('seq') as JsonValue, 'seq', MAX_SEQ);
  const prev = readHex(j.get('prev') as JsonValue, 'prev', 32);
  const time = readString(j.get('time') as JsonValue, 'time');
  if (!isRecordTime(time)) throw badRequest('time', 'must be YYYY-MM-DDTHH:MM:SS.mmmZ');
  const body = readBody(typeName, new Fields(j, ''));
  return { seq, prev, time, ...body } as ChainRecord;
}
