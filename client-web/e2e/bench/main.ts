// The page that bench.mjs drives in headless Chromium. It times the client's own code, as the
// pages run it: the tablet's ballot worker (src/pages/tablet/ballot-builder.ts) building and
// proving a ballot, and the observer's VerifierClient (src/verify/client.ts, Web Workers)
// verifying a whole chain. It only measures; bench.mjs prints and judges the figures.

import { ballotFromJson } from '../../src/crypto/ballot';
import { toHex } from '../../src/crypto/bytes';
import { mulBase } from '../../src/crypto/group';
import { randomScalar, systemRng } from '../../src/crypto/rng';
import { signKeyPair } from '../../src/crypto/sign';
import { sodiumReady } from '../../src/crypto/sodium';
import { workerBallotBuilder } from '../../src/pages/tablet/ballot-builder';
import type { BallotJob } from '../../src/pages/tablet/ballot-job';
import { VerifierClient, type VerifierSnapshot } from '../../src/verify/client';

export interface BallotFigures {
  targets: number;
  options: number;
  firstMs: number; // the first job: worker start and libsodium's initialisation included
  runsMs: number[];
}

export interface VerifyFigures {
  records: number;
  workers: number;
  fetchMs: number;
  verifyMs: number;
  failure: string | null;
  rounds: { round: number; ballots: number; counts: number[][] | null; verifiedResult: boolean }[];
}

function randomHex(n: number): string {
  return toHex(systemRng.bytes(n));
}

// A ballot job as the tablet makes one: a session, an election key, a fresh ephemeral key pair
// and a token (any non-identity point: building does not check N, the server does).
function ballotJob(targets: number, options: number): BallotJob {
  const { publicKey, secretKey } = signKeyPair(systemRng);
  return {
    sessionId: randomHex(32),
    round: 1,
    electionKey: toHex(mulBase(randomScalar(systemRng))),
    contests: Array.from({ length: targets }, (_, k) => ({ id: `d${k + 1}`, options, min: 1, max: 1 })),
    choices: Array.from({ length: targets }, (_, k) => [k % options]),
    vk: toHex(publicKey),
    ske: toHex(secretKey),
    token: toHex(mulBase(randomScalar(systemRng))),
  };
}

async function ballot(runs: number, targets = 28, options = 3): Promise<BallotFigures> {
  await sodiumReady();
  const builder = workerBallotBuilder();
  try {
    const time = async () => {
      const job = ballotJob(targets, options);
      const t0 = performance.now();
      const wire = await builder.build(job);
      const ms = performance.now() - t0;
      // What came back is a whole ballot of the right shape, not an error dressed as one.
      const parsed = ballotFromJson(wire);
      if (parsed.contests.length !== targets || parsed.contests.some((c) => c.selections.length !== options)) {
        throw new Error('the ballot worker returned a ballot of the wrong shape');
      }
      return ms;
    };
    const firstMs = await time();
    const runsMs: number[] = [];
    for (let i = 0; i < runs; i++) runsMs.push(await time());
    return { targets, options, firstMs, runsMs };
  } finally {
    builder.terminate();
  }
}

async function verify(url: string, workers?: number): Promise<VerifyFigures> {
  const f0 = performance.now();
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const fetchMs = performance.now() - f0;

  const client = new VerifierClient(workers ? { workers } : {});
  try {
    const finished = (s: VerifierSnapshot) => s.failure !== null || s.length === lines.length;
    const t0 = performance.now();
    const done = new Promise<VerifierSnapshot>((resolve) => {
      const off = client.onUpdate((s) => {
        if (finished(s)) {
          off();
          resolve(s);
        }
      });
    });
    client.push(lines.map((line, seq) => ({ seq, line })));
    // The updates are throttled; a slow poll makes sure the end is seen even between them.
    const poll = (async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        const s = await client.snapshot();
        if (finished(s)) return s;
      }
    })();
    await Promise.race([done, poll]);
    const verifyMs = performance.now() - t0;
    const final = await client.snapshot();
    return {
      records: final.length,
      workers: workers ?? Math.max(1, navigator.hardwareConcurrency || 1),
      fetchMs,
      verifyMs,
      failure: final.failure ? `seq ${final.failure.seq}: ${final.failure.code} ${final.failure.field}: ${final.failure.message}` : null,
      rounds: final.rounds.map((r) => ({ round: r.round, ballots: r.ballots, counts: r.counts, verifiedResult: r.result !== null })),
    };
  } finally {
    client.terminate();
  }
}

declare global {
  interface Window {
    pingyiBench: { ballot: typeof ballot; verify: typeof verify };
  }
}

window.pingyiBench = { ballot, verify };
document.getElementById('state')!.textContent = 'ready';
