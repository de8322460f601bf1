// The browser's fold of a session's chain (DESIGN.md §3.6 "A verifier MUST recompute from the
// chain alone"): a second, independent implementation of server/core/src/session_state.cpp's
// apply. Each record type has one check that looks at everything first and returns the change
// to make; the change is made only when every check (the signed head included) has passed, so a
// refused record changes nothing. Codes and fields are the C++ fold's, so that the two verifiers
// can be compared on the same tampered chains; linkage (seq, prev) is reported as BROKEN_LINK
// where the C++ says BAD_REQUEST.
//
// Usable on the main thread or in a Web Worker. Requires `await sodiumReady()` beforehand.
import {
  type Bytes,
  type ContestSpec,
  add,
  basePoint,
  checkinMessage,
  comparisonCode as comparisonCodeOf,
  displayCode,
  equalBytes,
  fromHex,
  headMessage,
  normalizeTypedCode,
  receiptCode,
  recoverCount,
  sha256,
  sub,
  toHex,
  tokenRequestMessage,
  utf8,
  verifyDecryptionShare,
  verifyDetached,
  verifyProof,
  verifyTrusteeProof,
  votedMessage,
} from '../crypto';
import { type BallotContext, checkBallotProofs, contextKey } from './ballot-check';
import {
  type BallotBody,
  type ChainRecord,
  type CheckInBody,
  type CheckOutBody,
  type DecryptionBody,
  type ElectionKeyBody,
  type GenesisBody,
  MAX_CONTESTS,
  MAX_ID_BYTES,
  MAX_MEMBERS,
  MAX_OPTIONS,
  type ResultBody,
  type RevealedBody,
  type RoundBody,
  type RoundClosedBody,
  type RoundOpenedBody,
  type TokenBody,
  type TrusteeBody,
  decodeRecord,
  utf8Length,
} from './record';
import { Refusal, badRequest, forbidden, indexed, notFound } from './refusal';
import { resultsFor } from './results';
import type { ContestShape } from './rules';
import type {
  MemberInfo,
  PushResult,
  ReceiptMatch,
  ResultContest,
  RoundInfo,
  RoundStatus,
  SessionInfo,
  VerifyError,
} from './types';

const ZERO_HASH = '0'.repeat(64);

/** A line hashed and decoded, ready for the fold (prepared anywhere, applied in seq order). */
export interface PreparedLine {
  line: string;
  hash: Bytes;
  hashHex: string;
  record: ChainRecord | null;
  error: Refusal | null; // why the line does not decode
}

export function prepareLine(line: string): PreparedLine {
  const bytes = utf8(line);
  const hash = sha256(bytes);
  const hashHex = toHex(hash);
  try {
    return { line, hash, hashHex, record: decodeRecord(line, bytes.length), error: null };
  } catch (e) {
    return { line, hash, hashHex, record: null, error: asRefusal(e) };
  }
}

function asRefusal(e: unknown): Refusal {
  if (e instanceof Refusal) return e;
  // A bug, or an engine limit (a line too deep for the stack): never let it pass as a verdict.
  return new Refusal('INTERNAL', '', `the verifier could not check this record: ${e instanceof Error ? e.message : String(e)}`);
}

/** A ballot's proofs checked elsewhere (a worker), against the context it names. */
export interface BallotVerdict {
  context: string; // contextKey() of what it was checked against
  error: { code: string; field: string; message: string } | null;
}

interface MemberState {
  id: string;
  name: string;
  seat: string;
  scrutineer: boolean;
  deviceKey: Bytes | null; // from the member's latest check_in
  deviceKeyHex: string | null;
  checkInSeq: number | null;
  present: boolean; // checked in and not checked out since
}

interface TrusteeState {
  id: string;
  name: string;
  key: Bytes;
  keyHex: string;
}

interface Ciphertext {
  alpha: Bytes;
  beta: Bytes;
}

interface RoundState {
  def: RoundBody;
  shapes: ContestShape[];
  specs: ContestSpec[];
  phase: RoundStatus;
  openedSeq: number | null;
  closedSeq: number | null;
  resultSeq: number | null;
  revealedSeq: number | null;
  presentAtOpen: number | null;
  // Members holding a token, with the device key that signed the request: a declaration is
  // verified with it, not with a key from a later reset (§3.2).
  tokens: Map<string, Bytes>;
  ballots: number;
  sums: Ciphertext[][]; // running (A, B) per contest and option
  alphas: Set<string>[]; // every α accepted per contest while open (§3.3)
  proofsChecked: boolean; // every ballot's proofs were verified, here or by a worker
  closed: RoundClosedBody | null;
  closedHash: Bytes | null;
  decryptions: Map<string, Bytes[][]>; // D_t by trustee, per contest and option
  counts: number[][] | null;
  result: ResultContest[] | null;
  undeclared: number | null;
}

interface BallotEntry {
  seq: number;
  round: number;
  hash: string;
  code: string;
}

type Commit = () => void;

function roundName(n: number): string {
  return `round ${n}`;
}

// std::string's operator< on UTF-8 bytes is code point order; JS's < on UTF-16 units is not
// (U+E000–U+FFFF sort after the surrogates there).
function utf8Less(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length < b.length;
}

export class ChainVerifier {
  readonly #checkProofs: boolean;

