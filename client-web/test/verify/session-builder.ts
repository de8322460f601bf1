// Whole sessions written from scratch, record by record, as the server, the tablets and the
// scrutineers would write them (DESIGN.md §3), for what the vector chain does not hold: large
// rounds (the 200 × 30 benchmark), motions, rounds without ballots, check-outs, device resets,
// ballots nobody declared. Every party's keys come from one seeded stream, so a session is the
// same on every run. Lines are compact JSON in §3.6 key order, as the C++ encoder writes them.
import {
  type Bytes,
  type ContestSpec,
  DeterministicRng,
  IDENTITY,
  add,
  ballotToJson,
  basePoint,
  blind,
  blindEvaluate,
  buildBallot,
  checkinMessage,
  decryptionShare,
  generateProof,
  hashToGroupVoprf,
  mulBase,
  randomScalar,
  sha256,
  signDetached,
  signKeyPair,
  toHex,
  tokenInput,
  tokenRequestMessage,
  trusteeProof,
  unblind,
  utf8,
  votedMessage,
} from '../../src/crypto';
import { computeResults } from '../../src/verify/results';
import type { ContestInfo, RoundKind } from '../../src/verify/types';

type KeyPair = { publicKey: Bytes; secretKey: Bytes };

export interface Voter {
  member: string;
  eph: KeyPair;
  token: Bytes; // N
}

interface RoundBook {
  kind: RoundKind;
  contests: ContestInfo[];
  rule: Record<string, unknown>;
  tokens: Map<string, Voter>;
  sums: { alpha: Bytes; beta: Bytes }[][];
  counts: number[][];
  ballots: number;
  closedHash: Bytes | null;
  present: number;
  declared: number;
}

export const THREE_GRADES = ['满意', '基本满意', '不满意'];

export class SessionBuilder {
  readonly lines: string[] = [];
  readonly members: string[];
  readonly sessionId: Bytes;
  readonly #rng: DeterministicRng;
  readonly #server: KeyPair;
  readonly #skT: Bytes;
  readonly #pkT: Bytes;
  readonly #trustees: { id: string; x: Bytes }[] = [];
  readonly #devices = new Map<string, KeyPair>();
  readonly #tokenDevices = new Map<string, Bytes>(); // "round/member" → key kept before a reset
  readonly #present = new Set<string>();
  readonly #rounds: RoundBook[] = [];
  #electionKey: Bytes = IDENTITY;
  #clock = Date.parse('2026-11-23T09:00:00.000Z');

