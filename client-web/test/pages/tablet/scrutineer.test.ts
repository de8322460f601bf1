// The scrutineer's tablet (DESIGN.md §3.4, §3.5): the trustee key made from a recovery code shown
// once and typed back, its restoration from the paper code (refused for a wrong one), and the
// decryption of a closed round only after the tablet verified the chain itself, once per round.
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/crypto/bytes';
import { mulBase } from '../../../src/crypto/group';
import { sodiumReady } from '../../../src/crypto/sodium';
import { TabletStore } from '../../../src/pages/tablet/store';
import { FakeServer, V, memberRng, seqs } from './fake-server';
import { freshDisk, idle, tablet, until } from './kit';

const S = 'm01';
const CODE = 'XZEP1N9FCD75';
const vectorTrustee = () => V.trustees.scrutineers.find((s) => s.id === S)!;

beforeAll(async () => {
  await sodiumReady();
});

async function checkedIn(s: FakeServer, kv?: Awaited<ReturnType<typeof freshDisk>>) {
  s.codes.set(CODE, S);
  const disk = kv ?? (await freshDisk());
  const tab = tablet(s, disk, S, { rng: memberRng(S, []) });
  await tab.controller.start(CODE);
  await until(() => tab.view().phase === 'active' && tab.socket()?.state === 'online', 'checked in');
  await tab.controller.settle();
  await until(() => tab.view().trustee !== null, 'the trustee panel');
  return { kv: disk, tab };
}

function requests(s: FakeServer, type: string) {
  return s.log.filter((l) => l.type === type);
}

describe('the trustee key', () => {
  it('shows the recovery code once, requires it typed back, then sends the key and keeps x', async () => {
    // The scrutineers' keys come before any check-in in the vectors' chain: the tablet sees
    // genesis and the server's key only, and the check-in record is not released.
    const s = new FakeServer(seqs.trustee(S));
    s.releaseCheckIn = false;
    const { tab } = await checkedIn(s);
    const c = tab.controller;
    expect(tab.view().scrutineer).toBe(true);
    expect(tab.view().trustee?.stage).toBe('none');

    c.trusteeGenerate();
    const v = vectorTrustee();
    expect(tab.view().trustee).toMatchObject({ stage: 'show', code: v.code });
    c.trusteeWritten();
    expect(tab.view().trustee).toMatchObject({ stage: 'confirm', code: null });
    // Typed wrongly: refused, nothing stored or sent.
    await c.trusteeConfirm(v.code_display.replace(/^./, v.code[0] === 'A' ? 'B' : 'A'));
    expect(tab.view().trustee?.confirmError?.key).toBe('recovery_mismatch');
    await c.trusteeConfirm('1234');
    expect(tab.view().trustee?.confirmError?.key).toBe('recovery_invalid');
    expect(await tab.store.member(S).trustee()).toBeUndefined();
    expect(requests(s, 'trustee_key')).toHaveLength(0);

    // Typed as a person reads it from paper: lower case, with dashes.
    await c.trusteeConfirm(v.code_display.toLowerCase());
    await until(() => tab.view().trustee?.stage === 'ready', 'the key on the chain');
    const stored = await tab.store.member(S).trustee();
    expect(stored).toMatchObject({ x: v.x, key: v.key });
    expect(requests(s, 'trustee_key')).toHaveLength(1);
    expect(requests(s, 'trustee_key')[0]!.fields.key).toBe(v.key);
  });

  it('resends the stored key after a reload when its reply was lost', async () => {
    const s = new FakeServer(seqs.trustee(S));
    s.releaseCheckIn = false;
    const { kv, tab } = await checkedIn(s);
    const v = vectorTrustee();
    s.lose.set('trustee_key', 'request');
    tab.controller.trusteeGenerate();
    tab.controller.trusteeWritten();
    await tab.controller.trusteeConfirm(v.code);
    await until(() => s.lose.size === 0, 'the lost request');
    expect(tab.view().trustee?.stage).toBe('sending');
    tab.controller.stop();

    const again = tablet(s, kv, S);
    await again.controller.start(null);
    await until(() => again.view().trustee?.stage === 'ready', 'ready after reload');
    expect(requests(s, 'trustee_key')).toHaveLength(1);
  });

  it('restores x from the paper code, and refuses a code whose key is not on the chain', async () => {
    const s = new FakeServer(seqs.checkIn('m01'));
    const { tab } = await checkedIn(s);
    const c = tab.controller;
    expect(tab.view().trustee?.stage).toBe('missing');

    const other = V.trustees.scrutineers.find((x) => x.id === 'm02')!;
    await c.trusteeRestore(other.code_display);
    expect(tab.view().trustee?.restoreError?.key).toBe('restore_wrong');
    expect(tab.view().trustee?.stage).toBe('missing');
    expect(await tab.store.member(S).trustee()).toBeUndefined();

    await c.trusteeRestore('not a code');
    expect(tab.view().trustee?.restoreError?.key).toBe('recovery_invalid');

    const v = vectorTrustee();
    await c.trusteeRestore(v.code_display.toLowerCase().replace(/-/g, ' '));
    expect(tab.view().trustee).toMatchObject({ stage: 'ready', restored: true, restoreError: null });
    const stored = await tab.store.member(S).trustee();
    expect(stored?.x).toBe(v.x);
    expect(toHex(mulBase(fromHex(stored!.x, 32)))).toBe(v.key);
  });

  it('says so when the key on this tablet is not the one on the chain', async () => {
    const s = new FakeServer(seqs.checkIn('m01'));
    const kv = await freshDisk();
    const other = V.trustees.scrutineers.find((x) => x.id === 'm02')!;
    await new TabletStore(kv, V.session.session_id).member(S).putTrustee({ x: other.x, key: other.key, proof: null });
    const { tab } = await checkedIn(s, kv);
    expect(tab.view().trustee?.stage).toBe('mismatch');
    expect(tab.view().alarms.map((a) => a.key)).toContain('alarm.trustee_mismatch');
  });
});