  #length = 0;
  #head: Bytes = new Uint8Array(32);
  #headHex = ZERO_HASH;
  #lastTime = '';
  #hashes: string[] = [];
  #types: string[] = [];
  #failure: VerifyError | null = null;
  #failedType = '';
  #failedBallot: BallotEntry | null = null;

  #sessionId: Bytes | null = null;
  #sessionIdHex = '';
  #genesis: GenesisBody | null = null;
  #members: MemberState[] = [];
  #memberIndex = new Map<string, number>();
  #present = 0;
  #trustees: TrusteeState[] = [];
  #electionKey: Bytes | null = null;
  #electionKeyHex: string | null = null;
  #rounds: RoundState[] = [];
  #openRound: number | null = null;
  #spentVks = new Map<string, number>(); // vk hex → seq of its ballot (§3.2: one per session)
  #adjourned = false;
  #ballotsByHash = new Map<string, BallotEntry>();
  #ballotsByCode = new Map<string, BallotEntry>();

  constructor(opts?: { checkProofs?: boolean }) {
    this.#checkProofs = opts?.checkProofs ?? true;
  }

  get failure(): VerifyError | null {
    return this.#failure;
  }
  get length(): number {
    return this.#length;
  }
  get headHash(): string | null {
    return this.#length === 0 ? null : this.#headHex;
  }
  /** Types of the accepted records, by seq. */
  get recordTypes(): readonly string[] {
    return this.#types;
  }

