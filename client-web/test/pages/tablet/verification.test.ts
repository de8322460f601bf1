// A scrutineer's own verification runs in Web Workers (DESIGN.md §3.4): the tablet acts on its
// thread's fold without proofs, and only the workers' report — every proof and the sums, past
// round_closed, with no failure — lets it compute a decryption share. Here that report comes
// late (held back at chosen seqs), or finds a ballot whose proof a fold without proofs accepts,
// or comes from the real VerifierClient with its workers run in this thread.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../../src/crypto/sodium';
import { ChainVerifier } from '../../../src/verify/chain-verifier';
import { FakeServer, V, forgedChain, memberRng, seqs } from './fake-server';
import { type Tablet, freshDisk, idle, tablet, until } from './kit';
import { DeferredProofs, inProcessVerifierClient } from './proofs';

const S = 'm01';
const CODE = 'XZEP1N9FCD75';
const vectorTrustee = () => V.trustees.scrutineers.find((s) => s.id === S)!;

beforeAll(async () => {
  await sodiumReady();
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A scrutineer's tablet checked in, its key restored from the paper code. */
async function scrutineer(s: FakeServer, deps: Parameters<typeof tablet>[3] = {}): Promise<Tablet> {
  s.codes.set(CODE, S);
  const tab = tablet(s, await freshDisk(), S, { rng: memberRng(S, []), ...deps });
  cleanups.push(() => tab.controller.stop());
  await tab.controller.start(CODE);
  await until(() => tab.view().phase === 'active' && tab.socket()?.state === 'online', 'checked in');
  await tab.controller.settle();
  await until(() => tab.view().trustee !== null, 'the trustee panel');
  await tab.controller.trusteeRestore(vectorTrustee().code);
  expect(tab.view().trustee?.stage).toBe('ready');
  return tab;
}

function decryptionRequests(s: FakeServer) {
  return s.log.filter((l) => l.type === 'decryption');
}

describe("the scrutineer's verification in workers", () => {
  it('keeps the decryption refused until the workers report past round_closed, showing their progress', async () => {
    const closedSeq = seqs.closed(1);
    const served = seqs.decryption(1, 'server') + 1;
    const s = new FakeServer(served);
    const held = new DeferredProofs({ upTo: 0 });
    const tab = await scrutineer(s, { deps: { newProofVerifier: () => held } });
    const c = tab.controller;

    // The thread's fold has read the whole chain; the workers have reported nothing yet.
    await until(() => tab.view().decryptions.length === 1, 'round 1 listed');
    await until(() => held.received === served, 'every record handed to the workers');
    expect(tab.view().status).not.toBeNull();
    expect(tab.view().decryptions[0]!.stage).toEqual({ kind: 'verifying', done: 0, total: closedSeq + 1 });
    expect(tab.view().verification).toEqual({ done: 0, total: served });
    await c.approveDecryption(1);
    await idle();
    expect(decryptionRequests(s)).toHaveLength(0);
    expect(await tab.store.member(S).decryptions()).toEqual([]);

    // Verified up to just before round_closed: still refused.
    held.allow(closedSeq);
    await until(() => held.reports.at(-1)?.length === closedSeq, 'verified up to round_closed');
    await idle(5);
    expect(tab.view().decryptions[0]!.stage).toEqual({ kind: 'verifying', done: closedSeq, total: closedSeq + 1 });
    expect(tab.view().verification).toEqual({ done: closedSeq, total: served });
    await c.approveDecryption(1);
    await idle();
    expect(decryptionRequests(s)).toHaveLength(0);

    // round_closed verified, its sums those of the verified ballots: count and code shown.
    held.allow(closedSeq + 1);
    await until(() => tab.view().decryptions[0]!.stage.kind === 'ready', 'ready');
    expect(tab.view().decryptions[0]!.stage).toEqual({
      kind: 'ready',
      ballots: 3,
      comparisonCode: V.rounds[0]!.comparison_code,
      closedHash: V.rounds[0]!.closed_hash,
    });
    expect(tab.view().verification).toEqual({ done: closedSeq + 1, total: served });

    held.allow(Number.POSITIVE_INFINITY);
    await until(() => tab.view().verification === null, 'the verification caught up');
    expect(tab.view().alarms).toEqual([]);
    await c.approveDecryption(1);
    await until(() => tab.view().decryptions[0]?.stage.kind === 'done', 'the decryption on the chain');
    expect(decryptionRequests(s)).toHaveLength(1);
  });

  it('refuses the decryption, and says so loudly, when the workers find a ballot proof that does not verify', async () => {
    const ballotSeq = seqs.ballotOf(V.rounds[0]!.ballots[0]!.cast.vk);
    const closedSeq = seqs.closed(1);
    // The server publishes a ballot whose 0/1 proof was altered, re-linked and re-signed: every
    // link and head holds, and the sums are unchanged (α and β are).
    const chain = forgedChain(ballotSeq, (line) => {
      const o = JSON.parse(line) as { contests: { selections: { proof: { s: string[] } }[] }[] };
      const s0 = o.contests[1]!.selections[0]!.proof.s[0]!;
      // The scalar's least significant byte changes: still canonical, no longer a proof.
      o.contests[1]!.selections[0]!.proof.s[0] = (s0[0] === '0' ? '1' : '0') + s0.slice(1);
      return JSON.stringify(o);
    });
    const lines = chain.slice(0, closedSeq + 1).map((e) => e.line);
    // A fold without proofs (a member's tablet, this tablet's own thread) accepts it all.
    const cheap = new ChainVerifier({ checkProofs: false });
    for (const [seq, line] of lines.entries()) expect(cheap.push(line, chain[seq]!.head_sig).ok).toBe(true);

    const s = new FakeServer(closedSeq + 1, chain);
    const tab = await scrutineer(s);
    await until(() => tab.view().decryptions[0]?.stage.kind === 'failed', 'the verification failed');
    const failure = { seq: ballotSeq, code: 'INVALID_PROOF', field: 'contests[1].selections[0].proof' };
    expect(tab.view().decryptions[0]!.stage).toMatchObject({ kind: 'failed', error: failure });
    expect(tab.view().alarms).toContainEqual({ key: 'alarm.chain', params: { seq: ballotSeq, code: 'INVALID_PROOF' } });
    expect(tab.view().verification).toBeNull();
    // The thread's own fold found nothing: the one alarm is the workers'.
    expect(tab.view().alarms.filter((a) => a.key === 'alarm.chain')).toHaveLength(1);

    await tab.controller.approveDecryption(1);
    await idle();
    expect(decryptionRequests(s)).toHaveLength(0);
    expect(await tab.store.member(S).decryptions()).toEqual([]);
  });

  it('hands the workers a second, different version of a record it was shown: a fork, and no decryption', async () => {
    const s = new FakeServer(seqs.decryption(1, 'server') + 1);
    const tab = await scrutineer(s);
    await until(() => tab.view().decryptions[0]?.stage.kind === 'ready', 'ready');
    const proofs = tab.proofs[0]!;
    const before = proofs.received;
    // The same record again (as after a reconnect) changes nothing.
    tab.controller.onRecord(12, V.chain[12]!.line, V.chain[12]!.head_sig);
    await until(() => proofs.received === before + 1, 'the repeat handed over');
    await idle(10);
    expect(proofs.verifier.failure).toBeNull();
    expect(tab.view().decryptions[0]!.stage.kind).toBe('ready');

    const other = V.chain[12]!.line.replace('"present":5', '"present":4');
    expect(other).not.toBe(V.chain[12]!.line);
    tab.controller.onRecord(12, other);
    await until(() => proofs.verifier.failure !== null, 'the workers saw the fork');
    expect(proofs.verifier.failure).toMatchObject({ seq: 12, code: 'BROKEN_LINK', field: 'hash' });
    await until(() => tab.view().decryptions[0]!.stage.kind === 'failed', 'refused');
    expect(tab.view().alarms).toContainEqual({ key: 'alarm.chain', params: { seq: 12, code: 'BROKEN_LINK' } });
    await tab.controller.approveDecryption(1);
    await idle();
    expect(decryptionRequests(s)).toHaveLength(0);
  });

  it('brings a decryption to the chain with the real VerifierClient (fold and proof workers in this thread)', async () => {
    const s = new FakeServer(seqs.decryption(1, 'server') + 1);
    const { client, close } = inProcessVerifierClient(2);
    cleanups.push(close);
    const tab = await scrutineer(s, { deps: { newProofVerifier: () => client } });
    await until(() => tab.view().decryptions[0]?.stage.kind === 'ready', 'ready', 30000);
    expect(tab.view().decryptions[0]!.stage).toMatchObject({ ballots: 3, comparisonCode: V.rounds[0]!.comparison_code });
    await tab.controller.approveDecryption(1);
    await until(() => tab.view().decryptions[0]?.stage.kind === 'done', 'the decryption on the chain', 30000);
    expect(decryptionRequests(s)).toHaveLength(1);
    // The page's own fold saw the decryption record first; the workers get it in the next batch.
    let snapshot = await client.snapshot();
    for (const end = Date.now() + 30000; !snapshot.rounds[0]?.decryptions.includes(S) && Date.now() < end; ) {
      await idle(5);
      snapshot = await client.snapshot();
    }
    expect(snapshot.failure).toBeNull();
    expect(snapshot.rounds[0]!.decryptions).toContain(S);
  });

  it("never starts the workers on a member's tablet", async () => {
    const s = new FakeServer(seqs.closed(1) + 1);
    s.codes.set('TM11G2GQJNT5', 'm03');
    const tab = tablet(s, await freshDisk(), 'm03', { rng: memberRng('m03', []) });
    cleanups.push(() => tab.controller.stop());
    await tab.controller.start('TM11G2GQJNT5');
    await until(() => tab.view().phase === 'active' && tab.view().status !== null, 'checked in and read');
    expect(tab.proofs).toHaveLength(0);
    expect(tab.view().verification).toBeNull();
    expect(tab.view().decryptions).toEqual([]);
  });
});
