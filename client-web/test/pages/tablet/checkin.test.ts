// Reading a typed check-in code as the server does, the roster of a genesis line, and the one
// check-in hello on a WebSocket of its own.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { normalizeTypedCode } from '../../../src/crypto/codes';
import { sodiumReady } from '../../../src/crypto/sodium';
import { ApiError } from '../../../src/net/errors';
import { checkGenesisLine, parseSessionId, sendCheckInHello } from '../../../src/pages/tablet/checkin';
import { parseCheckinCode } from '../../../src/pages/tablet/checkin-code';
import { SID, V } from './fake-server';

beforeAll(async () => {
  await sodiumReady();
});

describe('parseCheckinCode', () => {
  it.each([
    ['XZEP-1N9F-CD75', 'XZEP1N9FCD75'],
    ['xzep 1n9f cd75', 'XZEP1N9FCD75'],
    ['tm1l-g2gq-jnt5', 'TM11G2GQJNT5'],
    ['QR7Z-AJIB-6TOM', 'QR7ZAJ1B6T0M'],
    ['ＸＺＥＰ－１Ｎ９Ｆ－ＣＤ７５', 'XZEP1N9FCD75'],
  ])('reads %s as %s, as the server would', (typed, code) => {
    expect(parseCheckinCode(typed)).toEqual({ ok: true, code });
    // The same reading as the crypto library's (which the server mirrors), full-width aside.
    if (!/[^\x00-\x7f]/.test(typed)) expect(normalizeTypedCode(typed, 12)).toBe(code);
  });
  it('says what is wrong with a code that cannot be right', () => {
    expect(parseCheckinCode('')).toEqual({ ok: false, reason: 'empty', length: 0 });
    expect(parseCheckinCode(' - ')).toEqual({ ok: false, reason: 'empty', length: 0 });
    expect(parseCheckinCode('XZEP-1N9F-CD7')).toEqual({ ok: false, reason: 'length', length: 11 });
    expect(parseCheckinCode('XZEP-1N9F-CD755')).toEqual({ ok: false, reason: 'length', length: 13 });
    expect(parseCheckinCode('XZEP-1N9F-CD7U')).toMatchObject({ ok: false, reason: 'chars' });
    expect(parseCheckinCode('XZEP-1N9F-CD7!')).toMatchObject({ ok: false, reason: 'chars' });
  });
});

describe('checkGenesisLine and parseSessionId', () => {
  it('returns the roster of the genesis whose hash is the session id: id, name and seat', () => {
    const roster = checkGenesisLine(SID, V.session.genesis_line);
    expect(roster.map((m) => m.id)).toEqual(['m01', 'm02', 'm03', 'm04', 'm05']);
    expect(roster[2]).toEqual({ id: 'm03', name: '李娜', seat: '3' });
  });
  it('refuses a genesis of another session', () => {
    expect(() => checkGenesisLine('00'.repeat(32), V.session.genesis_line)).toThrow(ApiError);
    expect(() => checkGenesisLine(SID, '')).toThrow(ApiError);
  });
  it('accepts 64 hex digits only', () => {
    expect(parseSessionId(SID.toUpperCase())).toBe(SID);
    expect(parseSessionId(`${SID}0`)).toBeNull();
    expect(parseSessionId(null)).toBeNull();
  });
});

/** A genesis line whose session id is its own hash, with `members` as given. */
async function genesisWith(members: unknown): Promise<{ sid: string; line: string }> {
  const { lineHash } = await import('../../../src/crypto/chain');
  const { toHex } = await import('../../../src/crypto/bytes');
  const body = JSON.parse(V.session.genesis_line) as Record<string, unknown>;
  const line = JSON.stringify({ ...body, members });
  return { sid: toHex(lineHash(line)), line };
}

