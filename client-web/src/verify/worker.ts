// Entry point of a verification Web Worker (module worker, loaded by client.ts). The role — the
// fold, or a proof worker — comes with the page's first message.
import { type WorkerScope, startWorker } from './worker-main';

startWorker(globalThis as unknown as WorkerScope);
