// The projector's screens from what the browser's own verifier accepts of the vectors chain:
// the same path the page takes (ChainVerifier's session and rounds), stopped at each stage.
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../../src/crypto/sodium';
import { projectorView } from '../../../src/pages/projector/model';
import { chainLines, vectors, verifiedVectors } from '../fixtures';

beforeAll(async () => {
  await sodiumReady();
});

describe('the projector on the verified vectors chain', () => {
  it('shows the live counter after round_opened (seq 12)', async () => {
    const { snapshot } = await verifiedVectors(13);
    const v = projectorView(snapshot, { round: 1, present: 5, tokens: 4, ballots: 2, voted: 1 }, 13, true);
    expect(v.verification).toBe('ok');
    expect(v.phase).toMatchObject({ kind: 'voting', round: 1, present: 5, members: 5, ballots: 2 });
  });

  it('shows the comparison code of round_closed and the shares so far (seq 22)', async () => {
    const { snapshot } = await verifiedVectors(23);
    const v = projectorView(snapshot, null, 23, true);
    expect(v.phase.kind).toBe('counting');
    if (v.phase.kind !== 'counting') return;
    expect(v.phase.comparisonCode).toBe(snapshot.rounds[0]!.comparisonCode);
    expect(v.phase.comparisonCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(v.phase.trustees.map((t) => [t.id, t.done])).toEqual([
      ['server', true],
      ['m01', true],
      ['m02', false],
    ]);
  });

  it('shows the revealed evaluation exactly as the result record states it', async () => {
    const { snapshot } = await verifiedVectors(26);
    const v = projectorView(snapshot, null, 26, true);
    expect(v.phase.kind).toBe('revealed');
    if (v.phase.kind !== 'revealed') return;
    const result = JSON.parse(chainLines[24]!) as { contests: { id: string; counts: number[]; rate_bp: number; rank: number }[] };
    expect(v.phase.targets.map((t) => [t.id, t.counts.join(','), t.rateBp, t.rank])).toEqual(
      result.contests.map((c) => [c.id, c.counts.join(','), c.rate_bp, c.rank]),
    );
    expect(v.phase.targets.map((t) => t.grade)).toEqual(['满意', '基本满意']);
    expect(v.headHash).toBe(vectors.chain[25]!.hash);
  });

  it('says the session is adjourned at the end, with round 2 revealed', async () => {
    const { snapshot } = await verifiedVectors();
    const v = projectorView(snapshot, null, chainLines.length, true);
    expect(v.adjourned).toBe(true);
    expect(v.phase).toMatchObject({ kind: 'revealed', round: 2, roundKind: 'selection' });
  });

  it('reports a corrupted record as a failure, keeping what was verified before it', async () => {
    const { snapshot } = await verifiedVectors(26, { corrupt: (line, seq) => (seq === 18 ? line.replace('"round":1', '"round":2') : line) });
    const v = projectorView(snapshot, null, 26, true);
    expect(v.verification).toBe('failed');
    expect(v.failure?.seq).toBe(18);
    expect(v.phase).toMatchObject({ kind: 'voting', round: 1 });
  });
});
