// A stand-in for pingyi-server, for the tablet's tests: it serves the cross-implementation
// vectors' chain (tests/vectors/pingyi-v1.json) record by record, with its signed heads, and
// answers a tablet's requests as docs/PROTOCOL.md §5 says — checking every signature and proof
// the real server checks — releasing the chain's record for a request when the request is the
// one the vectors recorded. Tablets made with the vectors' seeds therefore walk through the
// vectors' session, and the tablet's own verifier checks what it is shown.
import { DeterministicRng, type Rng } from '../../../src/crypto/rng';
import { fromHex, toHex, utf8 } from '../../../src/crypto/bytes';
import { sha256 } from '../../../src/crypto/hash';
import { pointFromHex } from '../../../src/crypto/group';
import {
  checkinMessage,
  headMessage,
  signDetached,
  signKeyPairFromSeed,
  tokenRequestMessage,
  verifyDetached,
  votedMessage,
} from '../../../src/crypto/sign';
import { verifyTrusteeProof } from '../../../src/crypto/trustee';
import { verifyDecryptionShare } from '../../../src/crypto/decryption';
import { blindEvaluate } from '../../../src/crypto/voprf';
import { ApiError } from '../../../src/net/errors';
import type { ConnState, Message, SocketOptions } from '../../../src/net/socket';
import type { LiveSocket, RngPurpose } from '../../../src/pages/tablet/controller';
import { readVectorFile } from '../../support/vector-file';

type Proof = { c: string; s: string };
interface VToken {
  member: string;
  ephemeral_seed: string;
  vk: string;
  input: string;
  blind_seed: string;
  blind: string;
  blinded: string;
  request_sig: string;
  evaluated: string;
  proof: Proof;
  token: string;
}
interface VBallot {
  member: string;
  choices: number[][];
  ballot_seed: string;
  cast: Record<string, unknown> & { vk: string };
  receipt: { seq: number; hash: string; sig: string };
  receipt_code: string;
}
interface VRound {
  round: number;
  contests: { id: string; options: number; min: number; max: number }[];
  tokens: VToken[];
  ballots: VBallot[];
  closed_hash: string;
  comparison_code: string;
}
export interface ChainEntry {
  line: string;
  hash: string;
  head_sig: string;
}
export interface VectorFile {
  session: { server_key_seed: string; server_key: string; token_key: { sk: string; pk: string }; genesis_line: string; session_id: string };
  trustees: { scrutineers: { id: string; code: string; code_display: string; code_seed: string; x: string; key: string; proof_seed: string }[] };
  check_ins: { member: string; device_seed: string; device_key: string; sig: string }[];
  rounds: VRound[];
  chain: ChainEntry[];
}

export const V = readVectorFile('pingyi-v1.json') as VectorFile;

export const SID = V.session.session_id;
const sidBytes = () => fromHex(SID, 32);

export function record(seq: number): Record<string, unknown> {
  return JSON.parse(V.chain[seq]!.line) as Record<string, unknown>;
}

/** The seq of the first record matching. */
export function seqOf(match: (r: Record<string, unknown>) => boolean): number {
  for (let seq = 0; seq < V.chain.length; seq++) if (match(record(seq))) return seq;
  throw new Error('no such record in the vectors');
}

export const seqs = {
  checkIn: (member: string) => seqOf((r) => r.type === 'check_in' && r.member === member),
  trustee: (id: string) => seqOf((r) => r.type === 'trustee' && r.id === id),
  electionKey: () => seqOf((r) => r.type === 'election_key'),
  opened: (round: number) => seqOf((r) => r.type === 'round_opened' && r.round === round),
  closed: (round: number) => seqOf((r) => r.type === 'round_closed' && r.round === round),
  token: (round: number, member: string) => seqOf((r) => r.type === 'token' && r.round === round && r.member === member),
  ballotOf: (vk: string) => seqOf((r) => r.type === 'ballot' && r.vk === vk),
  decryption: (round: number, trustee: string) => seqOf((r) => r.type === 'decryption' && r.round === round && r.trustee === trustee),
  result: (round: number) => seqOf((r) => r.type === 'result' && r.round === round),
  adjourned: () => seqOf((r) => r.type === 'adjourned'),
};