  constructor(opts: { members: number; scrutineers: number; seed: string }) {
    this.#rng = new DeterministicRng(sha256(utf8(`pingyi session builder: ${opts.seed}`)));
    this.#server = signKeyPair(this.#rng);
    this.#skT = randomScalar(this.#rng);
    this.#pkT = mulBase(this.#skT);
    this.members = Array.from({ length: opts.members }, (_, i) => `m${String(i + 1).padStart(4, '0')}`);
    const scrutineers = this.members.slice(0, opts.scrutineers);
    const nonce = toHex(this.#rng.bytes(32));
    this.#append('genesis', {
      protocol: 'pingyi/1',
      title: '某县人大常委会 述职评议（生成）',
      committee: '某县人民代表大会常务委员会',
      date: '2026-11-23',
      nonce,
      server_key: toHex(this.#server.publicKey),
      token_key: toHex(this.#pkT),
      members: this.members.map((id, i) => ({ id, name: `委员${i + 1}`, seat: String(i + 1) })),
      quorum: { num: 1, den: 2 },
      scrutineers,
    });
    this.sessionId = sha256(utf8(this.lines[0]!));
    for (const id of ['server', ...scrutineers]) {
      const x = randomScalar(this.#rng);
      const { key, proof } = trusteeProof(this.sessionId, id, x, this.#rng);
      const name = id === 'server' ? 'server' : `委员${this.members.indexOf(id) + 1}`;
      this.#append('trustee', { id, name, key: toHex(key), proof: { c: toHex(proof.c), s: toHex(proof.s) } });
      this.#trustees.push({ id, x });
      this.#electionKey = add(this.#electionKey, key);
    }
    this.#append('election_key', { trustees: this.#trustees.map((t) => t.id), key: toHex(this.#electionKey) });
  }

  #append(type: string, body: Record<string, unknown>): string {
    const seq = this.lines.length;
    const prev = seq === 0 ? '0'.repeat(64) : toHex(sha256(utf8(this.lines[seq - 1]!)));
    const time = new Date(this.#clock).toISOString();
    this.#clock += 250;
    const line = JSON.stringify({ seq, prev, time, type, ...body });
    this.lines.push(line);
    return line;
  }

  /** A round of any kind. */
  round(kind: RoundKind, contests: ContestInfo[], rule: Record<string, unknown>): number {
    const n = this.#rounds.length + 1;
    this.#append('round', { round: n, title: `第${n}轮`, kind, contests, rule });
    this.#rounds.push({
      kind, contests, rule, tokens: new Map(), ballots: 0, closedHash: null, present: 0, declared: 0,
      sums: contests.map((c) => c.options.map(() => ({ alpha: IDENTITY, beta: IDENTITY }))),
      counts: contests.map((c) => c.options.map(() => 0)),
    });
    return n;
  }

  /** An evaluation round of `targets` targets on the 3-grade scale, default weights. */
  evaluation(targets: number): number {
    const contests = Array.from({ length: targets }, (_, k) => ({ id: `t${k + 1}`, title: `被评议单位${k + 1}`, options: THREE_GRADES, min: 1, max: 1 }));
    return this.round('evaluation', contests, { pass_grades: 2, weights: [100, 60, 0] });
  }

  /** A check-in with a new device key (a first check-in, or one after a reset). */
  checkIn(member: string): void {
    const device = signKeyPair(this.#rng);
    this.#devices.set(member, device);
    this.#present.add(member);
    const sig = signDetached(checkinMessage(this.sessionId, member, device.publicKey), device.secretKey);
    this.#append('check_in', { member, device_key: toHex(device.publicKey), sig: toHex(sig) });
  }

  checkOut(member: string): void {
    this.#present.delete(member);
    this.#append('check_out', { member });
  }

  open(round: number): void {
    this.#append('round_opened', { round, present: this.#present.size });
  }

  /** The member's tablet asks for a token (blinded, signed with its device key); the server
   *  evaluates it; the tablet unblinds N. */
  token(round: number, member: string): Voter {
    const eph = signKeyPair(this.#rng);
    const input = tokenInput(this.sessionId, round, eph.publicKey);
    const b = blind(input, this.#rng);
    const requestSig = signDetached(tokenRequestMessage(this.sessionId, round, b.blinded), this.#devices.get(member)!.secretKey);
    const { evaluated, proof } = blindEvaluate(this.#skT, this.#pkT, [b.blinded], this.#rng);
    this.#append('token', {
      round, member, blinded: toHex(b.blinded), request_sig: toHex(requestSig), evaluated: toHex(evaluated[0]!),
      proof: { c: toHex(proof.c), s: toHex(proof.s) },
    });
    const voter = { member, eph, token: unblind(b.blind, evaluated[0]!) };
    this.#rounds[round - 1]!.tokens.set(member, voter);
    return voter;
  }

  /** The tablet casts (choices: the selected option indices per contest); the server adds its
   *  token proof GenerateProof(skT, G, pkT, [T], [N]) and appends the ballot. */
  cast(round: number, voter: Voter, choices: number[][]): void {
    const book = this.#rounds[round - 1]!;
    const specs: ContestSpec[] = book.contests.map((c) => ({ id: c.id, options: c.options.length, min: c.min, max: c.max }));
    const b = buildBallot({
      sessionId: this.sessionId, round, electionKey: this.#electionKey, contests: specs, choices,
      vk: voter.eph.publicKey, ske: voter.eph.secretKey, token: voter.token, rng: this.#rng,
    });
    const T = hashToGroupVoprf(tokenInput(this.sessionId, round, voter.eph.publicKey));
    const proof = generateProof(this.#skT, basePoint(), this.#pkT, [T], [voter.token], randomScalar(this.#rng));
    const wire = ballotToJson(b) as { contests: unknown };
    this.#append('ballot', {
      round, vk: toHex(b.vk), token: toHex(b.token), token_proof: { c: toHex(proof.c), s: toHex(proof.s) },
      contests: wire.contests, sig: toHex(b.sig),
    });
    b.contests.forEach((c, k) => c.selections.forEach((s, i) => {
      const sum = book.sums[k]![i]!;
      book.sums[k]![i] = { alpha: add(sum.alpha, s.alpha), beta: add(sum.beta, s.beta) };
    }));
    choices.forEach((chosen, k) => chosen.forEach((i) => book.counts[k]![i]!++));
    book.ballots++;
  }

  /** round_closed with the declarations of `declared` (signed with the key of each one's token
   *  request), sorted by member id. */
  close(round: number, declared: string[]): void {
    const book = this.#rounds[round - 1]!;
    const voted = [...declared].sort().map((member) => ({
      member,
      sig: toHex(signDetached(votedMessage(this.sessionId, round), this.#tokenDevice(round, member))),
    }));
    book.present = this.#present.size;
    book.declared = voted.length;
    const sums = book.ballots === 0 ? [] : book.contests.map((c, k) => ({
      id: c.id,
      options: book.sums[k]!.map((s) => ({ alpha: toHex(s.alpha), beta: toHex(s.beta) })),
    }));
    const line = this.#append('round_closed', { round, present: book.present, tokens: book.tokens.size, ballots: book.ballots, voted, sums });
    book.closedHash = sha256(utf8(line));
  }

  #tokenDevice(round: number, member: string): Bytes {
    // The device key at the time of the token request; a later reset does not change it.
    return this.#tokenDevices.get(`${round}/${member}`) ?? this.#devices.get(member)!.secretKey;
  }

  /** Remembers the member's current device as the one its token request in `round` was signed
   *  with (call before a reset that should not change which key signs the declaration). */
  keepTokenDevice(round: number, member: string): void {
    this.#tokenDevices.set(`${round}/${member}`, this.#devices.get(member)!.secretKey);
  }

  /** Every trustee's shares, then (as the server does) the result. */
  decryptAndPublish(round: number): void {
    const book = this.#rounds[round - 1]!;
    if (book.ballots > 0) {
      for (const t of this.#trustees) {
        const key = mulBase(t.x);
        const shares = book.contests.map((c, k) => ({
          id: c.id,
          options: book.sums[k]!.map((sum, i) => {
            const ctx = { sessionId: this.sessionId, closedHash: book.closedHash!, round, contestId: c.id, option: i, trusteeId: t.id, trusteeKey: key };
            const { share, proof } = decryptionShare(ctx, t.x, sum.alpha, this.#rng);
            return { share: toHex(share), proof: { c: toHex(proof.c), s: toHex(proof.s) } };
          }),
        }));
        this.#append('decryption', { round, trustee: t.id, shares });
      }
    }
    const contests = computeResults(book.kind, book.contests, book.rule, book.counts, book.ballots, book.present, this.members.length);
    this.#append('result', { round, ballots: book.ballots, present: book.present, undeclared: book.ballots - book.declared, contests });
  }

  reveal(round: number): void {
    this.#append('revealed', { round });
  }

  adjourn(): void {
    this.#append('adjourned', {});
  }
}

/** A whole evaluation session: every member checks in, takes a token and casts a ballot grading
 *  every target, declares; the round is closed, decrypted, published and revealed. */
export function evaluationSession(members: number, targets: number, seed: string): SessionBuilder {
  const s = new SessionBuilder({ members, scrutineers: 2, seed });
  const round = s.evaluation(targets);
  for (const m of s.members) s.checkIn(m);
  s.open(round);
  const voters = s.members.map((m) => s.token(round, m));
  voters.forEach((v, i) => s.cast(round, v, Array.from({ length: targets }, (_, k) => [(i + k) % 3])));
  s.close(round, s.members);
  s.decryptAndPublish(round);
  s.reveal(round);
  s.adjourn();
  return s;
}
