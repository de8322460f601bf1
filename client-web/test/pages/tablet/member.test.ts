// The member's tablet against the fake server and the vectors' session: check-in, the status line
// through every phase, the automatic token, the ballot, the receipt, the declaration, the
// inclusion check, and what a reload does at each step.
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../src/crypto/bytes';
import { sha256 } from '../../../src/crypto/hash';
import { DeterministicRng } from '../../../src/crypto/rng';
import { headMessage, signDetached, signKeyPairFromSeed } from '../../../src/crypto/sign';
import { sodiumReady } from '../../../src/crypto/sodium';
import { ApiError } from '../../../src/net/errors';
import { FakeServer, SID, V, memberRng, seqs, vectorBallot, vectorChoices } from './fake-server';
import { freshDisk, idle, tablet, until } from './kit';

const M = 'm03';
const CODE = 'TM11G2GQJNT5';

beforeAll(async () => {
  await sodiumReady();
});

function server(served = seqs.checkIn('m01')): FakeServer {
  const s = new FakeServer(served);
  s.codes.set(CODE, M);
  return s;
}

/** A tablet of m03 checked in from its card's QR address (which names the member), the code
 *  spelled loosely. */
async function checkedIn(s: FakeServer, rounds: number[] = [1, 2]) {
  const kv = await freshDisk();
  const tab = tablet(s, kv, M, { rng: memberRng(M, rounds) });
  await tab.controller.start('tm11-g2gq-jnt5');
  await until(() => tab.view().phase === 'active' && tab.socket()?.state === 'online', 'checked in and online');
  await tab.controller.settle();
  return { kv, tab };
}

/** A tablet opened without `member` in the address: its member types the code. */
function typingTablet(s: FakeServer, kv: Awaited<ReturnType<typeof freshDisk>>, opts: Parameters<typeof tablet>[3] = {}) {
  return tablet(s, kv, M, { ...opts, deps: { memberHint: null, ...opts.deps } });
}

function picker(tab: ReturnType<typeof tablet>) {
  const r = tab.view().checkin.roster;
  if (r.state !== 'ready') throw new Error(`the roster is ${r.state}`);
  return r.picker;
}

function tokenRequests(s: FakeServer) {
  return s.log.filter((l) => l.type === 'token');
}

async function chooseVectorBallot(tab: ReturnType<typeof tablet>, round: number) {
  const info = V.rounds[round - 1]!;
  vectorChoices(round, M).forEach((chosen, k) => {
    for (const i of chosen) tab.controller.select(info.contests[k]!.id, i);
  });
}

