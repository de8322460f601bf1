// One WebSocket to pingyi-server that stays up: it reconnects with exponential back-off (with
// jitter, so that forty tablets do not reconnect in the same millisecond), says hello again on
// every new connection, and matches replies to requests by id (docs/PROTOCOL.md §5, §6).

import { ApiError, isErrorBody } from './errors';
import { wsUrl } from './http';

export type ConnState = 'connecting' | 'online' | 'offline' | 'stopped';

export type Message = Record<string, unknown>;

export interface SocketOptions {
  /** The path to connect to, asked anew for each connection (`/ws`, or `/observe?…&from=N`). */
  path: () => string;
  /** The hello request's fields ({session, code, …}); none for /observe. Asked anew for each
   *  connection, so that it can carry the latest device secret and `from`. */
  hello?: () => Message | Promise<Message>;
  /** After each successful hello, before any push of that connection is delivered. */
  onHello?: (reply: Message) => void | Promise<void>;
  /** A hello refused by the server. Return true to keep trying (e.g. RATE_LIMITED); the socket
   *  stops otherwise, since a wrong code does not become right by repeating it. */
  onHelloError?: (error: ApiError) => boolean;
  onPush: (message: Message) => void;
  onState?: (state: ConnState) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Pending {
  resolve: (reply: Message) => void;
  reject: (error: ApiError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ReconnectingSocket {
  private ws: WebSocket | null = null;
  private stateValue: ConnState = 'offline';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private stopped = true;
  private readonly onlineWaiters = new Set<() => void>();
  private readonly onBrowserOnline = () => {
    if (this.stateValue === 'offline' && !this.stopped) this.connectNow();
  };

  constructor(private readonly opts: SocketOptions) {}

  get state(): ConnState {
    return this.stateValue;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    globalThis.addEventListener?.('online', this.onBrowserOnline);
    this.connectNow();
  }

  stop(): void {
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.onBrowserOnline);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000);
    this.failPending('stopped');
    this.setState('stopped');
  }

  /** Sends a request once the connection is up (hello done), and resolves with the reply's
   *  fields. Rejects with the server's error, or NETWORK if the connection dropped before the
   *  reply: the caller decides whether to send it again (every pingyi request is idempotent). */
  async request(type: string, fields: Message = {}, timeoutMs = 30000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    await this.whenOnline(timeoutMs);
    const ws = this.ws;
    if (!ws || this.stateValue !== 'online') throw new ApiError('NETWORK', 'not connected');
    return this.send(ws, type, fields, Math.max(1000, deadline - Date.now()));
  }

  /** Resolves when the connection is online (hello done); rejects NETWORK after `timeoutMs`. */
  whenOnline(timeoutMs = 30000): Promise<void> {
    if (this.stateValue === 'online') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.onlineWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.onlineWaiters.delete(done);
        reject(new ApiError('NETWORK', 'not connected'));
      }, timeoutMs);
      this.onlineWaiters.add(done);
    });
  }

  private send(ws: WebSocket, type: string, fields: Message, timeoutMs: number): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError('NETWORK', `no reply to ${type}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ id, type, ...fields }));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ApiError('NETWORK', e instanceof Error ? e.message : String(e)));
      }
    });
  }

  private setState(state: ConnState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    if (state === 'online') for (const waiter of [...this.onlineWaiters]) waiter();
    this.opts.onState?.(state);
  }

  private connectNow(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.stopped || this.ws) return;
    this.setState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrl(this.opts.path()));
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    // Pushes that arrive while the hello's reply is being handled wait here, so that a page sees
    // the hello's effect (its device secret, its role) before the records it pushes.
    let helloDone = !this.opts.hello;
    const held: Message[] = [];

    ws.onopen = async () => {
      if (!this.opts.hello) {
        this.attempts = 0;
        this.setState('online');
        return;
      }
      try {
        const fields = await this.opts.hello();
        if (this.ws !== ws) return;
        const reply = await this.send(ws, 'hello', fields, 30000);
        if (this.ws !== ws) return;
        await this.opts.onHello?.(reply);
        helloDone = true;
        this.attempts = 0;
        this.setState('online');
        for (const message of held.splice(0)) this.opts.onPush(message);
      } catch (e) {
        if (this.ws !== ws) return;
        const error = e instanceof ApiError ? e : new ApiError('INTERNAL', e instanceof Error ? e.message : String(e));
        const keepTrying = error.code === 'NETWORK' || (this.opts.onHelloError?.(error) ?? error.retryable);
        if (keepTrying) ws.close(4000);
        else this.stop();
      }
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // The server sends JSON only; anything else is noise on a broken proxy.
      }
      if (!message || typeof message !== 'object') return;
      const m = message as Message;
      if (typeof m.id === 'number' && this.pending.has(m.id)) {
        const p = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (isErrorBody(m)) p.reject(new ApiError(m.error.code, m.error.message));
        else p.resolve(m);
        return;
      }
      if ('id' in m) return; // A reply to a request that timed out, or `id: null` (unreadable).
      if (helloDone) this.opts.onPush(m);
      else held.push(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending('connection closed');
      if (this.stopped) return;
      this.setState('offline');
      this.scheduleRetry();
    };
    ws.onerror = () => {
      // onclose follows and decides.
    };
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const min = this.opts.minBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 10000;
    const base = Math.min(max, min * 2 ** Math.min(this.attempts, 10));
    this.attempts += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connectNow();
    }, delay);
  }

  private failPending(reason: string): void {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ApiError('NETWORK', reason));
    }
    this.pending.clear();
  }
}