/** A Rng whose draws are given (an Ed25519 seed recorded as bytes, not as a DeterministicRng seed). */
export function fixedRng(...draws: Uint8Array[]): Rng {
  return {
    bytes(n: number) {
      const d = draws.shift();
      if (!d || d.length !== n) throw new Error(`fixedRng: no ${n}-byte draw left`);
      return d.slice();
    },
  };
}

/** The randomness of one vectors member's tablet: its device key, and per round (in the order
 *  the tablet asks) its ephemeral key and blind; its recovery code and proof for a scrutineer. */
export function memberRng(member: string, rounds: number[]): (purpose: RngPurpose) => Rng {
  const checkIn = V.check_ins.find((c) => c.member === member)!;
  const queues: Record<RngPurpose, Rng[]> = {
    device: [fixedRng(fromHex(checkIn.device_seed, 32))],
    ephemeral: rounds.map((r) => new DeterministicRng(fromHex(V.rounds[r - 1]!.tokens.find((t) => t.member === member)!.ephemeral_seed, 32))),
    blind: rounds.map((r) => new DeterministicRng(fromHex(V.rounds[r - 1]!.tokens.find((t) => t.member === member)!.blind_seed, 32))),
    recovery: [],
    trustee_proof: [],
    share: [],
  };
  const s = V.trustees.scrutineers.find((x) => x.id === member);
  if (s) {
    queues.recovery.push(new DeterministicRng(fromHex(s.code_seed, 32)));
    queues.trustee_proof.push(new DeterministicRng(fromHex(s.proof_seed, 32)));
  }
  let shareCounter = 0;
  return (purpose) => {
    if (purpose === 'share') return new DeterministicRng(sha256(utf8(`share ${member} ${shareCounter++}`)));
    const next = queues[purpose].shift();
    if (!next) throw new Error(`memberRng(${member}): no ${purpose} randomness left`);
    return next;
  };
}

/** Per-member option indices of the vectors' ballot (the file records 0/1 per option). */
export function vectorChoices(round: number, member: string): number[][] {
  const b = V.rounds[round - 1]!.ballots.find((x) => x.member === member)!;
  return b.choices.map((c) => c.flatMap((v, i) => (v === 1 ? [i] : [])));
}

export function vectorBallot(round: number, member: string): VBallot {
  return V.rounds[round - 1]!.ballots.find((x) => x.member === member)!;
}

/** The vectors' chain with the line at `seq` replaced, every later line re-linked (its prev) and
 *  every head from there on signed again with the vectors' server key: a chain the server could
 *  publish, whose every link and signature holds — only what `edit` changed can be caught. */
