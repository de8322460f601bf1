// Verification speed in node, on one thread (a benchmark, not a test of speed: it prints its
// figures and asserts only that the session verifies). The session is N members × 30 targets —
// every member checks in, takes a token, casts a 30-target ballot and declares — made by
// session-builder.ts. Default N = 12 to keep the suite light on shared machines; set
// PINGYI_BENCH_MEMBERS=200 for the full 200 × 30 session (building it takes minutes).
//
// The figure that matters is ballots/s: the ballots' proofs are ~95% of the work, and in the
// browser VerifierClient spreads them over the proof workers, so the 200 × 30 session takes about
// 200 / (ballots/s × workers) plus the fold's own share.
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { ChainVerifier, prepareLine } from '../../src/verify/chain-verifier';
import { checkBallotProofs } from '../../src/verify/ballot-check';
import { evaluationSession } from './session-builder';

const MEMBERS = Number(process.env.PINGYI_BENCH_MEMBERS ?? 12);
const TARGETS = Number(process.env.PINGYI_BENCH_TARGETS ?? 30);

beforeAll(async () => {
  await sodiumReady();
});

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

describe(`verification speed, ${MEMBERS} members × ${TARGETS} targets, one thread`, () => {
  it('verifies the whole session and prints the figures', () => {
    const t0 = performance.now();
    const session = evaluationSession(MEMBERS, TARGETS, `bench ${MEMBERS}x${TARGETS}`);
    const built = performance.now() - t0;
    const lines = session.lines;

    // The whole fold, every check, as verifyChainText runs it.
    const t1 = performance.now();
    const v = new ChainVerifier();
    for (const l of lines) if (!v.push(l).ok) break;
    const whole = performance.now() - t1;
    expect(v.failure).toBeNull();
    expect(v.length).toBe(lines.length);
    expect(v.rounds()[0]!.status).toBe('revealed');

    // The fold's own share: every check but the ballots' proofs (what remains in the fold
    // worker when proof workers take those), timed by record type.
    const byType = new Map<string, number>();
    const fold = new ChainVerifier({ checkProofs: false });
    for (const l of lines) {
      const t = performance.now();
      const r = fold.push(l);
      byType.set(r.type, (byType.get(r.type) ?? 0) + performance.now() - t);
    }
    expect(fold.failure).toBeNull();
    // What each member brings (check-in, token, the ballot's decoding and sums, the declaration
    // in round_closed) grows with the roster; the rest (keys, decryption, result) does not.
    const perMember = ['check_in', 'token', 'ballot', 'round_closed'].reduce((n, t) => n + (byType.get(t) ?? 0), 0) / MEMBERS;
    const fixed = [...byType.entries()].filter(([t]) => !['check_in', 'token', 'ballot', 'round_closed'].includes(t)).reduce((n, [, ms]) => n + ms, 0);

    // The proof workers' share: decoding a ballot line and checking its proofs.
    const ballots = lines.map(prepareLine).filter((p) => p.record?.type === 'ballot');
    const ctx = v.ballotContext(1)!;
    const t2 = performance.now();
    for (const p of ballots) {
      if (p.record?.type !== 'ballot') continue;
      expect(checkBallotProofs(ctx, p.record.body)).toBeNull();
    }
    const proofs = performance.now() - t2;
    const perBallot = proofs / ballots.length;

    const project = (members: number, workers: number): string => seconds((members * perBallot) / workers + members * perMember + fixed);
    const bytes = lines.reduce((n, l) => n + l.length, 0);
    console.log(
      [
        `pingyi verifier bench (node ${process.version}, one thread): ${MEMBERS} members × ${TARGETS} targets`,
        `  session built in ${seconds(built)} s: ${lines.length} records, ${(bytes / 1e6).toFixed(1)} MB`,
        `  whole chain verified in ${seconds(whole)} s = ${(lines.length / (whole / 1000)).toFixed(0)} records/s`,
        `  ballot proofs: ${perBallot.toFixed(1)} ms per ${TARGETS}-target ballot = ${(1000 / perBallot).toFixed(2)} ballots/s = ${((1000 * TARGETS) / perBallot).toFixed(0)} contest-ballots/s`,
        `  the fold without them: ${perMember.toFixed(1)} ms per member, ${seconds(fixed)} s for the rest (${[...byType.entries()].map(([t, ms]) => `${t} ${ms.toFixed(0)} ms`).join(', ')})`,
        `  projected 200 × ${TARGETS}: ${project(200, 1)} s on one thread, ${project(200, 2)} s with 2 proof workers`,
      ].join('\n'),
    );
  });
});
