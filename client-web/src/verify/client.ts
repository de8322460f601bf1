// The page's side of verification (DESIGN.md §6: "every record verified in the browser — in a
// Web Worker"): a fold worker holding the ChainVerifier and a pool of proof workers checking
// ballots in parallel, so that neither the page nor the fold waits for a ballot's proofs. The
// page pushes records as they come and hears the verified state back.
import type { FoldState, FromFold, RecordIn, StartFold, StartProver, ToWorker } from './protocol';
import type { ReceiptMatch, RoundInfo, SessionInfo, VerifyError } from './types';

export interface VerifierSnapshot {
  length: number;
  headHash: string | null;
  failure: VerifyError | null;
  session: SessionInfo | null;
  rounds: RoundInfo[];
  recordTypes: string[]; // per seq
}

/** What the client needs of a Worker (a real one by default; tests pass an in-process one). */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer: Transferable[]): void;
  addEventListener(type: 'message' | 'error', listener: (e: Event) => void): void;
  terminate(): void;
}

function createVerificationWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

export class VerifierClient {
  readonly #fold: WorkerLike;
  readonly #provers: WorkerLike[] = [];
  readonly #listeners = new Set<(s: VerifierSnapshot) => void>();
  readonly #receipts = new Map<number, (m: ReceiptMatch | null) => void>();
  readonly #snapshots = new Map<number, (s: VerifierSnapshot) => void>();
  #nextId = 1;
  #types: string[] = [];
  #state: Omit<VerifierSnapshot, 'recordTypes'> = { length: 0, headHash: null, failure: null, session: null, rounds: [] };
  #terminated = false;

  /** `workers`: how many proof workers (default navigator.hardwareConcurrency, at least 1); the
   *  fold runs in one more, which is idle most of the time. */
  constructor(opts?: { workers?: number; createWorker?: () => WorkerLike }) {
    const create = opts?.createWorker ?? createVerificationWorker;
    const hardware = globalThis.navigator?.hardwareConcurrency ?? 1;
    const count = Math.max(1, Math.floor(opts?.workers ?? hardware));
    this.#fold = create();
    this.#fold.addEventListener('message', (e) => this.#fromFold((e as MessageEvent<FromFold>).data));
    this.#fold.addEventListener('error', (e) => this.#fatal(`the verification worker failed: ${(e as ErrorEvent).message ?? 'unknown error'}`));
    const ports: MessagePort[] = [];
    for (let i = 0; i < count; i++) {
      const prover = create();
      const channel = new MessageChannel();
      const start: StartProver = { type: 'start', role: 'proofs', fold: channel.port2 };
      prover.postMessage(start, [channel.port2]);
      this.#provers.push(prover);
      ports.push(channel.port1);
    }
    const start: StartFold = { type: 'start', role: 'fold', provers: ports };
    this.#fold.postMessage(start, ports);
  }

  /** Records in seq order; repeats and overlaps are fine (a resumed feed, a re-download). */
  push(records: RecordIn[]): void {
    if (this.#terminated || records.length === 0) return;
    this.#fold.postMessage({ type: 'push', records }, []);
  }

  /** Called at most about ten times a second while records are verified, and at once when a
   *  round changes or verification fails. Returns the unsubscribe function. */
  onUpdate(cb: (s: VerifierSnapshot) => void): () => void {
    this.#listeners.add(cb);
    return () => {
      this.#listeners.delete(cb);
    };
  }

  findReceipt(query: string): Promise<ReceiptMatch | null> {
    if (this.#terminated) return Promise.reject(new Error('the verifier was terminated'));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#receipts.set(id, resolve);
      this.#fold.postMessage({ type: 'receipt', id, query }, []);
    });
  }

  snapshot(): Promise<VerifierSnapshot> {
    if (this.#terminated) return Promise.reject(new Error('the verifier was terminated'));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#snapshots.set(id, resolve);
      this.#fold.postMessage({ type: 'snapshot', id }, []);
    });
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#fold.terminate();
    for (const p of this.#provers) p.terminate();
    // Whoever still waits gets the last state known, or no receipt.
    for (const resolve of this.#receipts.values()) resolve(null);
    for (const resolve of this.#snapshots.values()) resolve(this.#current());
    this.#receipts.clear();
    this.#snapshots.clear();
    this.#listeners.clear();
  }

  #current(): VerifierSnapshot {
    return { ...this.#state, recordTypes: [...this.#types] };
  }

  #absorb(s: FoldState): VerifierSnapshot {
    this.#types.length = Math.min(this.#types.length, s.typesFrom);
    this.#types.push(...s.types);
    this.#state = { length: s.length, headHash: s.headHash, failure: s.failure, session: s.session, rounds: s.rounds };
    return this.#current();
  }

  #fromFold(m: FromFold): void {
    if (this.#terminated) return;
    switch (m.type) {
      case 'update': {
        const snapshot = this.#absorb(m.state);
        for (const cb of this.#listeners) cb(snapshot);
        break;
      }
      case 'snapshot': {
        const snapshot = this.#absorb(m.state);
        this.#snapshots.get(m.id)?.(snapshot);
        this.#snapshots.delete(m.id);
        break;
      }
      case 'receipt':
        this.#receipts.get(m.id)?.(m.match);
        this.#receipts.delete(m.id);
        break;
      case 'fatal':
        this.#fatal(m.message);
        break;
    }
  }

  // The worker cannot verify: nothing more will be accepted, and every screen must say so.
  #fatal(message: string): void {
    if (this.#terminated) return;
    if (this.#state.failure === null) {
      this.#state = { ...this.#state, failure: { seq: this.#state.length, code: 'INTERNAL', field: '', message } };
    }
    const snapshot = this.#current();
    for (const cb of this.#listeners) cb(snapshot);
    for (const resolve of this.#receipts.values()) resolve(null);
    for (const resolve of this.#snapshots.values()) resolve(snapshot);
    this.#receipts.clear();
    this.#snapshots.clear();
  }
}
