// Stand-ins for the scrutineer's verification in Web Workers (VerifierClient), for the tablet's
// tests in node: the real ChainVerifier with every proof checked, answering asynchronously as the
// workers do — or held back at a seq the test chooses, to show what the tablet does while its
// verification lags behind the chain it acts on. And the real VerifierClient, its fold and proof
// workers run in this thread behind MessageChannels (node has no Web Workers).
import type { ProofVerifier } from '../../../src/pages/tablet/controller';
import type { ProofView } from '../../../src/pages/tablet/model';
import { ChainVerifier } from '../../../src/verify/chain-verifier';
import { VerifierClient } from '../../../src/verify/client';
import type { RecordIn } from '../../../src/verify/protocol';
import { startWorker } from '../../../src/verify/worker-main';
import { InProcessWorker } from '../../support/in-process-worker';

export class DeferredProofs implements ProofVerifier {
  /** Every proof checked (checkProofs defaults to true), as in the fold worker. */
  readonly verifier = new ChainVerifier();
  /** Every state reported, in order. */
  readonly reports: ProofView[] = [];
  readonly #waiting = new Map<number, RecordIn>();
  readonly #repeats: RecordIn[] = [];
  readonly #listeners = new Set<(s: ProofView) => void>();
  #limit: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  terminated = false;
  received = 0;

  /** `upTo`: how many records it may verify before the test allows more (default: all). */
  constructor(opts: { upTo?: number } = {}) {
    this.#limit = opts.upTo ?? Number.POSITIVE_INFINITY;
  }

  push(records: RecordIn[]): void {
    if (this.terminated) return;
    for (const r of records) {
      this.received++;
      if (r.seq < this.verifier.length || this.#waiting.has(r.seq)) this.#repeats.push(r);
      else this.#waiting.set(r.seq, r);
    }
    this.#schedule();
  }

  /** Lets the verification reach `n` records. */
  allow(n: number): void {
    this.#limit = n;
    this.#schedule();
  }

  onUpdate(cb: (s: ProofView) => void): () => void {
    this.#listeners.add(cb);
    return () => {
      this.#listeners.delete(cb);
    };
  }

  terminate(): void {
    this.terminated = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#listeners.clear();
  }

  // On a later task, never within push: the tablet must not depend on an answer in the same turn.
  #schedule(): void {
    if (this.#timer || this.terminated) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#step();
    }, 1);
  }

  #step(): void {
    const v = this.verifier;
    let changed = false;
    while (v.failure === null && v.length < this.#limit) {
      const r = this.#waiting.get(v.length);
      if (!r) break;
      this.#waiting.delete(r.seq);
      v.push(r.line, r.sig);
      changed = true;
    }
    for (let i = 0; i < this.#repeats.length; ) {
      const r = this.#repeats[i]!;
      if (r.seq < v.length) {
        v.checkRepeat(r.seq, r.line);
        this.#repeats.splice(i, 1);
        changed = true;
      } else i++;
    }
    if (!changed) return;
    const state: ProofView = { length: v.length, failure: v.failure, rounds: v.rounds() };
    this.reports.push(state);
    for (const cb of this.#listeners) cb(state);
  }
}

/** The page's VerifierClient with its fold and `workers` proof workers in this thread. Every
 *  port it opens is closed by `close`, so that no test leaves the event loop held open. */
export function inProcessVerifierClient(workers = 2): { client: VerifierClient; close: () => void } {
  const ports: MessagePort[] = [];
  const client = new VerifierClient({ workers, createWorker: () => new InProcessWorker(startWorker, ports) });
  return {
    client,
    close: () => {
      client.terminate();
      for (const p of ports.splice(0)) p.close();
    },
  };
}
