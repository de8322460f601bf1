// The first check-in (DESIGN.md §2, docs/PROTOCOL.md §5 "hello — a member's first check-in").
//
// The check-in signature covers the member id ("pingyi-v1-checkin" ‖ session_id ‖ lp(member) ‖
// device_key), but a credential card carries only the session and the code (`#/tablet?session=
// ID&code=CODE`), and only the server knows whose code it is. So the tablet signs for one roster
// member at a time and says hello on one connection until the server accepts: a wrong member is
// refused with INVALID_SIGNATURE and changes nothing, a failed hello leaves the connection free
// for the next, and a wrong or spent code is refused (UNAUTHORIZED, CODE_USED) before any
// signature is looked at, so it is reported at the first attempt. A `member` parameter in the
// address, when present, is tried first.

import { fromHex, toHex } from '../../crypto/bytes';
import { lineHash } from '../../crypto/chain';
import { ApiError, isErrorBody } from '../../net/errors';
import { wsUrl } from '../../net/http';
import type { Message } from '../../net/socket';

/** One WebSocket on /ws used only for check-in hellos. */
export interface ProbeConnection {
  hello(fields: Message): Promise<Message>;
  close(): void;
}

export interface ProbeResult {
  member: string;
  reply: Message;
}

// The per-connection rate limit is 50 messages/s with bursts of 200 (docs/PROTOCOL.md §8): a
// long roster is paced below it, since a dropped hello gets no reply at all.
const BURST = 150;
const PACE_MS = 25;

export async function probeCheckIn(args: {
  probe: ProbeConnection;
  sessionId: string;
  code: string;
  devicePublicKey: string;
  members: readonly string[];
  hint: string | null;
  sign: (member: string) => string;
  onProgress?: (done: number, total: number) => void;
  sleep?: (ms: number) => Promise<void>;
}): Promise<ProbeResult> {
  const sleep = args.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const order = args.hint && args.members.includes(args.hint) ? [args.hint, ...args.members.filter((m) => m !== args.hint)] : [...args.members];
  for (let i = 0; i < order.length; i++) {
    const member = order[i]!;
    if (i >= BURST) await sleep(PACE_MS);
    args.onProgress?.(i, order.length);
    try {
      // `from: 0` as docs/PROTOCOL.md §5 shows it; the live connection that follows reads the
      // chain, so this one is closed as soon as the member is known.
      const reply = await args.probe.hello({
        session: args.sessionId,
        code: args.code,
        device_key: args.devicePublicKey,
        sig: args.sign(member),
        from: 0,
      });
      if (reply.member !== member) {
        throw new ApiError('INTERNAL', 'member: the check-in reply names another member than the one signed for');
      }
      return { member, reply };
    } catch (e) {
      if (e instanceof ApiError && e.code === 'INVALID_SIGNATURE') continue;
      throw e;
    }
  }
  throw new ApiError('NOT_FOUND', 'member: no member of the roster accepted this check-in');
}

/** Opens a WebSocket on /ws for probeCheckIn. Replies are matched by id; a reply that does not
 *  come within `timeoutMs` (a message dropped by the rate limit) is a NETWORK error. */
export function openProbeConnection(timeoutMs = 15000): Promise<ProbeConnection> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrl('/ws'));
    } catch (e) {
      reject(new ApiError('NETWORK', e instanceof Error ? e.message : String(e)));
      return;
    }
    let nextId = 1;
    const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: ApiError) => void; timer: ReturnType<typeof setTimeout> }>();
    const failAll = (reason: string) => {
      for (const [, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new ApiError('NETWORK', reason));
      }
      pending.clear();
    };
    const connection: ProbeConnection = {
      hello(fields) {
        const id = nextId++;
        return new Promise((res, rej) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            rej(new ApiError('NETWORK', 'no reply to hello'));
          }, timeoutMs);
          pending.set(id, { resolve: res, reject: rej, timer });
          try {
            ws.send(JSON.stringify({ id, type: 'hello', ...fields }));
          } catch (e) {
            clearTimeout(timer);
            pending.delete(id);
            rej(new ApiError('NETWORK', e instanceof Error ? e.message : String(e)));
          }
        });
      },
      close() {
        failAll('closed');
        ws.close(1000);
      },
    };
    ws.onopen = () => resolve(connection);
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let m: unknown;
      try {
        m = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!m || typeof m !== 'object') return;
      const msg = m as Message;
      if (typeof msg.id !== 'number') return; // pushes of an accepted hello: not this connection's job
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (isErrorBody(msg)) p.reject(new ApiError(msg.error.code, msg.error.message));
      else p.resolve(msg);
    };
    ws.onclose = () => {
      failAll('connection closed');
      reject(new ApiError('NETWORK', 'connection closed'));
    };
  });
}

/** The genesis line of a session: the first line of GET …/chain, read as a stream and cancelled
 *  after it, so that a long chain is not downloaded for its roster. Checked against the session
 *  id, which is its hash (DESIGN.md §3.6). */
export async function fetchGenesisLine(sessionId: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`/api/sessions/${sessionId}/chain?from=0`, { cache: 'no-store' });
  } catch (e) {
    throw new ApiError('NETWORK', e instanceof Error ? e.message : String(e));
  }
  if (!response.ok || !response.body) {
    let parsed: unknown = null;
    try {
      parsed = await response.json();
    } catch {
      // Not JSON: the status says enough.
    }
    if (isErrorBody(parsed)) throw new ApiError(parsed.error.code, parsed.error.message, response.status);
    throw new ApiError(response.status === 404 ? 'NOT_FOUND' : 'INTERNAL', `HTTP ${response.status}`, response.status);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (value) text += decoder.decode(value, { stream: true });
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        text = text.slice(0, nl);
        break;
      }
      if (done) break;
    }
  } catch (e) {
    throw new ApiError('NETWORK', e instanceof Error ? e.message : String(e));
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  checkGenesisLine(sessionId, text);
  return text;
}

/** The roster of a genesis line whose hash is the session id. */
export function checkGenesisLine(sessionId: string, line: string): string[] {
  if (line === '' || toHex(lineHash(line)) !== sessionId) {
    throw new ApiError('BAD_REQUEST', 'genesis: the first record is not the genesis of this session');
  }
  let body: unknown;
  try {
    body = JSON.parse(line);
  } catch {
    throw new ApiError('BAD_REQUEST', 'genesis: not JSON');
  }
  const members = (body as { members?: unknown }).members;
  if (!Array.isArray(members)) throw new ApiError('BAD_REQUEST', 'genesis.members: missing');
  const ids: string[] = [];
  for (const m of members) {
    const id = (m as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') throw new ApiError('BAD_REQUEST', 'genesis.members: an id is not a string');
    ids.push(id);
  }
  return ids;
}

/** A session id from the address: 64 lower-case hex digits (upper case is refused by the
 *  server, so it is lowered here). */
export function parseSessionId(raw: string | null): string | null {
  if (!raw) return null;
  const s = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(s)) return null;
  fromHex(s, 32);
  return s;
}