describe('check-in', () => {
  it('refuses a code of the wrong length, or no name chosen, before sending anything', async () => {
    const s = server();
    const tab = typingTablet(s, await freshDisk(), { rng: memberRng(M, []) });
    await tab.controller.start(null);
    expect(tab.view().status).toBe('checkin');
    await tab.controller.checkIn(CODE);
    expect(tab.view().checkin.error).toEqual({ key: 'checkin_error_choose' });
    tab.controller.chooseMember(M);
    expect(tab.view().checkin.error).toBeNull();
    await tab.controller.checkIn('TM11-G2GQ-JNT');
    expect(tab.view().checkin.error).toEqual({ key: 'checkin_error_length', params: { n: 11 } });
    await tab.controller.checkIn('TM11-G2GQ-JNTU');
    expect(tab.view().checkin.error?.key).toBe('checkin_error_chars');
    await tab.controller.checkIn('   ');
    expect(tab.view().checkin.error?.key).toBe('checkin_error_empty');
    expect(s.log).toHaveLength(0);
    expect(s.checkInHellos).toHaveLength(0);
    expect(await tab.store.device()).toBeUndefined();
  });

  it('typed: lists the roster, filters it as the member types, and checks in with one hello for the chosen name', async () => {
    const s = server();
    const tab = typingTablet(s, await freshDisk(), { rng: memberRng(M, []) });
    await tab.controller.start(null);
    expect(picker(tab)).toMatchObject({ state: 'list', total: 5, selected: null });
    expect(picker(tab).shown.map((o) => o.name)).toEqual(['张伟', '王芳', '李娜', '刘洋', '陈静']);
    tab.controller.searchRoster('李');
    expect(picker(tab).shown.map((o) => o.id)).toEqual([M]);
    tab.controller.searchRoster('3');
    expect(picker(tab).shown.map((o) => o.id)).toEqual([M]);
    tab.controller.searchRoster('m0');
    expect(picker(tab).shown).toHaveLength(5);
    tab.controller.chooseMember(M);
    expect(picker(tab).selected).toEqual({ id: M, name: '李娜', seat: '3' });
    expect(s.checkInHellos).toHaveLength(0);

    await tab.controller.checkIn('tm11 g2gq jnt5');
    await until(() => tab.view().phase === 'active' && tab.socket()?.state === 'online', 'checked in and online');
    const vector = V.check_ins.find((c) => c.member === M)!;
    expect(s.checkInHellos).toEqual([{ session: SID, code: CODE, device_key: vector.device_key, sig: vector.sig, from: 0 }]);
    expect(await tab.store.device()).toMatchObject({ member: M, role: 'member', publicKey: vector.device_key });
    expect(tab.view().member).toEqual({ id: M, name: '李娜', seat: '3' });
  });

  it('typed: a code of another member is one refused hello, explained, and the member chooses again', async () => {
    const s = server();
    const kv = await freshDisk();
    // memberRng gives one device key only: a second key drawn for the second attempt would throw.
    const tab = typingTablet(s, kv, { rng: memberRng(M, []) });
    await tab.controller.start(null);
    tab.controller.chooseMember('m04');
    await tab.controller.checkIn(CODE);
    expect(tab.view().checkin.error).toEqual({ key: 'checkin_error_mismatch' });
    expect(tab.view().phase).toBe('checkin');
    expect(s.checkInHellos).toHaveLength(1);
    const vector = V.check_ins.find((c) => c.member === M)!;
    // The one hello was signed for the name chosen: m04, not m03.
    expect(s.checkInHellos[0]!.sig).not.toBe(vector.sig);
    expect(s.deviceKeys.size).toBe(0);
    // Stored: the device key, as before any check-in; no member, no secret, nothing of m04.
    expect(await tab.store.device()).toEqual({ seed: vector.device_seed, publicKey: vector.device_key, member: null, role: null, secret: null });
    expect(await tab.store.member('m04').rounds()).toEqual([]);
    // The name can be chosen again; the error goes with the old choice.
    expect(picker(tab).selected?.id).toBe('m04');
    tab.controller.chooseMember(M);
    expect(tab.view().checkin.error).toBeNull();
    await tab.controller.checkIn(CODE);
    await until(() => tab.view().phase === 'active', 'checked in');
    expect(s.checkInHellos).toHaveLength(2);
    expect(s.checkInHellos[1]).toMatchObject({ device_key: vector.device_key, sig: vector.sig });
    expect(tab.view().alarms).toEqual([]);
  });

  it('from the QR code: the address’s member is chosen and shown, and the code checks in at once', async () => {
    const s = server();
    const shown = tablet(s, await freshDisk(), M, { rng: memberRng(M, []) });
    await shown.controller.start(null);
    expect(picker(shown).selected).toEqual({ id: M, name: '李娜', seat: '3' });
    // Still the member's to change.
    shown.controller.chooseMember('m05');
    expect(picker(shown).selected?.id).toBe('m05');

    const s2 = server();
    const tab = tablet(s2, await freshDisk(), M, { rng: memberRng(M, []) });
    await tab.controller.start(CODE);
    await until(() => tab.view().phase === 'active', 'checked in');
    expect(s2.checkInHellos).toHaveLength(1);
  });

  it('from an address naming no roster member, or no member at all: nothing is sent, the code waits for a name', async () => {
    for (const memberHint of ['m99', null]) {
      const s = server();
      const tab = tablet(s, await freshDisk(), M, { rng: memberRng(M, []), deps: { memberHint } });
      await tab.controller.start('tm11-g2gq-jnt5');
      expect(tab.view().phase).toBe('checkin');
      expect(picker(tab).selected).toBeNull();
      expect(tab.view().checkin.addressCode).toBe('tm11-g2gq-jnt5');
      expect(s.checkInHellos).toHaveLength(0);
      tab.controller.chooseMember(M);
      await tab.controller.checkIn(tab.view().checkin.addressCode!);
      await until(() => tab.view().phase === 'active', 'checked in');
      expect(tab.view().checkin.addressCode).toBeNull();
      expect(tab.dropped()).toBe(1);
    }
  });

  it('says when the roster cannot be read, and reads it again when asked', async () => {
    const s = server();
    let down = true;
    const tab = typingTablet(s, await freshDisk(), {
      rng: memberRng(M, []),
      deps: {
        genesis: async () => {
          if (down) throw new ApiError('NETWORK', 'Failed to fetch');
          return V.session.genesis_line;
        },
      },
    });
    await tab.controller.start(null);
    expect(tab.view().checkin.roster).toEqual({ state: 'failed', error: { key: 'checkin_roster_failed', error: { code: 'NETWORK', message: 'Failed to fetch' } } });
    tab.controller.chooseMember(M);
    await tab.controller.checkIn(CODE);
    expect(tab.view().checkin.error?.key).toBe('checkin_error_choose');
    down = false;
    await tab.controller.loadRoster();
    expect(picker(tab).total).toBe(5);
  });

  it('stores the device key before the hello, signs for its member, keeps the device secret and drops the code', async () => {
    const s = server();
    const { tab } = await checkedIn(s);
    const device = await tab.store.device();
    const vector = V.check_ins.find((c) => c.member === M)!;
    expect(device).toMatchObject({ publicKey: vector.device_key, member: M, role: 'member' });
    expect(device?.secret).toMatch(/^[0-9a-f]{64}$/);
    // One hello, accepted: the card's code, normalised, and the vectors' signature.
    expect(s.checkInHellos).toEqual([{ session: SID, code: CODE, device_key: vector.device_key, sig: vector.sig, from: 0 }]);
    expect(tab.dropped()).toBe(1);
    // The reconnect hello uses the device secret, from 0, and never the code.
    const hello = s.log.find((l) => l.type === 'hello-device')!;
    expect(hello.fields).toEqual({ session: SID, device: device!.secret, from: 0 });
    expect(tab.view().alarms).toEqual([]);
    expect(tab.view().member).toEqual({ id: M, name: '李娜', seat: '3' });
  });

  it('explains a wrong code and a code used on another tablet', async () => {
    const s = server();
    const first = tablet(s, await freshDisk(), M, { rng: memberRng(M, []) });
    await first.controller.start('XXXX-XXXX-XXXX');
    await until(() => !first.view().checkin.busy && first.view().checkin.error !== null, 'an error');
    expect(first.view().checkin.error?.key).toBe('checkin_error_unauthorized');

    await checkedIn(s);
    // Another tablet (another device key) with the same card.
    const other = tablet(s, await freshDisk(), M, { rng: () => new DeterministicRng(sha256(utf8('another tablet'))) });
    await other.controller.start(CODE);
    await until(() => !other.view().checkin.busy && other.view().checkin.error !== null, 'an error');
    expect(other.view().checkin.error?.key).toBe('checkin_error_code_used');
    expect(other.view().status).toBe('checkin');
  });

  it('says loudly when the chain does not carry this tablet’s device key', async () => {
    const s = server();
    const kv = await freshDisk();
    // A tablet with its own key: the fake server accepts it, but the chain's check_in of m03
    // carries the vectors' key — as if the server had moved the check-in.
    const tab = tablet(s, kv, M, { rng: () => new DeterministicRng(sha256(utf8('a different tablet'))) });
    await tab.controller.start(CODE);
    await until(() => tab.view().phase === 'active', 'active');
    await tab.controller.settle();
    await until(() => tab.view().alarms.some((a) => a.key === 'alarm.device_key'), 'the device-key alarm');
    // Its key is not the member's on the chain: it asks for no token (the server would check
    // the request against the chain's key).
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().status === 'voting', 'voting');
    await tab.controller.settle();
    await idle();
    expect(tokenRequests(s)).toHaveLength(0);
    expect(tab.view().alarms.map((a) => a.key)).toContain('alarm.device_key');
  });

  it('after a reset by the secretariat, asks for the new code for the same name and checks in again with the same device key', async () => {
    const s = server();
    const kv = await freshDisk();
    const tab = typingTablet(s, kv, { rng: memberRng(M, []) });
    await tab.controller.start(null);
    tab.controller.chooseMember(M);
    await tab.controller.checkIn(CODE);
    await until(() => tab.view().phase === 'active' && tab.socket()?.state === 'online', 'checked in and online');
    const before = await tab.store.device();
    s.reset(M, 'ZZZZ1111ZZZZ');
    await tab.socket().connect();
    await until(() => tab.view().phase === 'checkin', 'back to check-in');
    expect(tab.view().checkin.revoked).toBe(true);
    expect(tab.view().status).toBe('checkin');
    expect((await tab.store.device())?.secret).toBeNull();
    // The tablet's own member is chosen already.
    await until(() => tab.view().checkin.roster.state === 'ready', 'the roster');
    expect(picker(tab).selected?.id).toBe(M);
    await tab.controller.checkIn('zzzz-1111-zzzz');
    await until(() => tab.view().phase === 'active', 'active again');
    const after = await tab.store.device();
    expect(after?.publicKey).toBe(before?.publicKey);
    expect(after?.secret).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('a round, start to end', () => {
  it('walks the status line through every phase and proves its ballot was counted', async () => {
    const s = server();
    const { tab } = await checkedIn(s);
    const c = tab.controller;
    expect(tab.view().status).toBe('waiting');

    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    expect(tab.view().status).toBe('voting');
    const stored = (await tab.store.member(M).rounds())[0]!;
    const vt = V.rounds[0]!.tokens.find((t) => t.member === M)!;
    expect(stored).toMatchObject({ round: 1, vk: vt.vk, blinded: vt.blinded, blind: vt.blind, input: vt.input, token: vt.token });
    expect(tokenRequests(s)).toHaveLength(1);

    expect(tab.view().ballot?.step).toBe('choose');
    expect(tab.view().ballot?.reviewEnabled).toBe(false);
    expect(tab.view().ballot?.missing).toEqual(['县教育局', '县卫生健康局']);
    c.review();
    expect(tab.view().ballot?.step).toBe('choose');
    await chooseVectorBallot(tab, 1);
    expect(tab.view().ballot?.missing).toEqual([]);
    c.review();
    expect(tab.view().ballot?.step).toBe('review');
    c.back();
    expect(tab.view().ballot?.step).toBe('choose');
    c.review();
    await c.submit();
    await until(() => tab.view().status === 'voted', 'voted');
    const vb = vectorBallot(1, M);
    expect(tab.view().ballot?.receiptCode).toBe(vb.receipt_code);
    expect(s.casts).toHaveLength(1);
    await until(() => tab.view().ballot?.declared === true, 'the declaration acknowledged');
    expect(s.declared.has(`${M}:1`)).toBe(true);
    const rec = (await tab.store.member(M).rounds())[0]!;
    expect(rec.receipt).toEqual({ ...vb.receipt, sigValid: true });
    expect(rec.votedAck).toBe(true);
    expect(tab.view().inclusion).toBeNull();

    s.release(seqs.closed(1) + 1);
    await until(() => tab.view().status === 'closed', 'closed');
    expect(tab.view().inclusion).toEqual({ round: 1, state: 'ok', reasons: [] });

    // Round 2 opens: a new token, automatically; its ballot has the screen.
    s.release(seqs.opened(2) + 1);
    await until(() => tab.view().ballot?.round === 2 && tab.view().ballot?.tokenReady === true, 'round 2 token');
    expect(tab.view().status).toBe('voting');
    expect(tab.view().inclusion).toBeNull();
    s.release(V.chain.length);
    await until(() => tab.view().status === 'adjourned', 'adjourned');
    expect(tab.view().ballot?.step).toBe('closed');
    expect(tab.view().ballot?.unsent).toBe(false);
    expect(tab.view().alarms).toEqual([]);
  });

  it('shows a loud warning when the receipted ballot is not the one on the chain', async () => {
    const s = server();
    const { tab } = await checkedIn(s);
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    // A server that receipts the ballot but puts something else at that seq.
    const seq = vectorBallot(1, M).receipt.seq;
    const hash = sha256(utf8('a ballot that was never recorded'));
    const serverSk = signKeyPairFromSeed(fromHex(V.session.server_key_seed, 32)).secretKey;
    s.onCast = () => {
      s.release(seq + 1);
      return { ok: true, receipt: { seq, hash: toHex(hash), sig: toHex(signDetached(headMessage(fromHex(SID, 32), seq, hash), serverSk)) } };
    };
    await chooseVectorBallot(tab, 1);
    tab.controller.review();
    await tab.controller.submit();
    await until(() => tab.view().status === 'voted', 'voted');
    expect(tab.view().alarms).toEqual([]);
    s.release(seqs.closed(1) + 1);
    await until(() => (tab.view().inclusion?.state ?? 'pending') !== 'pending', 'the inclusion check');
    expect(tab.view().inclusion).toEqual({ round: 1, state: 'missing', reasons: ['ballot'] });
    // The warning stays while the next round is voted on.
    s.release(seqs.opened(2) + 1);
    await until(() => tab.view().status === 'voting', 'round 2');
    expect(tab.view().inclusion).toEqual({ round: 1, state: 'missing', reasons: ['ballot'] });
  });

  it('warns when the receipt’s signature is not the server’s', async () => {
    const s = server();
    const { tab } = await checkedIn(s);
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    const vb = vectorBallot(1, M);
    s.onCast = () => {
      s.release(vb.receipt.seq + 1);
      return { ok: true, receipt: { ...vb.receipt, sig: vb.receipt.sig.replace(/^../, '00') } };
    };
    await chooseVectorBallot(tab, 1);
    tab.controller.review();
    await tab.controller.submit();
    await until(() => tab.view().status === 'voted', 'voted');
    expect(tab.view().alarms.map((a) => a.key)).toContain('alarm.receipt_sig');
  });
});

describe('reload', () => {
  async function openRound1() {
    const s = server();
    const { kv, tab } = await checkedIn(s, [1]);
    return { s, kv, tab };
  }

  it('before the token request was answered: re-sends the stored blinded element, never a new one', async () => {
    const { s, kv, tab } = await openRound1();
    s.lose.set('token', 'reply'); // issued by the server, the answer lost
    s.release(seqs.opened(1) + 1);
    await until(() => tokenRequests(s).length === 1, 'the token request');
    await tab.controller.settle();
    expect((await tab.store.member(M).rounds())[0]?.token).toBeNull();
    tab.controller.stop();

    const again = tablet(s, kv, M); // draws no randomness: a new key or blind would fail here
    await again.controller.start(null);
    await until(() => again.view().ballot?.tokenReady === true, 'the token after reload');
    const requests = tokenRequests(s);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.fields.blinded).toBe(requests[0]!.fields.blinded);
    expect((await again.store.member(M).rounds())[0]?.token).toBe(V.rounds[0]!.tokens.find((t) => t.member === M)!.token);
  });

  it('after the token was stored: asks for nothing again and restores the selections', async () => {
    const { s, kv, tab } = await openRound1();
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    tab.controller.select('d1', 2);
    tab.controller.select('d1', 1); // a radio: the second press replaces the first
    await idle();
    tab.controller.stop();

    const again = tablet(s, kv, M);
    await again.controller.start(null);
    await until(() => again.view().ballot?.step === 'choose', 'the ballot after reload');
    expect(again.view().ballot?.choices).toEqual([[1], []]);
    expect(again.view().ballot?.missing).toEqual(['县卫生健康局']);
    expect(tokenRequests(s)).toHaveLength(1);
  });

  it('says when every selection is stored, so that a reload shows the same marks', async () => {
    const { s, tab } = await openRound1();
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    expect(tab.view().selectionsSaved).toBe(true);
    tab.controller.select('d1', 2);
    expect(tab.view().selectionsSaved).toBe(false);
    await until(() => tab.view().selectionsSaved, 'the selection stored');
    expect((await tab.store.member(M).rounds())[0]!.choices).toEqual([[2], []]);
  });

  it('after the ballot was built: sends the identical stored bytes', async () => {
    const { s, kv, tab } = await openRound1();
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    s.castDown = true;
    await chooseVectorBallot(tab, 1);
    tab.controller.review();
    await tab.controller.submit();
    await until(() => tab.view().ballot?.retrying === true, 'retrying the cast');
    expect(tab.view().ballot?.step).toBe('sending');
    const built = (await tab.store.member(M).rounds())[0]!.ballot;
    expect(built).not.toBeNull();
    tab.controller.stop();

    s.castDown = false;
    const again = tablet(s, kv, M);
    await again.controller.start(null);
    await until(() => again.view().status === 'voted', 'voted after reload');
    expect(s.casts).toHaveLength(1);
    expect(s.casts[0]).toEqual(built);
    expect(again.view().ballot?.receiptCode).toBe(vectorBallot(1, M).receipt_code);
    await until(() => again.view().ballot?.declared === true, 'declared');
  });

  it('forgets the selections once the receipt is stored: a lost tablet does not tell the vote', async () => {
    const { s, tab } = await openRound1();
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    await chooseVectorBallot(tab, 1);
    tab.controller.review();
    expect((await tab.store.member(M).rounds())[0]!.choices).not.toBeNull();
    await tab.controller.submit();
    await until(() => tab.view().status === 'voted', 'voted');
    const stored = (await tab.store.member(M).rounds())[0]!;
    expect(stored.receipt).not.toBeNull();
    expect(stored.choices).toBeNull();
    expect(tab.view().ballot?.receiptCode).toBe(vectorBallot(1, M).receipt_code);
  });

  it('after the receipt: declares "voted" without casting again', async () => {
    const { s, kv, tab } = await openRound1();
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    s.lose.set('voted', 'request');
    await chooseVectorBallot(tab, 1);
    tab.controller.review();
    await tab.controller.submit();
    await until(() => tab.view().status === 'voted', 'voted');
    await until(() => s.lose.size === 0, 'the lost declaration');
    await tab.controller.settle();
    expect((await tab.store.member(M).rounds())[0]!.votedAck).toBe(false);
    expect(tab.view().ballot?.declared).toBe(false);
    tab.controller.stop();

    const again = tablet(s, kv, M);
    await again.controller.start(null);
    await until(() => again.view().ballot?.declared === true, 'declared after reload');
    expect(again.view().status).toBe('voted');
    expect(s.casts).toHaveLength(1);
    expect(s.declared.has(`${M}:1`)).toBe(true);
  });

  it('after the declaration was acknowledged: sends nothing at all, and checks inclusion at close', async () => {
    const { s, kv, tab } = await openRound1();
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    await chooseVectorBallot(tab, 1);
    tab.controller.review();
    await tab.controller.submit();
    await until(() => tab.view().ballot?.declared === true, 'declared');
    tab.controller.stop();
    const requestsBefore = s.log.filter((l) => l.type !== 'hello-device').length;

    const again = tablet(s, kv, M);
    await again.controller.start(null);
    await until(() => again.view().status === 'voted', 'voted after reload');
    await again.controller.settle();
    await idle();
    expect(s.log.filter((l) => l.type !== 'hello-device').length).toBe(requestsBefore);
    expect(s.casts).toHaveLength(1);
    expect(again.view().ballot?.receiptCode).toBe(vectorBallot(1, M).receipt_code);
    s.release(seqs.closed(1) + 1);
    await until(() => again.view().inclusion?.state === 'ok', 'included');
  });

  it('a ballot begun but not sent before the round closed is reported as not submitted', async () => {
    const { s, tab } = await openRound1();
    s.release(seqs.opened(1) + 1);
    await until(() => tab.view().ballot?.tokenReady === true, 'the token');
    tab.controller.select('d1', 0);
    s.release(seqs.closed(1) + 1);
    await until(() => tab.view().status === 'closed', 'closed');
    expect(tab.view().ballot).toMatchObject({ step: 'closed', unsent: true });
    expect(tab.view().inclusion).toBeNull();
  });
});
