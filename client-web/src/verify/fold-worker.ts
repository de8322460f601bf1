// The fold worker: one ChainVerifier fed in seq order. Records arrive in batches (a downloaded
// chain, an /observe replay, then one at a time); each is hashed and decoded as it arrives, and a
// ballot is sent at once to the least busy proof worker, so its proofs are checked in parallel
// with everything else. The fold applies records strictly in seq order, waiting at a ballot
// until its verdict is back; a verdict is used only if it was reached against the context the
// fold's own state implies (otherwise the fold checks the ballot itself). The page hears of the
// state at most ten times a second, and besides at each change of a round (opened, closed,
// resulted, revealed — each one, even when a whole chain arrives at once) and at a failure.
import type { ContestSpec } from '../crypto';
import type { BallotContext } from './ballot-check';
import { type BallotVerdict, ChainVerifier, type PreparedLine, prepareLine } from './chain-verifier';
import type { BallotChecked, FoldState, FromFold, FromProver, RecordIn, ToWorker } from './protocol';

interface Item {
  seq: number;
  prepared: PreparedLine;
  sig: string | undefined;
  prover: number | null; // the proof worker checking it, until its verdict is back
  verdict: BallotVerdict | undefined;
}

interface Prover {
  port: MessagePort;
  outstanding: number;
  alive: boolean;
}

// Record types whose acceptance changes a round's status (or the session's end).
const ROUND_CHANGES = new Set(['round', 'round_opened', 'round_closed', 'result', 'revealed', 'adjourned']);
const UPDATE_INTERVAL_MS = 100;
const SLICE_MS = 25;

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

export class FoldHost {
  readonly #verifier = new ChainVerifier();
  readonly #post: (m: FromFold) => void;
  readonly #provers: Prover[];

  #received = 0; // every seq below this has been taken in
  readonly #early = new Map<number, RecordIn>(); // arrived ahead of a gap
  readonly #repeats: RecordIn[] = []; // seqs received twice, compared once the fold has them
  #inbox: RecordIn[] = []; // taken in, not yet prepared
  #inboxAt = 0;
  #queue: Item[] = []; // prepared, in seq order, not yet folded
  #queueAt = 0;
  readonly #pending = new Map<number, Item>(); // by seq, those waiting for a verdict

  // What ballots are checked against, from the records prepared so far (they precede every
  // ballot that needs them; if the fold refuses one of them it stops before those ballots).
  #sessionId: string | null = null;
  #tokenKey: string | null = null;
  #electionKey: string | null = null;
  readonly #specs = new Map<number, ContestSpec[]>();

  #pumping = false;
  #dirty = false;
  #roundChanged = false;
  #lastPost = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #typesSent = 0;

