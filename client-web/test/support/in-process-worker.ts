// A Web Worker for the tests in node, which has none: the worker's inside (the real worker code,
// startWorker, or a stand-in a test writes) runs in this thread behind a MessageChannel, and the
// page side is what VerifierClient takes from its createWorker.
import type { WorkerLike } from '../../src/verify/client';
import type { ToWorker } from '../../src/verify/protocol';
import type { WorkerScope } from '../../src/verify/worker-main';

export class InProcessWorker implements WorkerLike {
  readonly #page: MessagePort;
  readonly #ports: MessagePort[];

  /** Every port this worker opens or is handed goes on `ports`, for the test to close when it
   *  is done: an open port holds node's event loop open. */
  constructor(run: (scope: WorkerScope) => void, ports: MessagePort[]) {
    const channel = new MessageChannel();
    this.#page = channel.port1;
    this.#ports = ports;
    ports.push(channel.port1, channel.port2);
    const inside = channel.port2;
    run({
      postMessage: (m) => inside.postMessage(m),
      // A port a `start` message brings is a new object on this side, and keeps the channel open
      // until it is closed, so it is kept too.
      addEventListener: (_type, listener) =>
        inside.addEventListener('message', (e) => {
          const m = (e as MessageEvent<ToWorker>).data;
          if (m.type === 'start') ports.push(...(m.role === 'fold' ? m.provers : [m.fold]));
          listener(e as MessageEvent<unknown>);
        }),
    });
    inside.start();
  }

  postMessage(message: ToWorker, transfer: Transferable[]): void {
    for (const t of transfer) if (t instanceof MessagePort) this.#ports.push(t);
    this.#page.postMessage(message, transfer);
  }

  addEventListener(type: 'message' | 'error', listener: (e: Event) => void): void {
    if (type === 'message') {
      this.#page.addEventListener('message', listener);
      this.#page.start();
    }
  }

  terminate(): void {
    this.#page.close();
  }
}