export function forgedChain(seq: number, edit: (line: string) => string): ChainEntry[] {
  const server = signKeyPairFromSeed(fromHex(V.session.server_key_seed, 32));
  const out = V.chain.slice(0, seq).map((e) => ({ ...e }));
  for (let i = seq; i < V.chain.length; i++) {
    let line = i === seq ? edit(V.chain[i]!.line) : V.chain[i]!.line;
    if (i === seq && line === V.chain[i]!.line) throw new Error('forgedChain: the edit changed nothing');
    line = line.replace(/^\{"seq":\d+,"prev":"[0-9a-f]{64}"/, `{"seq":${i},"prev":"${out[i - 1]!.hash}"`);
    const hash = sha256(utf8(line));
    const headSig = signDetached(headMessage(sidBytes(), i, hash), server.secretKey);
    out.push({ line, hash: toHex(hash), head_sig: toHex(headSig) });
  }
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function fail(code: string, message: string): never {
  throw new ApiError(code, message);
}

export class FakeServer {
  /** Lines released so far (the durable chain's length). */
  served = 0;
  /** Canonical check-in code → member. */
  readonly codes = new Map<string, string>();
  readonly deviceKeys = new Map<string, string>();
  readonly secrets = new Map<string, string>();
  readonly sockets = new Set<FakeSocket>();
  readonly log: { type: string; member: string | null; fields: Message }[] = [];
  /** Every check-in hello received, in order, whatever the answer. */
  readonly checkInHellos: Message[] = [];
  readonly casts: Record<string, unknown>[] = [];
  readonly issued = new Map<string, string>();
  readonly declared = new Set<string>();
  /** A request type whose next occurrence is lost: before the server sees it, or its reply after. */
  readonly lose = new Map<string, 'request' | 'reply'>();
  /** Casting fails with NETWORK while true. */
  castDown = false;
  /** Replaces the vectors' answer to a cast. */
  onCast: ((body: Record<string, unknown>) => Record<string, unknown>) | null = null;
  /** Whether a check-in releases the chain up to the member's check_in record. */
  releaseCheckIn = true;
  private epoch = 0;

  /** `chain`: what this server publishes (the vectors' chain, or a forgery of it). */
  constructor(
    served = 0,
    readonly chain: readonly ChainEntry[] = V.chain,
  ) {
    this.release(served);
  }

  release(n: number): void {
    const target = Math.min(n, this.chain.length);
    while (this.served < target) {
      const seq = this.served++;
      for (const s of [...this.sockets]) s.deliver(seq);
    }
  }

  head(): Message {
    const seq = this.served - 1;
    return { seq, hash: this.chain[seq]!.hash, sig: this.chain[seq]!.head_sig };
  }

  private isOpen(round: number): boolean {
    let open = false;
    for (let seq = 0; seq < this.served; seq++) {
      const r = record(seq);
      if (r.round !== round) continue;
      if (r.type === 'round_opened') open = true;
      if (r.type === 'round_closed') open = false;
    }
    return open;
  }

  role(member: string): string {
    return V.trustees.scrutineers.some((s) => s.id === member) ? 'scrutineer' : 'member';
  }

  /** Resets a member as the secretariat would: the device secret is revoked, a new code given. */
  reset(member: string, newCode: string): void {
    for (const [secret, m] of this.secrets) if (m === member) this.secrets.delete(secret);
    this.deviceKeys.delete(member);
    this.codes.set(newCode, member);
    for (const s of [...this.sockets]) if (s.member === member) s.drop();
  }

  helloCode(f: Message): Message {
    const member = this.codes.get(String(f.code));
    if (!member) fail('UNAUTHORIZED', 'code: is not a check-in code of this session');
    const dk = String(f.device_key);
    const known = this.deviceKeys.get(member);
    if (known !== undefined && known !== dk) fail('CODE_USED', 'code: has already been used by another device; the secretariat can reset it');
    if (!verifyDetached(fromHex(String(f.sig), 64), checkinMessage(sidBytes(), member, fromHex(dk, 32)), fromHex(dk, 32))) {
      fail('INVALID_SIGNATURE', "sig: is not the device key's check-in signature");
    }
    this.deviceKeys.set(member, dk);
    if (this.releaseCheckIn) this.release(seqs.checkIn(member) + 1);
    const secret = toHex(sha256(utf8(`${member}|${dk}|${this.epoch}`)));
    this.secrets.set(secret, member);
    this.log.push({ type: 'hello-code', member, fields: f });
    return { ok: true, role: this.role(member), member, device: secret, head: this.head() };
  }

  helloDevice(f: Message): { reply: Message; member: string } {
    const member = this.secrets.get(String(f.device));
    if (!member) fail('UNAUTHORIZED', 'device: is not a device of this session');
    this.log.push({ type: 'hello-device', member, fields: f });
    return { reply: { ok: true, role: this.role(member), member, device: String(f.device), head: this.head() }, member };
  }

  handle(member: string, type: string, f: Message): Message {
    this.log.push({ type, member, fields: f });
    switch (type) {
      case 'token':
        return this.token(member, f);
      case 'voted':
        return this.voted(member, f);
      case 'trustee_key':
        return this.trusteeKey(member, f);
      case 'decryption':
        return this.decryption(member, f);
      default:
        fail('BAD_REQUEST', `type: ${type} is not handled by the fake server`);
    }
  }

  private token(member: string, f: Message): Message {
    const round = Number(f.round);
    const blinded = String(f.blinded);
    const dk = this.deviceKeys.get(member)!;
    if (!verifyDetached(fromHex(String(f.request_sig), 64), tokenRequestMessage(sidBytes(), round, fromHex(blinded, 32)), fromHex(dk, 32))) {
      fail('INVALID_SIGNATURE', 'request_sig: does not verify');
    }
    if (!this.isOpen(round)) fail('ROUND_NOT_OPEN', 'round: is not open');
    const key = `${member}:${round}`;
    const before = this.issued.get(key);
    if (before !== undefined && before !== blinded) fail('ALREADY_ISSUED', 'round: a token was issued to this member');
    this.issued.set(key, blinded);
    const v = V.rounds[round - 1]?.tokens.find((t) => t.member === member);
    if (v && v.blinded === blinded) {
      this.release(seqs.token(round, member) + 1);
      return { ok: true, evaluated: v.evaluated, proof: v.proof };
    }
    const { evaluated, proof } = blindEvaluate(
      fromHex(V.session.token_key.sk, 32),
      fromHex(V.session.token_key.pk, 32),
      [pointFromHex(blinded)],
      new DeterministicRng(sha256(utf8(blinded))),
    );
    return { ok: true, evaluated: toHex(evaluated[0]!), proof: { c: toHex(proof.c), s: toHex(proof.s) } };
  }

  private voted(member: string, f: Message): Message {
    const round = Number(f.round);
    if (!this.isOpen(round)) fail('ROUND_NOT_OPEN', 'round: is not open');
    if (!this.issued.has(`${member}:${round}`)) fail('FORBIDDEN', `member: holds no token in round ${round}`);
    const dk = this.deviceKeys.get(member)!;
    if (!verifyDetached(fromHex(String(f.sig), 64), votedMessage(sidBytes(), round), fromHex(dk, 32))) fail('INVALID_SIGNATURE', 'sig: does not verify');
    this.declared.add(`${member}:${round}`);
    return { ok: true };
  }

  private trusteeKey(member: string, f: Message): Message {
    const p = f.proof as Proof;
    const key = String(f.key);
    if (this.served > seqs.electionKey()) fail('FORBIDDEN', 'the election key is sealed');
    if (!verifyTrusteeProof(sidBytes(), member, fromHex(key, 32), { c: fromHex(p.c, 32), s: fromHex(p.s, 32) })) fail('INVALID_PROOF', 'proof: does not verify');
    const vkey = V.trustees.scrutineers.find((s) => s.id === member)?.key;
    if (key !== vkey) fail('BAD_REQUEST', 'key: the fake server only knows the vectors key');
    const seq = seqs.trustee(member);
    this.release(seq + 1);
    return { ok: true, seq };
  }

  private decryption(member: string, f: Message): Message {
    const round = Number(f.round);
    const closedSeq = seqs.closed(round);
    if (this.served <= closedSeq) fail('FORBIDDEN', 'round: is not closed');
    const closed = record(closedSeq) as { sums: { id: string; options: { alpha: string }[] }[] };
    const key = V.trustees.scrutineers.find((s) => s.id === member)!.key;
    const shares = f.shares as { id: string; options: { share: string; proof: Proof }[] }[];
    if (shares.length !== closed.sums.length) fail('BAD_REQUEST', 'shares: not the round’s contests');
    shares.forEach((contest, k) => {
      const sum = closed.sums[k]!;
      if (contest.id !== sum.id || contest.options.length !== sum.options.length) fail('BAD_REQUEST', `shares[${k}]: not the round’s contest`);
      contest.options.forEach((o, option) => {
        const ok = verifyDecryptionShare(
          { sessionId: sidBytes(), closedHash: fromHex(this.chain[closedSeq]!.hash, 32), round, contestId: contest.id, option, trusteeId: member, trusteeKey: fromHex(key, 32) },
          pointFromHex(sum.options[option]!.alpha, { allowIdentity: true }),
          pointFromHex(o.share, { allowIdentity: true }),
          { c: fromHex(o.proof.c, 32), s: fromHex(o.proof.s, 32) },
        );
        if (!ok) fail('INVALID_PROOF', `shares[${k}].options[${option}].proof: does not verify`);
      });
    });
    const seq = seqs.decryption(round, member);
    if (this.served > seq) fail('FORBIDDEN', 'round: this trustee already decrypted it');
    this.release(seq + 1);
    return { ok: true, seq };
  }

  async cast(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.castDown) throw new ApiError('NETWORK', 'Failed to fetch');
    this.casts.push(structuredClone(body));
    if (this.onCast) return this.onCast(body);
    const round = Number(body.round);
    const v = V.rounds[round - 1]?.ballots.find((b) => b.cast.vk === body.vk);
    if (!v) fail('BAD_REQUEST', 'the fake server only knows the vectors ballots');
    if (canonical(v.cast) !== canonical(body)) fail('TOKEN_SPENT', 'vk: has already cast a different ballot');
    if (!this.isOpen(round) && this.served <= v.receipt.seq) fail('ROUND_NOT_OPEN', 'round: is not open');
    this.release(v.receipt.seq + 1);
    return { ok: true, receipt: v.receipt };
  }

  openSocket(opts: SocketOptions): FakeSocket {
    return new FakeSocket(this, opts);
  }

  /** A check-in hello on a connection of its own (the tablet's checkInHello): every attempt is
   *  kept in `checkInHellos`, accepted or not. */
  async checkInHello(fields: Message): Promise<Message> {
    await Promise.resolve();
    this.checkInHellos.push(structuredClone(fields));
    return this.helloCode(fields);
  }
}

export class FakeSocket implements LiveSocket {
  state: ConnState = 'offline';
  member: string | null = null;
  private next = 0;
  private stopped = false;

  constructor(
    private readonly server: FakeServer,
    private readonly opts: SocketOptions,
  ) {}

  private setState(s: ConnState): void {
    if (this.state === s) return;
    this.state = s;
    this.opts.onState?.(s);
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Connects (again): hello, then the records from the hello's `from`. */
  async connect(): Promise<void> {
    this.setState('connecting');
    const fields = await this.opts.hello!();
    if (this.stopped) return;
    let hello: { reply: Message; member: string };
    try {
      hello = this.server.helloDevice(fields);
    } catch (e) {
      const keep = this.opts.onHelloError?.(e as ApiError) ?? false;
      if (keep) this.setState('offline');
      else this.stop();
      return;
    }
    this.member = hello.member;
    await this.opts.onHello?.(hello.reply);
    if (this.stopped) return;
    this.server.sockets.add(this);
    this.next = typeof fields.from === 'number' ? fields.from : this.server.served;
    this.setState('online');
    while (this.next < this.server.served && this.state === 'online') this.deliver(this.next);
  }

  deliver(seq: number): void {
    if (this.state !== 'online' || seq !== this.next) return;
    this.next++;
    const entry = this.server.chain[seq]!;
    this.opts.onPush({ type: 'record', seq, line: entry.line, sig: entry.head_sig });
  }

  /** The connection drops (the tablet's ReconnectingSocket would then reconnect). */
  drop(): void {
    this.server.sockets.delete(this);
    if (!this.stopped) this.setState('offline');
  }

  stop(): void {
    this.stopped = true;
    this.server.sockets.delete(this);
    this.setState('stopped');
  }

  async request(type: string, fields: Message = {}): Promise<Message> {
    await Promise.resolve();
    if (this.state !== 'online' || !this.member) throw new ApiError('NETWORK', 'not connected');
    // A lost request or reply is a connection that dropped: the tablet hears of it as NETWORK
    // and waits for the next connection.
    const lost = this.server.lose.get(type);
    if (lost === 'request') {
      this.server.lose.delete(type);
      this.drop();
      throw new ApiError('NETWORK', 'connection closed');
    }
    const reply = this.server.handle(this.member, type, fields);
    if (lost === 'reply') {
      this.server.lose.delete(type);
      this.drop();
      throw new ApiError('NETWORK', 'connection closed');
    }
    return reply;
  }
}

/** The device secret the fake server gives a member's tablet (for tests that start checked in). */
export function deviceKeyOf(member: string): { publicKey: string; seed: string } {
  const c = V.check_ins.find((x) => x.member === member)!;
  const kp = signKeyPairFromSeed(fromHex(c.device_seed, 32));
  return { publicKey: toHex(kp.publicKey), seed: c.device_seed };
}