  constructor(post: (m: FromFold) => void, provers: MessagePort[]) {
    this.#post = post;
    this.#provers = provers.map((port, i) => {
      port.onmessage = (e: MessageEvent<unknown>) => this.#fromProver(i, e.data as FromProver);
      return { port, outstanding: 0, alive: true };
    });
  }

  get verifier(): ChainVerifier {
    return this.#verifier;
  }

  handle(m: ToWorker): void {
    switch (m.type) {
      case 'push':
        this.#take(m.records);
        break;
      case 'receipt':
        this.#post({ type: 'receipt', id: m.id, match: this.#verifier.findReceipt(m.query) });
        break;
      case 'snapshot':
        this.#post({ type: 'snapshot', id: m.id, state: this.#state() });
        break;
      case 'start':
        break;
    }
  }

  // ---- taking records in ---------------------------------------------------------------------

  #take(records: RecordIn[]): void {
    for (const r of records) {
      if (!Number.isSafeInteger(r?.seq) || r.seq < 0 || typeof r.line !== 'string') continue;
      if (r.sig !== undefined && typeof r.sig !== 'string') continue;
      if (r.seq < this.#received) {
        this.#repeats.push(r);
      } else if (r.seq === this.#received) {
        this.#inbox.push(r);
        this.#received++;
        for (let next = this.#early.get(this.#received); next !== undefined; next = this.#early.get(this.#received)) {
          this.#early.delete(this.#received);
          this.#inbox.push(next);
          this.#received++;
        }
      } else if (!this.#early.has(r.seq)) {
        this.#early.set(r.seq, r);
      }
    }
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    setTimeout(() => this.#pump(), 0);
  }

  // Prepares records in slices, so that verdicts and questions from the page are answered
  // between them, sending each ballot to a proof worker as soon as it is decoded.
  #pump(): void {
    this.#pumping = false;
    const start = now();
    while (this.#inboxAt < this.#inbox.length && this.#verifier.failure === null) {
      const r = this.#inbox[this.#inboxAt++]!;
      const prepared = prepareLine(r.line);
      const item: Item = { seq: r.seq, prepared, sig: r.sig, prover: null, verdict: undefined };
      this.#learnContext(item);
      this.#queue.push(item);
      this.#dispatch(item);
      this.#drain();
      if (now() - start > SLICE_MS) break;
    }
    if (this.#inboxAt === this.#inbox.length || this.#verifier.failure !== null) {
      this.#inbox = [];
      this.#inboxAt = 0;
    } else {
      this.#schedulePump();
    }
    this.#drain();
    this.#checkRepeats();
    this.#maybePost();
  }

  #learnContext(item: Item): void {
    const r = item.prepared.record;
    if (item.seq === 0) this.#sessionId = item.prepared.hashHex;
    if (r === null) return;
    if (r.type === 'genesis' && this.#tokenKey === null) this.#tokenKey = r.body.tokenKey.hex;
    if (r.type === 'election_key' && this.#electionKey === null) this.#electionKey = r.body.key.hex;
    if (r.type === 'round' && !this.#specs.has(r.body.round)) {
      this.#specs.set(r.body.round, r.body.contests.map((c) => ({ id: c.id, options: c.options.length, min: c.min, max: c.max })));
    }
  }

  #dispatch(item: Item): void {
    const r = item.prepared.record;
    if (r?.type !== 'ballot') return;
    const specs = this.#specs.get(r.body.round);
    if (this.#sessionId === null || this.#tokenKey === null || this.#electionKey === null || specs === undefined) return;
    let best = -1;
    for (let i = 0; i < this.#provers.length; i++) {
      const p = this.#provers[i]!;
      if (p.alive && (best < 0 || p.outstanding < this.#provers[best]!.outstanding)) best = i;
    }
    if (best < 0) return; // no proof worker: the fold checks the ballot itself
    const context: BallotContext = { sessionId: this.#sessionId, tokenKey: this.#tokenKey, electionKey: this.#electionKey, specs };
    const prover = this.#provers[best]!;
    prover.outstanding++;
    item.prover = best;
    this.#pending.set(item.seq, item);
    prover.port.postMessage({ type: 'ballot', seq: item.seq, ballot: r.body, context });
  }

  #fromProver(index: number, m: FromProver): void {
    const prover = this.#provers[index]!;
    if (m.type === 'fatal') {
      // A proof worker that cannot verify: its ballots are checked by the fold itself.
      prover.alive = false;
      for (const item of this.#pending.values()) {
        if (item.prover === index) {
          item.prover = null;
          this.#pending.delete(item.seq);
        }
      }
    } else {
      this.#verdict(prover, m);
    }
    this.#drain();
    this.#maybePost();
  }

  #verdict(prover: Prover, m: BallotChecked): void {
    prover.outstanding = Math.max(0, prover.outstanding - 1);
    const item = this.#pending.get(m.seq);
    if (item === undefined) return; // the fold stopped before it, or it was re-checked
    this.#pending.delete(m.seq);
    item.prover = null;
    item.verdict = { context: m.context, error: m.error };
  }

  // ---- the fold ------------------------------------------------------------------------------

  #drain(): void {
    while (this.#queueAt < this.#queue.length) {
      const item = this.#queue[this.#queueAt]!;
      if (item.prover !== null) break; // its verdict is not back yet
      this.#queueAt++;
      const r = this.#verifier.pushPrepared(item.prepared, item.sig, item.verdict);
      this.#dirty = true;
      if (!r.ok) {
        this.#queue = [];
        this.#queueAt = 0;
        this.#pending.clear();
        this.#roundChanged = true;
        this.#postNow();
        return;
      }
      // Every change of a round is shown, however fast the records behind it come.
      if (ROUND_CHANGES.has(r.type)) {
        this.#roundChanged = true;
        this.#postNow();
      }
    }
    if (this.#queueAt === this.#queue.length) {
      this.#queue = [];
      this.#queueAt = 0;
    }
  }

  // A seq received twice must carry the same line (else the server has published two chains);
  // compared once the fold has accepted that seq.
  #checkRepeats(): void {
    for (let i = 0; i < this.#repeats.length; ) {
      const r = this.#repeats[i]!;
      if (r.seq < this.#verifier.length) {
        if (this.#verifier.checkRepeat(r.seq, r.line) !== null) this.#dirty = this.#roundChanged = true;
        this.#repeats.splice(i, 1);
      } else if (this.#verifier.failure !== null) {
        this.#repeats.splice(i, 1);
      } else {
        i++;
      }
    }
  }

  // ---- telling the page ----------------------------------------------------------------------

  #state(): FoldState {
    const v = this.#verifier;
    const types = v.recordTypes.slice(this.#typesSent);
    const typesFrom = this.#typesSent;
    this.#typesSent = v.recordTypes.length;
    return { length: v.length, headHash: v.headHash, failure: v.failure, session: v.session(), rounds: v.rounds(), typesFrom, types };
  }

  #maybePost(): void {
    if (!this.#dirty) return;
    const wait = this.#lastPost + UPDATE_INTERVAL_MS - now();
    if (this.#roundChanged || wait <= 0) {
      this.#postNow();
    } else if (this.#timer === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        if (this.#dirty) this.#postNow();
      }, wait);
    }
  }

  #postNow(): void {
    const roundChanged = this.#roundChanged;
    this.#dirty = false;
    this.#roundChanged = false;
    this.#lastPost = now();
    this.#post({ type: 'update', state: this.#state(), roundChanged });
  }
}
