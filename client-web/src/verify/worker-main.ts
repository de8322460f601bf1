// What runs inside each verification worker (worker.ts is only its entry point, so that the
// same code can run in-process in tests): wait for libsodium, then take the role the page's
// `start` message gives, the fold or a proof worker. Messages that arrive while libsodium is
// loading are kept and handled in order once it is ready.
import { sodiumReady } from '../crypto';
import { FoldHost } from './fold-worker';
import { serveProofs } from './proof-worker';
import type { FromFold, ToWorker } from './protocol';

/** The parts of a DedicatedWorkerGlobalScope the verifier uses. */
export interface WorkerScope {
  postMessage(message: FromFold): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<unknown>) => void): void;
}

export function startWorker(scope: WorkerScope): void {
  let ready = false;
  let failed: string | null = null;
  let host: FoldHost | null = null;
  let proverPort: MessagePort | null = null;
  const waiting: ToWorker[] = [];

  const handle = (m: ToWorker): void => {
    if (m.type === 'start') {
      if (m.role === 'fold') host = new FoldHost((out) => scope.postMessage(out), m.provers);
      else {
        proverPort = m.fold;
        serveProofs(m.fold);
      }
      return;
    }
    host?.handle(m);
  };

  const fail = (message: string): void => {
    failed = message;
    // A proof worker tells the fold (which then checks its ballots itself); the fold tells the page.
    if (proverPort !== null) proverPort.postMessage({ type: 'fatal', message });
    else scope.postMessage({ type: 'fatal', message });
  };

  scope.addEventListener('message', (e) => {
    const m = e.data as ToWorker;
    if (failed !== null) {
      if (m.type === 'start' && m.role === 'proofs') m.fold.postMessage({ type: 'fatal', message: failed });
      else if (m.type !== 'start') scope.postMessage({ type: 'fatal', message: failed });
      return;
    }
    if (!ready) {
      if (m.type === 'start' && m.role === 'proofs') proverPort = m.fold;
      waiting.push(m);
      return;
    }
    handle(m);
  });

  sodiumReady().then(
    () => {
      ready = true;
      for (const m of waiting.splice(0)) handle(m);
    },
    (e: unknown) => fail(`libsodium did not load: ${e instanceof Error ? e.message : String(e)}`),
  );
}