  /** An independent copy of the fold so far: records pushed to one never reach the other (to
   *  try records against a verified prefix without verifying the prefix again). */
  clone(): ChainVerifier {
    const c = new ChainVerifier({ checkProofs: this.#checkProofs });
    c.#length = this.#length;
    c.#head = this.#head;
    c.#headHex = this.#headHex;
    c.#lastTime = this.#lastTime;
    c.#hashes = [...this.#hashes];
    c.#types = [...this.#types];
    c.#failure = this.#failure;
    c.#failedType = this.#failedType;
    c.#failedBallot = this.#failedBallot;
    c.#sessionId = this.#sessionId;
    c.#sessionIdHex = this.#sessionIdHex;
    c.#genesis = this.#genesis;
    c.#members = this.#members.map((m) => ({ ...m }));
    c.#memberIndex = new Map(this.#memberIndex);
    c.#present = this.#present;
    c.#trustees = [...this.#trustees];
    c.#electionKey = this.#electionKey;
    c.#electionKeyHex = this.#electionKeyHex;
    c.#rounds = this.#rounds.map((rs) => ({
      ...rs,
      tokens: new Map(rs.tokens),
      sums: rs.sums.map((contest) => [...contest]),
      alphas: rs.alphas.map((set) => new Set(set)),
      decryptions: new Map(rs.decryptions),
    }));
    c.#openRound = this.#openRound;
    c.#spentVks = new Map(this.#spentVks);
    c.#adjourned = this.#adjourned;
    c.#ballotsByHash = new Map(this.#ballotsByHash);
    c.#ballotsByCode = new Map(this.#ballotsByCode);
    return c;
  }

  /** Hex hash of the accepted record at seq, or null. */
  hashAt(seq: number): string | null {
    return this.#hashes[seq] ?? null;
  }

  /** What a ballot of `round` is verified against, as the state says now (null before the
   *  election key or for a round not defined). */
  ballotContext(round: number): BallotContext | null {
    const rs = this.#rounds[round - 1];
    if (this.#sessionId === null || this.#genesis === null || this.#electionKeyHex === null || rs === undefined) return null;
    return { sessionId: this.#sessionIdHex, tokenKey: this.#genesis.tokenKey.hex, electionKey: this.#electionKeyHex, specs: rs.specs };
  }

  /** Verifies and applies one record. `sig` is the signed head at this seq (hex), when known;
   *  it is checked against genesis' server_key. After the first failure every push is refused
   *  with that same error. */
  push(line: string, sig?: string): PushResult {
    if (this.#failure !== null) return this.#refused();
    if (typeof line !== 'string') {
      const refusal = new Refusal('BAD_JSON', '', 'a record line must be text');
      return this.pushPrepared({ line: '', hash: new Uint8Array(32), hashHex: ZERO_HASH, record: null, error: refusal }, sig);
    }
    return this.pushPrepared(prepareLine(line), sig);
  }

  /** push() for a line already prepared (hashed and decoded, e.g. while its ballot's proofs were
   *  being checked elsewhere). A ballot's `verdict` from a worker is used when it was reached
   *  against the context the state implies; otherwise the proofs are checked here. */
  pushPrepared(p: PreparedLine, sig?: string, verdict?: BallotVerdict): PushResult {
    if (this.#failure !== null) return this.#refused();
    const seq = this.#length;
    const type = p.record?.type ?? '';
    try {
      if (p.record === null) throw p.error ?? new Refusal('INTERNAL', '', 'the line was not decoded');
      const commit = this.#check(p.record, p.hash, verdict);
      if (sig !== undefined) this.#checkHeadSignature(p.record, p.hash, sig);
      commit();
      this.#length++;
      this.#head = p.hash;
      this.#headHex = p.hashHex;
      this.#lastTime = p.record.time;
      this.#hashes.push(p.hashHex);
      this.#types.push(p.record.type);
      return { seq, type, ok: true };
    } catch (e) {
      const r = asRefusal(e);
      this.#failure = { seq, code: r.code, field: r.field, message: r.message };
      this.#failedType = type;
      if (p.record?.type === 'ballot') {
        this.#failedBallot = { seq, round: p.record.body.round, hash: p.hashHex, code: receiptCode(p.hash) };
      }
      return { seq, type, ok: false, error: this.#failure };
    }
  }

  /** A record received again for an accepted seq: refused (and the verifier stopped) when its
   *  line differs from the one verified, which means the server has published two chains. */
  checkRepeat(seq: number, line: string): VerifyError | null {
    const known = this.#hashes[seq];
    if (known === undefined || known === toHex(sha256(utf8(line)))) return null;
    const error: VerifyError = {
      seq,
      code: 'BROKEN_LINK',
      field: 'hash',
      message: `a second, different record ${seq} was received: the server has published two chains`,
    };
    if (this.#failure === null) {
      this.#failure = error;
      this.#failedType = this.#types[seq] ?? '';
    }
    return error;
  }

  #refused(): PushResult {
    return { seq: this.#failure!.seq, type: this.#failedType, ok: false, error: this.#failure! };
  }

  // ---- signed heads --------------------------------------------------------------------------

  #checkHeadSignature(r: ChainRecord, hash: Bytes, sig: string): void {
    const sessionId = r.type === 'genesis' ? hash : this.#sessionId!;
    const serverKey = r.type === 'genesis' ? r.body.serverKey : this.#genesis!.serverKey;
    if (!this.#headSignatureVerifies(serverKey, sessionId, r.seq, hash, sig)) {
      throw new Refusal('BAD_HEAD_SIGNATURE', 'sig', "the signed head does not verify with genesis' server_key");
    }
  }

  #headSignatureVerifies(serverKey: Bytes, sessionId: Bytes, seq: number, hash: Bytes, sig: string): boolean {
    if (!/^[0-9a-f]{128}$/.test(sig)) return false;
    return verifyDetached(fromHex(sig, 64), headMessage(sessionId, seq, hash), serverKey);
  }

  /** Checks a signed head {seq, hash, sig} someone was given against what was verified: the
   *  server's signature, then that the chain verified here has that hash at that seq (a
   *  validly signed head of another record is proof of a fork). */
  checkHead(head: { seq: number; hash: string; sig: string }): VerifyError | null {
    const seq = head.seq;
    const at = Number.isSafeInteger(seq) && seq >= 0 ? seq : this.#length;
    const fail = (code: string, field: string, message: string): VerifyError => ({ seq: at, code, field, message });
    if (!Number.isSafeInteger(seq) || seq < 0) return fail('BAD_REQUEST', 'seq', 'must be a non-negative integer');
    if (typeof head.hash !== 'string' || !/^[0-9a-f]{64}$/.test(head.hash)) {
      return fail('BAD_REQUEST', 'hash', 'must be 32 bytes of lower-case hex');
    }
    if (this.#genesis === null || this.#sessionId === null) return fail('NOT_FOUND', 'seq', 'no genesis has been verified yet');
    if (typeof head.sig !== 'string' || !this.#headSignatureVerifies(this.#genesis.serverKey, this.#sessionId, seq, fromHex(head.hash, 32), head.sig)) {
      return fail('BAD_HEAD_SIGNATURE', 'sig', "the signed head does not verify with genesis' server_key");
    }
    if (seq >= this.#length) return fail('NOT_FOUND', 'seq', `record ${seq} has not been verified yet (verified: ${this.#length})`);
    if (this.#hashes[seq] !== head.hash) {
      return fail('BROKEN_LINK', 'hash', `the server signed another record ${seq} than the one verified here: a fork`);
    }
    return null;
  }

  // ---- receipts ------------------------------------------------------------------------------

  /** A ballot by its receipt's short code (XXXX-XXXX, typed loosely) or its full 64-hex hash. */
  findReceipt(query: string): ReceiptMatch | null {
    const q = query.trim();
    let entry: BallotEntry | undefined;
    let failed = false;
    if (/^[0-9a-fA-F]{64}$/.test(q)) {
      const hash = q.toLowerCase();
      entry = this.#ballotsByHash.get(hash);
      if (entry === undefined && this.#failedBallot?.hash === hash) {
        entry = this.#failedBallot;
        failed = true;
      }
    } else {
      let code: string;
      try {
        code = displayCode(normalizeTypedCode(q, 8));
      } catch {
        return null;
      }
      entry = this.#ballotsByCode.get(code);
      if (entry === undefined && this.#failedBallot?.code === code) {
        entry = this.#failedBallot;
        failed = true;
      }
    }
    if (entry === undefined) return null;
    return { seq: entry.seq, round: entry.round, hash: entry.hash, code: entry.code, verified: !failed };
  }

  // ---- what has been verified ----------------------------------------------------------------

  session(): SessionInfo | null {
    const g = this.#genesis;
    if (g === null) return null;
    const members: MemberInfo[] = this.#members.map((m) => ({
      id: m.id,
      name: m.name,
      seat: m.seat,
      scrutineer: m.scrutineer,
      present: m.present,
      deviceKey: m.deviceKeyHex,
      checkInSeq: m.checkInSeq,
    }));
    return {
      sessionId: this.#sessionIdHex,
      title: g.title,
      committee: g.committee,
      date: g.date,
      serverKey: g.serverKeyHex,
      tokenKey: g.tokenKey.hex,
      quorum: { ...g.quorum },
      scrutineers: [...g.scrutineers],
      members,
      trustees: this.#trustees.map((t) => ({ id: t.id, name: t.name, key: t.keyHex })),
      electionKey: this.#electionKeyHex,
      adjourned: this.#adjourned,
    };
  }

  rounds(): RoundInfo[] {
    return this.#rounds.map((rs) => {
      const closedHash = rs.closedHash === null ? null : toHex(rs.closedHash);
      return {
        round: rs.def.round,
        title: rs.def.title,
        kind: rs.def.kind,
        contests: rs.def.contests.map((c) => ({ id: c.id, title: c.title, options: [...c.options], min: c.min, max: c.max })),
        rule: structuredClone(rs.def.ruleAsWritten),
        status: rs.phase,
        openedSeq: rs.openedSeq,
        closedSeq: rs.closedSeq,
        resultSeq: rs.resultSeq,
        revealedSeq: rs.revealedSeq,
        present: rs.closed !== null ? rs.closed.present : rs.presentAtOpen,
        tokens: rs.tokens.size,
        ballots: rs.ballots,
        voted: rs.closed === null ? null : rs.closed.voted.map((d) => d.member),
        closedHash,
        comparisonCode: rs.closedHash === null ? null : comparisonCodeOf(rs.closedHash),
        sumsVerified: rs.closed !== null && rs.proofsChecked,
        decryptions: [...rs.decryptions.keys()],
        counts: rs.counts === null ? null : rs.counts.map((c) => [...c]),
        result: rs.result === null ? null : structuredClone(rs.result),
        undeclared: rs.undeclared,
      };
    });
  }

  // ---- the fold ------------------------------------------------------------------------------

  // session_state.cpp apply: the envelope, then the body's own rules.
  #check(r: ChainRecord, hash: Bytes, verdict: BallotVerdict | undefined): Commit {
    if (this.#adjourned) throw forbidden('type', 'the session is adjourned: nothing follows adjourned');
    if (r.seq !== this.#length) throw new Refusal('BROKEN_LINK', 'seq', `must be ${this.#length}`);
    if (r.prev !== this.#headHex) throw new Refusal('BROKEN_LINK', 'prev', 'is not the hash of the previous record');
    // The fixed-width format orders as text; a chain's clock never runs backwards.
    if (r.time < this.#lastTime) throw badRequest('time', "is before the previous record's time");
    const isGenesis = r.type === 'genesis';
    if (isGenesis !== (this.#length === 0)) {
      throw badRequest('type', this.#length === 0 ? 'record 0 must be genesis' : 'genesis may only be record 0');
    }
    switch (r.type) {
      case 'genesis':
        return this.#genesisRecord(r.body, hash);
      case 'trustee':
        return this.#trustee(r.body);
      case 'election_key':
        return this.#electionKeyRecord(r.body);
      case 'round':
        return this.#round(r.body);
      case 'check_in':
        return this.#checkIn(r.body, r.seq);
      case 'check_out':
        return this.#checkOut(r.body);
      case 'round_opened':
        return this.#roundOpened(r.body, r.seq);
      case 'token':
        return this.#token(r.body);
      case 'ballot':
        return this.#ballot(r.body, r.seq, hash, verdict);
      case 'round_closed':
        return this.#roundClosed(r.body, r.seq, hash);
      case 'decryption':
        return this.#decryption(r.body);
      case 'result':
        return this.#result(r.body, r.seq);
      case 'revealed':
        return this.#revealed(r.body, r.seq);
      case 'adjourned':
        return this.#adjournedRecord();
    }
  }

  #genesisRecord(g: GenesisBody, hash: Bytes): Commit {
    if (g.protocol !== 'pingyi/1') throw badRequest('protocol', 'must be "pingyi/1"');
    if (g.members.length === 0) throw badRequest('members', 'the roster is empty');
    if (g.members.length > MAX_MEMBERS) throw badRequest('members', 'too many members');
    const ids = new Set<string>();
    g.members.forEach((m, i) => {
      const at = `${indexed('members', i)}.id`;
      const n = utf8Length(m.id);
      if (n === 0 || n > MAX_ID_BYTES) throw badRequest(at, 'must be 1 to 64 bytes');
      if (m.id === 'server') throw badRequest(at, '"server" is the server\'s trustee id');
      if (ids.has(m.id)) throw badRequest(at, 'appears twice in the roster');
      ids.add(m.id);
    });
    const scrutineers = new Set<string>();
    g.scrutineers.forEach((id, i) => {
      if (!ids.has(id)) throw badRequest(indexed('scrutineers', i), 'is not a member of the roster');
      if (scrutineers.has(id)) throw badRequest(indexed('scrutineers', i), 'appears twice');
      scrutineers.add(id);
    });
    // present·den > members·num must be reachable: num < den.
    if (g.quorum.num === 0 || g.quorum.den === 0 || g.quorum.num >= g.quorum.den) {
      throw badRequest('quorum', 'must have 0 < num < den');
    }
    if (g.tokenKey.hex === ZERO_HASH) throw new Refusal('INVALID_POINT', 'token_key', 'must not be the identity');
    return () => {
      this.#sessionId = hash;
      this.#sessionIdHex = toHex(hash);
      this.#genesis = g;
      this.#members = g.members.map((m) => ({
        id: m.id,
        name: m.name,
        seat: m.seat,
        scrutineer: scrutineers.has(m.id),
        deviceKey: null,
        deviceKeyHex: null,
        checkInSeq: null,
        present: false,
      }));
      this.#memberIndex = new Map(g.members.map((m, i) => [m.id, i]));
    };
  }

  #findMember(id: string): MemberState | undefined {
    const i = this.#memberIndex.get(id);
    return i === undefined ? undefined : this.#members[i];
  }

  #findTrustee(id: string): TrusteeState | undefined {
    return this.#trustees.find((t) => t.id === id);
  }

  // ---- key ceremony --------------------------------------------------------------------------

  #trustee(t: TrusteeBody): Commit {
    if (this.#electionKey !== null) throw forbidden('id', 'the election key is sealed: no trustee may be added');
    const g = this.#genesis!;
    let expectedName: string;
    if (t.id === 'server') {
      expectedName = 'server';
    } else if (g.scrutineers.includes(t.id)) {
      expectedName = this.#findMember(t.id)!.name;
    } else {
      throw forbidden('id', 'is neither "server" nor a scrutineer of genesis');
    }
    if (this.#findTrustee(t.id) !== undefined) throw forbidden('id', 'already has a trustee key');
    if (t.name !== expectedName) throw badRequest('name', `must be "${expectedName}"`);
    if (!verifyTrusteeProof(this.#sessionId!, t.id, t.key.bytes, t.proof)) {
      throw new Refusal('INVALID_PROOF', 'proof', 'proof does not verify');
    }
    return () => {
      this.#trustees.push({ id: t.id, name: t.name, key: t.key.bytes, keyHex: t.key.hex });
    };
  }

  #electionKeyRecord(e: ElectionKeyBody): Commit {
    if (this.#electionKey !== null) throw forbidden('type', 'the election key is already sealed');
    // Every trustee of genesis must have published its key: the server and each scrutineer.
    if (this.#findTrustee('server') === undefined) throw forbidden('trustees', 'the server has no trustee key');
    for (const id of this.#genesis!.scrutineers) {
      if (this.#findTrustee(id) === undefined) throw forbidden('trustees', `scrutineer ${id} has no trustee key`);
    }
    const listed = new Set<string>();
    e.trustees.forEach((id, i) => {
      if (this.#findTrustee(id) === undefined) throw notFound(indexed('trustees', i), 'has no trustee record');
      if (listed.has(id)) throw badRequest(indexed('trustees', i), 'appears twice');
      listed.add(id);
    });
    if (listed.size !== this.#trustees.length) throw badRequest('trustees', 'must list every trustee recorded');
    // X = Σ X_t (§3.5), in the order of the trustee records.
    let sum: Bytes = new Uint8Array(32);
    for (const t of this.#trustees) sum = add(sum, t.key);
    if (!equalBytes(sum, e.key.bytes)) throw badRequest('key', "is not the sum of the trustees' keys");
    return () => {
      this.#electionKey = e.key.bytes;
      this.#electionKeyHex = e.key.hex;
    };
  }

  // ---- rounds and attendance -----------------------------------------------------------------

  #round(r: RoundBody): Commit {
    if (r.round !== this.#rounds.length + 1) throw badRequest('round', `must be ${this.#rounds.length + 1}`);
    if (r.rule.kind !== r.kind) throw badRequest('rule', 'is not a rule of this kind of round');
    if (r.contests.length > MAX_CONTESTS) throw badRequest('contests', 'too many contests');
    const ids = new Set<string>();
    r.contests.forEach((c, k) => {
      const at = indexed('contests', k);
      const n = utf8Length(c.id);
      if (n === 0 || n > MAX_ID_BYTES) throw badRequest(`${at}.id`, 'must be 1 to 64 bytes');
      if (ids.has(c.id)) throw badRequest(`${at}.id`, 'appears twice in the round');
      ids.add(c.id);
      if (c.options.length > MAX_OPTIONS) throw badRequest(`${at}.options`, 'too many options');
      if (c.max > c.options.length) throw badRequest(`${at}.max`, 'must not exceed the number of options');
      if (c.min > c.max) throw badRequest(`${at}.min`, 'must not exceed max');
    });
    const shapes: ContestShape[] = r.contests.map((c) => ({ id: c.id, options: c.options, min: c.min, max: c.max }));
    // The rule was validated against these contests when the line was read (parseRule).
    const specs: ContestSpec[] = r.contests.map((c) => ({ id: c.id, options: c.options.length, min: c.min, max: c.max }));
    return () => {
      this.#rounds.push({
        def: r,
        shapes,
        specs,
        phase: 'defined',
        openedSeq: null,
        closedSeq: null,
        resultSeq: null,
        revealedSeq: null,
        presentAtOpen: null,
        tokens: new Map(),
        ballots: 0,
        sums: [],
        alphas: [],
        proofsChecked: true,
        closed: null,
        closedHash: null,
        decryptions: new Map(),
        counts: null,
        result: null,
        undeclared: null,
      });
    };
  }

  #checkIn(c: CheckInBody, seq: number): Commit {
    const m = this.#findMember(c.member);
    if (m === undefined) throw notFound('member', 'is not on the roster');
    if (m.present && m.deviceKeyHex === c.deviceKeyHex) {
      throw badRequest('member', 'is already checked in with this device key');
    }
    if (!verifyDetached(c.sig, checkinMessage(this.#sessionId!, c.member, c.deviceKey), c.deviceKey)) {
      throw new Refusal('INVALID_SIGNATURE', 'sig', 'signature does not verify');
    }
    return () => {
      m.deviceKey = c.deviceKey;
      m.deviceKeyHex = c.deviceKeyHex;
      m.checkInSeq = seq;
      if (!m.present) {
        m.present = true;
        this.#present++;
      }
    };
  }

  #checkOut(c: CheckOutBody): Commit {
    const m = this.#findMember(c.member);
    if (m === undefined) throw notFound('member', 'is not on the roster');
    if (!m.present) throw forbidden('member', 'is not checked in');
    return () => {
      m.present = false;
      this.#present--;
    };
  }

  #quorumMet(present: number): boolean {
    const q = this.#genesis!.quorum;
    return BigInt(present) * BigInt(q.den) > BigInt(this.#members.length) * BigInt(q.num);
  }

  #roundOpened(o: RoundOpenedBody, seq: number): Commit {
    const rs = this.#rounds[o.round - 1];
    if (o.round < 1 || rs === undefined) throw notFound('round', `${roundName(o.round)} is not defined`);
    if (this.#electionKey === null) throw forbidden('round', 'the election key is not sealed');
    if (rs.phase !== 'defined') throw forbidden('round', `${roundName(o.round)} was opened before`);
    if (this.#openRound !== null) throw forbidden('round', `${roundName(this.#openRound)} is open`);
    if (o.present !== this.#present) throw badRequest('present', `must be ${this.#present}, the members checked in`);
    if (!this.#quorumMet(o.present)) {
      throw new Refusal('QUORUM_NOT_MET', 'present', `${o.present} present of ${this.#members.length}`);
    }
    return () => {
      rs.phase = 'open';
      rs.openedSeq = seq;
      rs.presentAtOpen = o.present;
      rs.sums = rs.def.contests.map((c) => c.options.map(() => ({ alpha: new Uint8Array(32), beta: new Uint8Array(32) })));
      rs.alphas = rs.def.contests.map(() => new Set<string>());
      this.#openRound = o.round;
    };
  }

  // The round a record needs open: NOT_FOUND when it is not defined, ROUND_NOT_OPEN otherwise.
  #openRoundNamed(n: number): RoundState {
    const rs = n >= 1 ? this.#rounds[n - 1] : undefined;
    if (rs === undefined) throw notFound('round', `${roundName(n)} is not defined`);
    if (this.#openRound !== n) throw new Refusal('ROUND_NOT_OPEN', 'round', `${roundName(n)} is not open`);
    return rs;
  }

  // ---- tokens and ballots --------------------------------------------------------------------

  #token(t: TokenBody): Commit {
    const rs = this.#openRoundNamed(t.round);
    const m = this.#findMember(t.member);
    if (m === undefined) throw notFound('member', 'is not on the roster');
    if (!m.present || m.deviceKey === null) throw forbidden('member', 'is not checked in');
    if (rs.tokens.has(t.member)) throw new Refusal('ALREADY_ISSUED', 'member', `already holds a token in ${roundName(t.round)}`);
    if (t.blinded.hex === ZERO_HASH) throw new Refusal('INVALID_POINT', 'blinded', 'must not be the identity');
    if (t.evaluated.hex === ZERO_HASH) throw new Refusal('INVALID_POINT', 'evaluated', 'must not be the identity');
    // §3.2 step 2: requested with the member's current device key, evaluated under pkT (RFC 9497
    // proof, batch of one) — a per-member key would tag the member's ballot.
    if (!verifyDetached(t.requestSig, tokenRequestMessage(this.#sessionId!, t.round, t.blinded.bytes), m.deviceKey)) {
      throw new Refusal('INVALID_SIGNATURE', 'request_sig', 'signature does not verify');
    }
    const pkT = this.#genesis!.tokenKey.bytes;
    if (!verifyProof(pkT, basePoint(), pkT, [t.blinded.bytes], [t.evaluated.bytes], t.proof)) {
      throw new Refusal('INVALID_PROOF', 'proof', 'proof does not verify');
    }
    const key = m.deviceKey;
    return () => {
      rs.tokens.set(t.member, key);
    };
  }

  #ballot(b: BallotBody, seq: number, hash: Bytes, verdict: BallotVerdict | undefined): Commit {
    const rs = this.#openRoundNamed(b.round);
    if (this.#spentVks.has(b.vkHex)) throw new Refusal('TOKEN_SPENT', 'vk', 'has already cast a ballot');
    if (rs.ballots >= rs.tokens.size) {
      throw new Refusal('INVALID_TOKEN', 'token', `more ballots than tokens issued in ${roundName(b.round)}`);
    }
    // The shape, so that α can be compared contest by contest; the proof check looks again.
    if (b.contests.length !== rs.specs.length) throw badRequest('contests', `must hold ${rs.specs.length} contests`);
    b.contests.forEach((c, k) => {
      const at = indexed('contests', k);
      if (c.id !== rs.specs[k]!.id) throw badRequest(`${at}.id`, "is not the round's contest");
      if (c.selections.length !== rs.specs[k]!.options) throw badRequest(`${at}.selections`, 'must hold one selection per option');
    });
    // §3.3: no α accepted before in this round and contest, none twice within the ballot.
    b.contests.forEach((c, k) => {
      const inBallot = new Set<string>();
      c.selections.forEach((s, i) => {
        if (rs.alphas[k]!.has(s.alpha.hex) || inBallot.has(s.alpha.hex)) {
          throw new Refusal('DUPLICATE_CIPHERTEXT', `${indexed('contests', k)}.${indexed('selections', i)}.alpha`, 'repeats a ciphertext already cast');
        }
        inBallot.add(s.alpha.hex);
      });
    });
    let checked = false;
    if (this.#checkProofs) {
      const ctx = this.ballotContext(b.round)!;
      let error: { code: string; field: string; message: string } | null;
      if (verdict !== undefined && verdict.context === contextKey(b.round, ctx)) {
        error = verdict.error;
      } else {
        error = checkBallotProofs(ctx, b);
      }
      if (error !== null) throw new Refusal(error.code, error.field, error.message);
      checked = true;
    }
    return () => {
      this.#spentVks.set(b.vkHex, seq);
      b.contests.forEach((c, k) => {
        const sums = rs.sums[k]!;
        c.selections.forEach((s, i) => {
          rs.alphas[k]!.add(s.alpha.hex);
          sums[i] = { alpha: add(sums[i]!.alpha, s.alpha.bytes), beta: add(sums[i]!.beta, s.beta.bytes) };
        });
      });
      rs.ballots++;
      rs.proofsChecked &&= checked;
      const entry: BallotEntry = { seq, round: b.round, hash: toHex(hash), code: receiptCode(hash) };
      this.#ballotsByHash.set(entry.hash, entry);
      if (!this.#ballotsByCode.has(entry.code)) this.#ballotsByCode.set(entry.code, entry);
    };
  }

  // ---- closing, decryption, result -----------------------------------------------------------

  #roundClosed(c: RoundClosedBody, seq: number, hash: Bytes): Commit {
    const rs = this.#openRoundNamed(c.round);
    if (c.present !== this.#present) throw badRequest('present', `must be ${this.#present}, the members checked in`);
    if (c.tokens !== rs.tokens.size) throw badRequest('tokens', `must be ${rs.tokens.size}, the tokens issued`);
    if (c.ballots !== rs.ballots) throw badRequest('ballots', `must be ${rs.ballots}, the ballots accepted`);
    const voted = votedMessage(this.#sessionId!, c.round);
    c.voted.forEach((d, i) => {
      const at = indexed('voted', i);
      if (i > 0 && !utf8Less(c.voted[i - 1]!.member, d.member)) {
        throw badRequest(`${at}.member`, 'must be sorted by member id, each member once');
      }
      if (this.#findMember(d.member) === undefined) throw notFound(`${at}.member`, 'is not on the roster');
      const key = rs.tokens.get(d.member);
      if (key === undefined) throw forbidden(`${at}.member`, `holds no token in ${roundName(c.round)}`);
      // §3.2 step 4: verified with the key that signed the member's token request in this round.
      if (!verifyDetached(d.sig, voted, key)) throw new Refusal('INVALID_SIGNATURE', `${at}.sig`, 'signature does not verify');
    });
    if (c.ballots === 0) {
      if (c.sums.length !== 0) throw badRequest('sums', 'must be empty when there are no ballots');
    } else {
      if (c.sums.length !== rs.sums.length) throw badRequest('sums', 'must hold one entry per contest');
      c.sums.forEach((s, k) => {
        const at = indexed('sums', k);
        if (s.id !== rs.def.contests[k]!.id) throw badRequest(`${at}.id`, "is not the round's contest");
        if (s.options.length !== rs.sums[k]!.length) throw badRequest(`${at}.options`, 'must hold one sum per option');
        rs.sums[k]!.forEach((sum, i) => {
          const o = s.options[i]!;
          if (!equalBytes(o.alpha.bytes, sum.alpha) || !equalBytes(o.beta.bytes, sum.beta)) {
            throw badRequest(`${at}.${indexed('options', i)}`, "is not the sum of the round's ballots");
          }
        });
      });
    }
    return () => {
      rs.phase = 'closed';
      rs.closedSeq = seq;
      rs.closed = c;
      rs.closedHash = hash;
      rs.alphas = [];
      rs.undeclared = c.ballots - c.voted.length;
      // A round with zero ballots has all counts 0 and nothing to decrypt (§3.4).
      if (c.ballots === 0) rs.counts = rs.def.contests.map((contest) => contest.options.map(() => 0));
      this.#openRound = null;
    };
  }

  #decryption(d: DecryptionBody): Commit {
    const rs = d.round >= 1 ? this.#rounds[d.round - 1] : undefined;
    if (rs === undefined) throw notFound('round', `${roundName(d.round)} is not defined`);
    if (rs.phase !== 'closed') throw forbidden('round', `${roundName(d.round)} is ${rs.phase}, not closed`);
    if (rs.closed!.ballots === 0) throw forbidden('round', `${roundName(d.round)} has no ballots to decrypt`);
    const t = this.#findTrustee(d.trustee);
    if (t === undefined) throw notFound('trustee', 'is not a trustee of the session');
    if (rs.decryptions.has(d.trustee)) throw forbidden('trustee', `has already decrypted ${roundName(d.round)}`);
    if (d.shares.length !== rs.sums.length) throw badRequest('shares', 'must hold one entry per contest');
    const points: Bytes[][] = [];
    d.shares.forEach((contest, k) => {
      const at = indexed('shares', k);
      const contestId = rs.def.contests[k]!.id;
      if (contest.id !== contestId) throw badRequest(`${at}.id`, "is not the round's contest");
      if (contest.options.length !== rs.sums[k]!.length) throw badRequest(`${at}.options`, 'must hold one share per option');
      points.push(
        rs.sums[k]!.map((sum, i) => {
          const share = contest.options[i]!;
          // §3.4: the proof is bound to this round's round_closed hash, so a share made on a
          // fork is useless here.
          const ctx = {
            sessionId: this.#sessionId!,
            closedHash: rs.closedHash!,
            round: d.round,
            contestId,
            option: i,
            trusteeId: d.trustee,
            trusteeKey: t.key,
          };
          if (!verifyDecryptionShare(ctx, sum.alpha, share.share.bytes, share.proof)) {
            throw new Refusal('INVALID_PROOF', `${at}.${indexed('options', i)}.proof`, 'proof does not verify');
          }
          return share.share.bytes;
        }),
      );
    });
    let counts: number[][] | null = null;
    if (rs.decryptions.size + 1 === this.#trustees.length) {
      const all = [...rs.decryptions.values(), points];
      counts = this.#recoverCounts(rs, all);
    }
    return () => {
      rs.decryptions.set(d.trustee, points);
      if (counts !== null) rs.counts = counts;
    };
  }

  // M = B − Σ D_t = count·G, count in [0, ballots] (§3.4).
  #recoverCounts(rs: RoundState, all: Bytes[][][]): number[][] {
    const ballots = rs.closed!.ballots;
    return rs.sums.map((contest, k) =>
      contest.map((sum, i) => {
        let M = sum.beta;
        for (const d of all) M = sub(M, d[k]![i]!);
        const count = recoverCount(M, ballots);
        if (count === null) {
          throw new Refusal('INTERNAL', `${indexed('shares', k)}.${indexed('options', i)}`, 'the shares do not decrypt to a count within the ballots');
        }
        return count;
      }),
    );
  }

  #result(b: ResultBody, seq: number): Commit {
    const rs = b.round >= 1 ? this.#rounds[b.round - 1] : undefined;
    if (rs === undefined) throw notFound('round', `${roundName(b.round)} is not defined`);
    if (rs.phase !== 'closed') throw forbidden('round', `${roundName(b.round)} is ${rs.phase}, not closed`);
    if (rs.counts === null) {
      const waiting = this.#trustees.filter((t) => !rs.decryptions.has(t.id)).map((t) => t.id);
      throw forbidden('round', `decryption is incomplete: waiting for ${waiting.join(', ')}`);
    }
    const closed = rs.closed!;
    const undeclared = closed.ballots - closed.voted.length;
    if (b.ballots !== closed.ballots) throw badRequest('ballots', 'must equal round_closed.ballots');
    if (b.present !== closed.present) throw badRequest('present', 'must equal round_closed.present');
    if (b.undeclared !== undeclared) throw badRequest('undeclared', 'must equal ballots − declarations');
    const expected = resultsFor(rs.def.rule, rs.shapes, {
      members: this.#members.length,
      present: closed.present,
      ballots: closed.ballots,
      counts: rs.counts,
    });
    if (b.contests.length !== expected.length) throw badRequest('contests', 'must hold one result per contest');
    b.contests.forEach((c, k) => {
      if (!sameResult(c, expected[k]!)) {
        throw badRequest(indexed('contests', k), "is not what the decrypted counts and the round's rule give");
      }
    });
    return () => {
      rs.phase = 'resulted';
      rs.resultSeq = seq;
      rs.result = b.contests;
    };
  }

  #revealed(b: RevealedBody, seq: number): Commit {
    const rs = b.round >= 1 ? this.#rounds[b.round - 1] : undefined;
    if (rs === undefined) throw notFound('round', `${roundName(b.round)} is not defined`);
    if (rs.phase !== 'resulted') throw forbidden('round', `${roundName(b.round)} has no result to reveal, or was revealed`);
    return () => {
      rs.phase = 'revealed';
      rs.revealedSeq = seq;
    };
  }

  #adjournedRecord(): Commit {
    if (this.#openRound !== null) throw forbidden('type', `${roundName(this.#openRound)} is open`);
    return () => {
      this.#adjourned = true;
    };
  }
}

// Field by field, the kind included (a motion's shape in an evaluation round differs).
function sameResult(a: ResultContest, b: ResultContest): boolean {
  const keys = ['id', 'grade', 'passed', 'rate_bp', 'score_x100', 'rank'] as const;
  for (const k of keys) {
    if ((k in a) !== (k in b) || a[k] !== b[k]) return false;
  }
  return sameList(a.counts, b.counts) && sameList(a.selected, b.selected) && sameList(a.tied, b.tied);
}

function sameList(a: number[] | undefined, b: number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
