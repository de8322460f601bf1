// The page's side of the ballot worker: one worker for the page's life, jobs matched by id.
// Where a Worker cannot be started, the ballot is built on the page's thread (slower to show,
// the same bytes of protocol).

import { CryptoError, type CryptoErrorCode } from '../../crypto/errors';
import { systemRng } from '../../crypto/rng';
import { type BallotBuilder, runBallotJob } from './ballot-job';
import type { BallotWorkerReply, BallotWorkerRequest } from './ballot-worker';

export function workerBallotBuilder(): { build: BallotBuilder; terminate: () => void } {
  let worker: Worker | null = null;
  try {
    worker = new Worker(new URL('./ballot-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    worker = null;
  }
  if (!worker) {
    return { build: async (job) => runBallotJob(job, systemRng), terminate: () => undefined };
  }
  const w = worker;
  let nextId = 1;
  const pending = new Map<number, { resolve: (b: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  w.onmessage = (event: MessageEvent<BallotWorkerReply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.ballot);
    else if (reply.code === 'internal') p.reject(new Error(reply.message));
    else p.reject(new CryptoError(reply.code as CryptoErrorCode, reply.message));
  };
  w.onerror = (event) => {
    for (const [, p] of pending) p.reject(new Error(event.message || 'the ballot worker failed'));
    pending.clear();
  };
  return {
    build: (job) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const request: BallotWorkerRequest = { id, job };
        w.postMessage(request);
      }),
    terminate: () => {
      for (const [, p] of pending) p.reject(new Error('the page was closed'));
      pending.clear();
      w.terminate();
    },
  };
}
