// The fold on sessions the vector chain does not have (made by session-builder.ts): a motion
// round without ballots (result at once, no decryption), a member leaving and a device reset
// between the token request and the declaration, a ballot nobody declared (undeclared 1), a
// 4-grade scale and a selection with a tie straddling the cut. Each verifies to its last record,
// with the results the rules give.
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { ChainVerifier } from '../../src/verify/chain-verifier';
import { SessionBuilder } from './session-builder';

beforeAll(async () => {
  await sodiumReady();
});

function verified(lines: string[]): ChainVerifier {
  const v = new ChainVerifier();
  for (const l of lines) {
    const r = v.push(l);
    if (!r.ok) throw new Error(`record ${r.seq} (${r.type}) refused: ${r.error!.code} ${r.error!.field} ${r.error!.message}`);
  }
  return v;
}

describe('sessions beyond the vectors', () => {
  it('verifies a motion round without ballots, a check-out, a reset, and an undeclared ballot', () => {
    const s = new SessionBuilder({ members: 6, scrutineers: 1, seed: 'beyond the vectors' });
    const motion = s.round('motion', [{ id: 'mo1', title: '关于某某的决定', options: ['赞成', '反对', '弃权'], min: 1, max: 1 }], { base: 'members', num: 1, den: 2, inclusive: false });
    const grades = s.round('evaluation', ['d1', 'd2'].map((id) => ({ id, title: id, options: ['优秀', '称职', '基本称职', '不称职'], min: 1, max: 1 })), { pass_grades: 2, weights: null });
    const pick = s.round('selection', [{ id: 's1', title: '人选', options: ['甲', '乙', '丙'], min: 0, max: 2 }], { num: 1, den: 2, inclusive: false });
    for (const m of s.members) s.checkIn(m);
    s.checkOut(s.members[4]!);

    // Round 1: opened and closed with no ballot at all.
    s.open(motion);
    s.close(motion, []);
    s.decryptAndPublish(motion);
    s.reveal(motion);

    // Round 2: m0002's device is reset after its token request; its declaration is signed with
    // the key of the request. m0003 casts without declaring.
    s.open(grades);
    const voters = s.members.slice(0, 4).map((m) => s.token(grades, m));
    s.keepTokenDevice(grades, s.members[1]!);
    s.checkIn(s.members[1]!);
    s.cast(grades, voters[0]!, [[0], [1]]);
    s.cast(grades, voters[1]!, [[0], [3]]);
    s.cast(grades, voters[2]!, [[1], [3]]);
    s.close(grades, [s.members[0]!, s.members[1]!]);
    s.decryptAndPublish(grades);

    // Round 3: 甲, 乙 and 丙 each have 3 of 5 ballots, a majority each, for two places: the tie
    // straddles the cut, nobody is selected, all three go to a runoff.
    s.open(pick);
    const present = [0, 1, 2, 3, 5].map((i) => s.members[i]!);
    const pickers = present.map((m) => s.token(pick, m));
    [[0, 1], [0, 2], [1, 2], [0, 1], [2]].forEach((choice, i) => s.cast(pick, pickers[i]!, [choice]));
    s.close(pick, present);
    s.decryptAndPublish(pick);
    s.reveal(pick);
    s.adjourn();

    const v = verified(s.lines);
    const [r1, r2, r3] = v.rounds();
    expect(r1).toMatchObject({ status: 'revealed', ballots: 0, tokens: 0, counts: [[0, 0, 0]], decryptions: [], undeclared: 0, present: 5 });
    expect(r1!.result).toEqual([{ id: 'mo1', counts: [0, 0, 0], passed: false }]);
    expect(r2).toMatchObject({ status: 'resulted', ballots: 3, tokens: 4, undeclared: 1, voted: [s.members[0], s.members[1]], sumsVerified: true });
    expect(r2!.decryptions).toEqual(['server', s.members[0]]);
    // d1: 2 优秀, 1 称职 of 3 → grade 0, rate 10000; d2: 1 称职, 2 不称职 → 2·2 > 3 only at grade 3.
    expect(r2!.result).toEqual([
      { id: 'd1', counts: [2, 1, 0, 0], grade: 0, passed: true, rate_bp: 10000, score_x100: null, rank: 1 },
      { id: 'd2', counts: [0, 1, 0, 2], grade: 3, passed: false, rate_bp: 3333, score_x100: null, rank: 2 },
    ]);
    expect(r3!.result).toEqual([{ id: 's1', counts: [3, 3, 3], selected: [], tied: [0, 1, 2] }]);
    const session = v.session()!;
    expect(session.members.find((m) => m.id === s.members[4])!.present).toBe(false);
    expect(session.members.find((m) => m.id === s.members[1])!.checkInSeq).toBeGreaterThan(session.members.find((m) => m.id === s.members[0])!.checkInSeq!);
    expect(session.adjourned).toBe(true);
  });

  it('refuses the declaration of a reset member signed with the new key', () => {
    const s = new SessionBuilder({ members: 3, scrutineers: 0, seed: 'reset' });
    const round = s.evaluation(1);
    for (const m of s.members) s.checkIn(m);
    s.open(round);
    const voter = s.token(round, s.members[0]!);
    s.checkIn(s.members[0]!); // a reset: the new key is not the one that asked for the token
    s.cast(round, voter, [[0]]);
    s.close(round, [s.members[0]!]);
    const v = new ChainVerifier();
    for (const l of s.lines) if (!v.push(l).ok) break;
    expect(v.failure).toMatchObject({ seq: s.lines.length - 1, code: 'INVALID_SIGNATURE', field: 'voted[0].sig' });
  });

  it('states plainly a session without scrutineers: the server is the only trustee', () => {
    const s = new SessionBuilder({ members: 3, scrutineers: 0, seed: 'no scrutineers' });
    const v = verified(s.lines);
    expect(v.session()).toMatchObject({ scrutineers: [], trustees: [{ id: 'server', name: 'server' }] });
  });
});