describe('checkGenesisLine refuses a roster it cannot show', () => {
  it.each([
    ['a member without a seat', [{ id: 'a', name: 'A' }]],
    ['a name that is not a string', [{ id: 'a', name: 7, seat: '1' }]],
    ['an id that is not a string', [{ id: 1, name: 'A', seat: '1' }]],
    ['a member that is not an object', [null]],
    ['members that are not a list', { a: 1 }],
  ])('%s', async (_, members) => {
    const { sid, line } = await genesisWith(members);
    expect(() => checkGenesisLine(sid, line)).toThrow(ApiError);
  });
  it('accepts an empty seat (a member without one)', async () => {
    const { sid, line } = await genesisWith([{ id: 'a', name: 'A', seat: '' }]);
    expect(checkGenesisLine(sid, line)).toEqual([{ id: 'a', name: 'A', seat: '' }]);
  });
});

/** A stand-in for the browser's WebSocket: records what is sent, and lets the test answer. */
class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static last: FakeWebSocket | null = null;
  readyState = FakeWebSocket.CONNECTING;
  sent: string[] = [];
  closed: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.last = this;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code: number): void {
    this.closed = code;
    this.readyState = FakeWebSocket.CLOSED;
  }
  open(): void {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.();
  }
  receive(m: unknown): void {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  drop(): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.();
  }
}

describe('sendCheckInHello', () => {
  const fields = { session: SID, code: 'TM11G2GQJNT5', device_key: 'aa'.repeat(32), sig: 'bb'.repeat(64), from: 0 };

  function install(): void {
    FakeWebSocket.last = null;
    vi.stubGlobal('WebSocket', FakeWebSocket);
    vi.stubGlobal('location', { protocol: 'https:', host: 'vote.example' });
  }
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('sends exactly one hello on /ws and closes the connection once the reply is in', async () => {
    install();
    const reply = sendCheckInHello(fields);
    const ws = FakeWebSocket.last!;
    expect(ws.url).toBe('wss://vote.example/ws');
    ws.open();
    expect(ws.sent.map((x) => JSON.parse(x) as unknown)).toEqual([{ id: 1, type: 'hello', ...fields }]);
    // A push before the reply is not the reply.
    ws.receive({ type: 'progress', round: 1, present: 1, ballots: 0 });
    ws.receive({ id: 1, ok: true, role: 'member', member: 'm03', device: 'cc'.repeat(32), head: { seq: 9 } });
    await expect(reply).resolves.toMatchObject({ member: 'm03', device: 'cc'.repeat(32) });
    expect(ws.closed).toBe(1000);
    expect(ws.sent).toHaveLength(1);
  });

  it('rejects with the server’s error, and closes', async () => {
    install();
    const reply = sendCheckInHello(fields);
    const ws = FakeWebSocket.last!;
    ws.open();
    ws.receive({ id: 1, ok: false, error: { code: 'INVALID_SIGNATURE', message: "sig: is not the device key's check-in signature" } });
    await expect(reply).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    expect(ws.closed).toBe(1000);
  });

  it('hears of a hello the rate limit dropped from the error push, without waiting out the timeout', async () => {
    install();
    const reply = sendCheckInHello(fields);
    const ws = FakeWebSocket.last!;
    ws.open();
    ws.receive({ type: 'error', error: { code: 'RATE_LIMITED', message: 'too many messages: this one was dropped, slow down' } });
    await expect(reply).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(ws.closed).toBe(1000);
  });

  it('is a NETWORK error when the connection closes first, or the reply does not come', async () => {
    install();
    const dropped = sendCheckInHello(fields);
    FakeWebSocket.last!.drop();
    await expect(dropped).rejects.toMatchObject({ code: 'NETWORK' });

    vi.useFakeTimers();
    const silent = sendCheckInHello(fields, 1000);
    const ws = FakeWebSocket.last!;
    ws.open();
    vi.advanceTimersByTime(1001);
    await expect(silent).rejects.toMatchObject({ code: 'NETWORK', message: 'no reply to hello' });
    expect(ws.closed).toBe(1000);
  });
});