describe('decryption', () => {
  async function restoredScrutineer(s: FakeServer, kv?: Awaited<ReturnType<typeof freshDisk>>) {
    const r = await checkedIn(s, kv);
    if (r.tab.view().trustee?.stage !== 'ready') await r.tab.controller.trusteeRestore(vectorTrustee().code);
    expect(r.tab.view().trustee?.stage).toBe('ready');
    return r;
  }

  it('shows the ballot count and comparison code of a verified round, then sends shares the server verifies', async () => {
    // The chain up to round 1's close and the server's own decryption.
    const s = new FakeServer(seqs.decryption(1, 'server') + 1);
    const { tab } = await restoredScrutineer(s);
    // The workers' verification answers asynchronously: 'verifying' until it has reported.
    await until(() => tab.view().decryptions[0]?.stage.kind === 'ready', 'round 1 verified and ready to decrypt');
    const panel = tab.view().decryptions[0]!;
    expect(tab.view().decryptions).toHaveLength(1);
    expect(panel.round).toBe(1);
    expect(panel.stage).toEqual({
      kind: 'ready',
      ballots: 3,
      comparisonCode: V.rounds[0]!.comparison_code,
      closedHash: V.rounds[0]!.closed_hash,
    });
    await tab.controller.approveDecryption(1);
    await until(() => tab.view().decryptions[0]?.stage.kind === 'done', 'the decryption on the chain');
    expect(requests(s, 'decryption')).toHaveLength(1);
    const stored = (await tab.store.member(S).decryptions())[0]!;
    expect(stored).toMatchObject({ round: 1, closedHash: V.rounds[0]!.closed_hash, sent: true });
    expect(stored.shares.map((c) => c.id)).toEqual(['d1', 'd2']);

    // A second approval of the same round does nothing.
    await tab.controller.approveDecryption(1);
    await idle();
    expect(requests(s, 'decryption')).toHaveLength(1);
  });

  it('after a reload re-sends the stored shares, and never computes new ones', async () => {
    const s = new FakeServer(seqs.decryption(1, 'server') + 1);
    const { kv, tab } = await restoredScrutineer(s);
    await until(() => tab.view().decryptions[0]?.stage.kind === 'ready', 'ready');
    s.lose.set('decryption', 'request');
    await tab.controller.approveDecryption(1);
    await until(() => s.lose.size === 0, 'the lost request');
    expect(tab.view().decryptions[0]?.stage.kind).toBe('sending');
    const stored = (await tab.store.member(S).decryptions())[0]!;
    tab.controller.stop();

    // A tablet that would fail the test if it drew randomness for new shares.
    const again = tablet(s, kv, S);
    await again.controller.start(null);
    await until(() => again.view().decryptions[0]?.stage.kind === 'done', 'done after reload');
    const sent = requests(s, 'decryption');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.fields.shares).toEqual(stored.shares);
  });

  it('refuses a round it has already decrypted against another round_closed (a fork)', async () => {
    const s = new FakeServer(seqs.decryption(1, 'server') + 1);
    const kv = await freshDisk();
    // What this device remembers: shares of round 1 bound to a different round_closed.
    await new TabletStore(kv, V.session.session_id).member(S).putDecryption({
      round: 1,
      closedHash: 'ab'.repeat(32),
      shares: [],
      sent: true,
    });
    const { tab } = await restoredScrutineer(s, kv);
    await until(() => tab.view().decryptions.length === 1, 'round 1 listed');
    expect(tab.view().decryptions[0]!.stage).toEqual({ kind: 'refused', storedHash: 'ab'.repeat(32) });
    expect(tab.view().alarms).toContainEqual({ key: 'alarm.fork', params: { round: 1 } });
    await tab.controller.approveDecryption(1);
    await idle();
    expect(requests(s, 'decryption')).toHaveLength(0);
  });

  it('offers nothing to decrypt without the key on this tablet', async () => {
    const s = new FakeServer(seqs.decryption(1, 'server') + 1);
    const { tab } = await checkedIn(s);
    await until(() => tab.view().decryptions.length === 1, 'round 1 listed');
    expect(tab.view().decryptions[0]!.stage).toEqual({ kind: 'no_key' });
    await tab.controller.approveDecryption(1);
    await idle();
    expect(requests(s, 'decryption')).toHaveLength(0);
  });
});
