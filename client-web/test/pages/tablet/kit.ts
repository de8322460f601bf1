// Tablets for the tests: a TabletController wired to the fake server, IndexedDB (fake-indexeddb,
// through the real src/store/kv.ts), the real ChainVerifier (without proofs, as on the page's
// thread), a scrutineer's full verification answering asynchronously as its workers do
// (proofs.ts), and the vectors' randomness.
import 'fake-indexeddb/auto';
import { DeterministicRng, type Rng } from '../../../src/crypto/rng';
import { fromHex } from '../../../src/crypto/bytes';
import { type Kv, openKv } from '../../../src/store/kv';
import { runBallotJob } from '../../../src/pages/tablet/ballot-job';
import { type RngPurpose, type TabletDeps, TabletController, type TabletView } from '../../../src/pages/tablet/controller';
import { TabletStore } from '../../../src/pages/tablet/store';
import { ChainVerifier } from '../../../src/verify/chain-verifier';
import { type FakeServer, type FakeSocket, SID, V, memberRng, vectorBallot } from './fake-server';
import { DeferredProofs } from './proofs';

let dbCounter = 0;

/** A fresh IndexedDB database: one tablet's disk, kept across its reloads. */
export function freshDisk(): Promise<Kv> {
  dbCounter += 1;
  return openKv(`pingyi-tablet-test-${dbCounter}-${Date.now()}`);
}

export interface Tablet {
  controller: TabletController;
  sockets: FakeSocket[];
  store: TabletStore;
  dropped: () => number;
  view: () => TabletView;
  socket: () => FakeSocket;
  /** The full verifications this tablet started (one per live start, for a scrutineer). */
  proofs: DeferredProofs[];
}

/** A tablet of `member`, opened as from its card's QR code (the address names the member; pass
 *  `deps: { memberHint: null }` for a code typed without one); `rng` defaults to a source that
 *  refuses every draw, so that a reloaded tablet that tried to make new keys would fail the test. */
export function tablet(server: FakeServer, kv: Kv, member: string, opts: { rng?: (p: RngPurpose) => Rng; deps?: Partial<TabletDeps> } = {}): Tablet {
  const sockets: FakeSocket[] = [];
  const proofs: DeferredProofs[] = [];
  let dropped = 0;
  const store = new TabletStore(kv, SID);
  const controller = new TabletController({
    sessionId: SID,
    store,
    rng:
      opts.rng ??
      ((purpose) => {
        throw new Error(`this tablet was not expected to draw ${purpose} randomness`);
      }),
    genesis: async () => V.session.genesis_line,
    checkInHello: (fields) => server.checkInHello(fields),
    // As from the card's QR code, which names the member; a typed check-in passes null.
    memberHint: member,
    openSocket: (o) => {
      const s = server.openSocket(o);
      sockets.push(s);
      return s;
    },
    castBallot: (body) => server.cast(body),
    buildBallot: async (job) => runBallotJob(job, new DeterministicRng(fromHex(vectorBallot(job.round, member).ballot_seed, 32))),
    newVerifier: () => new ChainVerifier({ checkProofs: false }),
    newProofVerifier: () => {
      const p = new DeferredProofs();
      proofs.push(p);
      return p;
    },
    castRetryMs: [5],
    catchUpBatchMs: 0,
    dropCode: () => {
      dropped += 1;
    },
    ...opts.deps,
  });
  return {
    controller,
    sockets,
    store,
    dropped: () => dropped,
    view: () => controller.view(),
    socket: () => sockets[sockets.length - 1]!,
    proofs,
  };
}

export { memberRng };

/** Waits until `cond` holds, letting timers and promises run; fails after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets every pending timer and promise run for a while (to show that nothing more happens). */
export async function idle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
