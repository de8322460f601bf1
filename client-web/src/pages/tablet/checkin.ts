// The first check-in (DESIGN.md §2, docs/PROTOCOL.md §5 "hello — a member's first check-in").
//
// The check-in signature covers the member id ("pingyi-v1-checkin" ‖ session_id ‖ lp(member) ‖
// device_key), and a typed code does not say whose it is: the member chooses their own name from
// the genesis roster (picker.ts), or the card's QR address names them (`member`), and the tablet
// says exactly one signed hello for that member. A code of another member is refused with
// INVALID_SIGNATURE and changes nothing on the server.

import { fromHex, toHex } from '../../crypto/bytes';
import { lineHash } from '../../crypto/chain';
import { ApiError, isErrorBody } from '../../net/errors';
import { wsUrl } from '../../net/http';
import type { Message } from '../../net/socket';
import type { RosterEntry } from './picker';

/**
 * Says one check-in hello on a WebSocket of its own and closes it once the reply is in: the live
 * connection that follows says hello with the device secret (a connection says hello once). A
 * reply that does not come within `timeoutMs`, or a connection that closes first, is a NETWORK
 * error; a refusal is the server's ApiError.
 */
export function sendCheckInHello(fields: Message, timeoutMs = 15000): Promise<Message> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrl('/ws'));
    } catch (e) {
      reject(new ApiError('NETWORK', e instanceof Error ? e.message : String(e)));
      return;
    }
    let settled = false;
    const finish = (outcome: { reply: Message } | { error: ApiError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
      if ('reply' in outcome) resolve(outcome.reply);
      else reject(outcome.error);
    };
    const timer = setTimeout(() => finish({ error: new ApiError('NETWORK', 'no reply to hello') }), timeoutMs);
    ws.onopen = () => {
      try {
        ws.send(JSON.stringify({ id: 1, type: 'hello', ...fields }));
      } catch (e) {
        finish({ error: new ApiError('NETWORK', e instanceof Error ? e.message : String(e)) });
      }
    };
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
      // A hello dropped by the rate limit gets no reply, only an `error` push (PROTOCOL.md §8).
      if (msg.type === 'error' && msg.id === undefined) {
        const e = msg.error as { code?: unknown; message?: unknown } | undefined;
        if (typeof e?.code === 'string') finish({ error: new ApiError(e.code, typeof e.message === 'string' ? e.message : '') });
        return;
      }
      // Pushes that follow an accepted hello are the live connection's business, not this one's.
      if (msg.id !== 1) return;
      if (isErrorBody(msg)) finish({ error: new ApiError(msg.error.code, msg.error.message) });
      else if (msg.ok === true) finish({ reply: msg });
      else finish({ error: new ApiError('INTERNAL', 'hello: the reply is neither ok nor an error') });
    };
    ws.onclose = () => finish({ error: new ApiError('NETWORK', 'connection closed') });
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

/** The roster of a genesis line whose hash is the session id: each member's id, name and seat. */
export function checkGenesisLine(sessionId: string, line: string): RosterEntry[] {
  if (line === '' || toHex(lineHash(line)) !== sessionId) {
    throw new ApiError('BAD_REQUEST', 'genesis: the first record is not the genesis of this session');
  }
  let body: unknown;
  try {
    body = JSON.parse(line);
  } catch {
    throw new ApiError('BAD_REQUEST', 'genesis: not JSON');
  }
  const members = (body as { members?: unknown } | null)?.members;
  if (!Array.isArray(members)) throw new ApiError('BAD_REQUEST', 'genesis.members: missing');
  return members.map((m: unknown, i) => {
    const { id, name, seat } = (m ?? {}) as { id?: unknown; name?: unknown; seat?: unknown };
    if (typeof id !== 'string' || typeof name !== 'string' || typeof seat !== 'string') {
      throw new ApiError('BAD_REQUEST', `genesis.members[${i}]: id, name and seat must be strings`);
    }
    return { id, name, seat };
  });
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
