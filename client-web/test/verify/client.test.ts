// VerifierClient with its workers run in-process (node has no Web Workers; the same worker code,
// startWorker, runs behind a MessageChannel): records pushed in overlapping batches out of order
// are folded in seq order; ballots go to the proof workers and their verdicts are what the fold
// uses; a verdict reached against another context is not used; a proof worker that cannot work
// leaves its ballots to the fold; updates come at every round change.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { ChainVerifier } from '../../src/verify/chain-verifier';
import { type VerifierSnapshot, VerifierClient, type WorkerLike } from '../../src/verify/client';
import { checkBallotRequest } from '../../src/verify/proof-worker';
import type { BallotChecked, CheckBallot, RecordIn, ToWorker } from '../../src/verify/protocol';
import { startWorker } from '../../src/verify/worker-main';
import { InProcessWorker } from '../support/in-process-worker';
import { vectors } from './vectors';

beforeAll(async () => {
  await sodiumReady();
});

const open: MessagePort[] = [];

afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

// A proof worker under the test's control: answers each ballot with `answer`.
function prover(answer: (m: CheckBallot) => BallotChecked | null, seen: CheckBallot[] = []): WorkerLike {
  return new InProcessWorker((scope) => {
    scope.addEventListener('message', (e) => {
      const m = e.data as ToWorker;
      if (m.type !== 'start' || m.role !== 'proofs') return;
      const port = m.fold;
      port.onmessage = (ev: MessageEvent<unknown>) => {
        const request = ev.data as CheckBallot;
        seen.push(request);
        const reply = answer(request);
        port.postMessage(reply ?? { type: 'fatal', message: 'this proof worker cannot verify' });
      };
    });
  }, open);
}

/** A client whose fold is the real worker code and whose proof workers come from `provers`. */
function client(provers: (() => WorkerLike)[]): VerifierClient {
  let made = 0;
  return new VerifierClient({
    workers: provers.length,
    createWorker: () => (made++ === 0 ? new InProcessWorker(startWorker, open) : provers[made - 2]!()),
  });
}

const records: RecordIn[] = vectors.chain.map((e, seq) => ({ seq, line: e.line, sig: e.head_sig }));

function settled(c: VerifierClient, length: number): Promise<VerifierSnapshot> {
  return new Promise((resolve) => {
    const off = c.onUpdate((s) => {
      if (s.length >= length || s.failure !== null) {
        off();
        resolve(s);
      }
    });
  });
}

function direct(lines: string[]): ChainVerifier {
  const v = new ChainVerifier();
  for (const l of lines) if (!v.push(l).ok) break;
  return v;
}

describe('VerifierClient', () => {
  it('folds overlapping, out-of-order batches in seq order, the ballots checked by the proof workers', async () => {
    const seen: CheckBallot[][] = [[], []];
    const c = client([() => prover(checkBallotRequest, seen[0]), () => prover(checkBallotRequest, seen[1])]);
    const statuses: string[] = [];
    c.onUpdate((s) => {
      const status = s.rounds[0]?.status;
      if (status !== undefined && statuses.at(-1) !== status) statuses.push(status);
    });
    const done = settled(c, records.length);
    c.push(records.slice(20)); // ahead of a gap: held until 0 … 19 arrive
    c.push(records.slice(0, 25)); // overlaps what is held
    c.push(records.slice(10, 15)); // repeats
    const s = await done;
    expect(s.failure).toBeNull();
    expect(s.length).toBe(records.length);
    expect(s.headHash).toBe(vectors.chain.at(-1)!.hash);
    const v = direct(records.map((r) => r.line));
    expect(s.recordTypes).toEqual([...v.recordTypes]);
    expect(s.rounds).toEqual(v.rounds());
    expect(s.session).toEqual(v.session());
    // Every ballot went to a proof worker, and both had some.
    expect(seen[0]!.length + seen[1]!.length).toBe(6);
    expect(seen[0]!.length).toBeGreaterThan(0);
    expect(seen[1]!.length).toBeGreaterThan(0);
    // An update at every change of round 1, however fast the records came.
    expect(statuses).toEqual(expect.arrayContaining(['open', 'closed', 'resulted', 'revealed']));
    const receipt = await c.findReceipt(vectors.chain[17]!.hash);
    expect(receipt).toMatchObject({ seq: 17, round: 1, verified: true });
    expect(await c.findReceipt(receipt!.code.toLowerCase())).toEqual(receipt);
    expect(await c.snapshot()).toEqual(s);
    c.terminate();
  });

  it('uses the proof workers’ verdicts: a ballot they refuse is refused', async () => {
    // A proof worker that refuses the ballot at seq 18 although it is sound: the fold must take
    // its word (the check is not done twice), so the failure is the worker's.
    const refuse18 = (m: CheckBallot): BallotChecked => {
      const honest = checkBallotRequest(m);
      return m.seq === 18 ? { ...honest, error: { code: 'INVALID_PROOF', field: 'contests[0].limit_proof', message: 'as the worker said' } } : honest;
    };
    const c = client([() => prover(refuse18)]);
    const done = settled(c, records.length);
    c.push(records);
    const s = await done;
    expect(s.failure).toEqual({ seq: 18, code: 'INVALID_PROOF', field: 'contests[0].limit_proof', message: 'as the worker said' });
    expect(s.length).toBe(18);
    c.terminate();
  });

  it('checks a ballot itself when the verdict names another context', async () => {
    const lines = records.map((r) => r.line);
    lines[18] = lines[18]!.replace(/"sig":"(.)/, (_m, ch: string) => `"sig":"${ch === '0' ? '1' : '0'}`);
    const lying = (m: CheckBallot): BallotChecked => ({ type: 'verdict', seq: m.seq, context: 'another session', error: null });
    const c = client([() => prover(lying)]);
    const done = settled(c, records.length);
    c.push(lines.map((line, seq) => ({ seq, line })));
    const s = await done;
    expect(s.failure).toMatchObject({ seq: 18, code: 'INVALID_SIGNATURE', field: 'sig' });
    c.terminate();
  });

  it('leaves the ballots of a proof worker that cannot verify to the fold', async () => {
    const c = client([() => prover(() => null)]);
    const done = settled(c, records.length);
    c.push(records);
    const s = await done;
    expect(s.failure).toBeNull();
    expect(s.length).toBe(records.length);
    c.terminate();
  });

  it('refuses a head that does not verify, and a second line for a verified seq', async () => {
    const c = client([() => prover(checkBallotRequest)]);
    const bad = records.map((r) => ({ ...r }));
    bad[9]!.sig = records[8]!.sig;
    const done = settled(c, records.length);
    c.push(bad);
    expect((await done).failure).toMatchObject({ seq: 9, code: 'BAD_HEAD_SIGNATURE', field: 'sig' });
    c.terminate();

    const d = client([() => prover(checkBallotRequest)]);
    const first = settled(d, 13);
    d.push(records.slice(0, 13));
    expect((await first).failure).toBeNull();
    const forked = settled(d, 1000);
    d.push([{ seq: 12, line: records[12]!.line.replace('"present":5', '"present":5 ') }]);
    expect((await forked).failure).toMatchObject({ seq: 12, code: 'BROKEN_LINK', field: 'hash' });
    d.terminate();
  });

  it('answers whoever waits when it is terminated', async () => {
    const c = client([() => prover(checkBallotRequest)]);
    const pending = c.snapshot();
    c.terminate();
    await expect(pending).resolves.toMatchObject({ length: 0, failure: null });
    await expect(c.findReceipt('ABCD-EFGH')).rejects.toThrow('terminated');
  });
});
