// The chair console's model on the vectors chain (tests/vectors/pingyi-v1.json) folded by the
// browser verifier up to each phase: which buttons are enabled, attendance and quorum, the keys,
// live progress, decryption status and the result summary.
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../../src/crypto/sodium';
import { chairView, formatRate, formatScore, parseProgress, quorum, summarise, type ChairInputs, type Progress } from '../../../src/pages/chair/model';
import { ChainVerifier } from '../../../src/verify/chain-verifier';
import type { RoundInfo, SessionInfo } from '../../../src/verify/types';
import { vectors } from '../../verify/vectors';

beforeAll(async () => {
  await sodiumReady();
});

// Record numbers of the vectors chain (see docs/PROTOCOL.md's examples).
const SEQ = {
  serverTrustee: 1,
  scrutineerKeys: 3,
  electionKey: 4,
  rounds: 6,
  threeCheckedIn: 9,
  allCheckedIn: 11,
  round1Opened: 12,
  round1Ballots: 19,
  round1Closed: 20,
  round1ServerShare: 21,
  round1Result: 24,
  round1Revealed: 25,
  round2Opened: 26,
  round2Result: 37,
  adjourned: 39,
};

/** The verified state after records 0 … seq. */
function foldTo(seq: number): { session: SessionInfo; rounds: RoundInfo[] } {
  const v = new ChainVerifier();
  for (let i = 0; i <= seq; i++) {
    const e = vectors.chain[i]!;
    const r = v.push(e.line, e.head_sig);
    if (!r.ok) throw new Error(`record ${i} refused: ${r.error?.code} ${r.error?.message}`);
  }
  return { session: v.session()!, rounds: v.rounds() };
}

const cache = new Map<number, { session: SessionInfo; rounds: RoundInfo[] }>();
function at(seq: number, extra: Partial<ChairInputs> = {}) {
  if (!cache.has(seq)) cache.set(seq, foldTo(seq));
  const s = cache.get(seq)!;
  return chairView({ session: s.session, rounds: s.rounds, progress: null, failure: null, busy: false, ...extra });
}

function buttons(view: ReturnType<typeof chairView>) {
  return view.rounds.map((r) => ({ round: r.round, open: r.canOpen, close: r.canClose, reveal: r.canReveal }));
}

describe('chairView through the phases of the vectors chain', () => {
  it('before the scrutineers\' keys: sealing is refused and names who is missing', () => {
    const v = at(SEQ.serverTrustee);
    expect(v.keys).toMatchObject({ sealed: false, noScrutineers: false, missing: ['m01', 'm02'], canSeal: false });
    expect(v.keys!.scrutineers.map((s) => [s.id, s.name, s.received])).toEqual([
      ['m01', '张伟', false],
      ['m02', '王芳', false],
    ]);
    expect(v.rounds).toEqual([]);
    expect(v.canAdjourn).toBe(true);
  });

  it('with every key in: seal enabled; rounds defined but not openable before sealing', () => {
    const v = at(SEQ.scrutineerKeys);
    expect(v.keys).toMatchObject({ missing: [], canSeal: true, sealed: false });
    expect(at(SEQ.scrutineerKeys, { busy: true }).keys!.canSeal).toBe(false);
  });

  it('after election_key and the rounds, nobody present: open blocked by the quorum', () => {
    const v = at(SEQ.rounds);
    expect(v.keys).toMatchObject({ sealed: true, canSeal: false });
    expect(v.attendance).toEqual({ members: 5, present: 0 });
    expect(v.quorum).toMatchObject({ met: false, needed: 3, num: 1, den: 2 });
    expect(v.rounds.map((r) => [r.round, r.status, r.openBlock])).toEqual([
      [1, 'defined', 'no_quorum'],
      [2, 'defined', 'no_quorum'],
    ]);
    expect(buttons(v).every((b) => !b.open && !b.close && !b.reveal)).toBe(true);
  });

  it('three of five present meets more than half (3·2 > 5·1): both rounds can open', () => {
    const v = at(SEQ.threeCheckedIn);
    expect(v.attendance).toEqual({ members: 5, present: 3 });
    expect(v.quorum!.met).toBe(true);
    expect(buttons(v)).toEqual([
      { round: 1, open: true, close: false, reveal: false },
      { round: 2, open: true, close: false, reveal: false },
    ]);
    // A request in flight holds every button.
    expect(buttons(at(SEQ.threeCheckedIn, { busy: true })).every((b) => !b.open)).toBe(true);
  });

  it('round 1 open: only its close is enabled, the other round waits, adjourn is refused; live figures', () => {
    const v = at(SEQ.round1Ballots);
    expect(v.openRound).toBe(1);
    expect(buttons(v)).toEqual([
      { round: 1, open: false, close: true, reveal: false },
      { round: 2, open: false, close: false, reveal: false },
    ]);
    expect(v.rounds[1]!.openBlock).toBe('other_open');
    expect(v.canAdjourn).toBe(false);
    // From the records alone (no progress push yet): 4 tokens, 3 ballots, declarations unknown.
    expect(v.rounds[0]!.live).toEqual({ present: 5, tokens: 4, ballots: 3, voted: null });
    const progress: Progress = { round: 1, present: 5, tokens: 4, ballots: 3, voted: 2 };
    expect(at(SEQ.round1Ballots, { progress }).rounds[0]!.live).toEqual({ present: 5, tokens: 4, ballots: 3, voted: 2 });
    // A progress push about another round is not this round's.
    expect(at(SEQ.round1Ballots, { progress: { ...progress, round: 2 } }).rounds[0]!.live!.voted).toBeNull();
  });

  it('round 1 closed: comparison code and ballot count shown, decryption waits for the scrutineers', () => {
    const v = at(SEQ.round1ServerShare);
    const r = v.rounds[0]!;
    expect(r.status).toBe('closed');
    expect(r.comparisonCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(r.ballots).toBe(3);
    expect(r.decryption).toEqual({
      expected: [
        { id: 'server', name: 'server', done: true },
        { id: 'm01', name: '张伟', done: false },
        { id: 'm02', name: '王芳', done: false },
      ],
      done: 1,
      needed: true,
    });
    expect(buttons(v)[0]).toEqual({ round: 1, open: false, close: false, reveal: false });
    // Round 2 may open while round 1 awaits its shares (only an open round blocks another).
    expect(buttons(v)[1]!.open).toBe(true);
    expect(v.unrevealed).toBe(1);
  });

  it('round 1 resulted: reveal enabled, every share in', () => {
    const v = at(SEQ.round1Result);
    expect(v.rounds[0]!.status).toBe('resulted');
    expect(v.rounds[0]!.canReveal).toBe(true);
    expect(v.rounds[0]!.decryption!.done).toBe(3);
    expect(v.rounds[0]!.undeclared).toBe(0);
    expect(at(SEQ.round1Result, { busy: true }).rounds[0]!.canReveal).toBe(false);
  });

  it('round 1 revealed: nothing more to do on it', () => {
    const v = at(SEQ.round1Revealed);
    expect(buttons(v)[0]).toEqual({ round: 1, open: false, close: false, reveal: false });
    expect(v.rounds[0]!.openBlock).toBe('not_defined');
    expect(v.unrevealed).toBe(0);
  });

  it('adjourned: every action refused', () => {
    const v = at(SEQ.adjourned);
    expect(v.adjourned).toBe(true);
    expect(v.canAdjourn).toBe(false);
    expect(buttons(v).every((b) => !b.open && !b.close && !b.reveal)).toBe(true);
  });

  it('a verification failure stops every action', () => {
    const failure = { seq: 7, code: 'INVALID_SIGNATURE', field: 'sig', message: 'does not verify' };
    const v = at(SEQ.threeCheckedIn, { failure });
    expect(v.failure).toEqual(failure);
    expect(v.rounds.map((r) => r.openBlock)).toEqual(['failed', 'failed']);
    expect(v.canAdjourn).toBe(false);
    expect(at(SEQ.scrutineerKeys, { failure }).keys!.canSeal).toBe(false);
    expect(at(SEQ.round1Ballots, { failure }).rounds[0]!.canClose).toBe(false);
  });

  it('states 无监票人 when genesis has no scrutineers, and seals with the server key alone', () => {
    const s = cache.get(SEQ.serverTrustee) ?? foldTo(SEQ.serverTrustee);
    const session: SessionInfo = { ...s.session, scrutineers: [], members: s.session.members.map((m) => ({ ...m, scrutineer: false })) };
    const v = chairView({ session, rounds: [], progress: null, failure: null, busy: false });
    expect(v.keys).toMatchObject({ noScrutineers: true, scrutineers: [], missing: [], canSeal: true });
  });

  it('shows no board before genesis is verified', () => {
    const v = chairView({ session: null, rounds: [], progress: null, failure: null, busy: false });
    expect(v.ready).toBe(false);
    expect(v.keys).toBeNull();
  });
});

describe('quorum arithmetic: present·den > members·num', () => {
  it.each([
    // members, present, num, den, met, needed
    [5, 2, 1, 2, false, 3],
    [5, 3, 1, 2, true, 3],
    [4, 2, 1, 2, false, 3], // exactly half is not more than half
    [4, 3, 1, 2, true, 3],
    [3, 2, 2, 3, false, 3], // 2·3 = 3·2: two thirds exactly is not more than two thirds
    [3, 3, 2, 3, true, 3],
    [1, 1, 1, 2, true, 1],
    [1, 0, 1, 2, false, 1],
    [100, 67, 2, 3, true, 67],
    [100, 66, 2, 3, false, 67],
  ])('%i members, %i present, %i/%i → met %s, needed %i', (members, present, num, den, met, needed) => {
    const q = quorum(members, present, num, den);
    expect(q.met).toBe(met);
    expect(q.needed).toBe(needed);
  });

  it('says no attendance can meet a quorum of num ≥ den (only possible on a hand-made chain)', () => {
    expect(quorum(5, 5, 2, 2)).toMatchObject({ met: false, needed: null });
    expect(quorum(5, 5, 3, 2)).toMatchObject({ met: false, needed: null });
  });

  it('stays exact at the limits the chain allows (10,000 members, 32-bit num and den)', () => {
    const num = 4294967294;
    const den = 4294967295;
    // floor(10000·num/den) + 1 = 10000: only a full house is more than num/den of the roster.
    expect(quorum(10000, 10000, num, den)).toMatchObject({ met: true, needed: 10000 });
    expect(quorum(10000, 9999, num, den).met).toBe(false);
    expect(quorum(10000, 5001, 1, 2)).toMatchObject({ met: true, needed: 5001 });
    expect(quorum(10000, 5000, 1, 2).met).toBe(false);
  });

  it('treats den 0 as never met', () => {
    expect(quorum(5, 5, 1, 0)).toMatchObject({ met: false, needed: null });
  });
});

describe('parseProgress', () => {
  it('reads a progress push, with round null before the first round', () => {
    expect(parseProgress({ type: 'progress', round: 1, present: 5, tokens: 4, ballots: 3, voted: 3 })).toEqual({ round: 1, present: 5, tokens: 4, ballots: 3, voted: 3 });
    expect(parseProgress({ type: 'progress', round: null, present: 0, tokens: 0, ballots: 0, voted: 0 })!.round).toBeNull();
  });

  it('refuses other messages and malformed figures', () => {
    expect(parseProgress({ type: 'record', seq: 1 })).toBeNull();
    expect(parseProgress({ type: 'progress', round: 1, present: -1, tokens: 0, ballots: 0, voted: 0 })).toBeNull();
    expect(parseProgress({ type: 'progress', round: 1, present: 1.5, tokens: 0, ballots: 0, voted: 0 })).toBeNull();
    expect(parseProgress({ type: 'progress', round: '1', present: 1, tokens: 0, ballots: 0, voted: 0 })).toBeNull();
    expect(parseProgress({ type: 'progress', round: 1, present: 1, tokens: 0, ballots: 0 })).toBeNull();
  });
});

describe('result summary', () => {
  it('summarises the evaluation round of the vectors with labels, grade, rate, score and rank', () => {
    const s = cache.get(SEQ.round1Revealed) ?? foldTo(SEQ.round1Revealed);
    const round = s.rounds.find((r) => r.round === 1)!;
    const summary = summarise(round);
    expect(summary.map((c) => c.id)).toEqual(['d1', 'd2']);
    const result = round.result!;
    for (let k = 0; k < summary.length; k++) {
      const c = summary[k]!;
      const rc = result[k]!;
      expect(c.options.map((o) => o.label)).toEqual(['满意', '基本满意', '不满意']);
      expect(c.options.map((o) => o.count)).toEqual(rc.counts);
      expect(c.grade).toBe(rc.grade === null || rc.grade === undefined ? null : ['满意', '基本满意', '不满意'][rc.grade]);
      expect(c.rate).toBe(formatRate(rc.rate_bp!));
      expect(c.score).toBe(formatScore(rc.score_x100!));
      expect(c.rank).toBe(rc.rank);
      expect(c.passed).toBe(rc.passed);
      expect(c.selected).toBeNull();
    }
    expect(summary[0]!.title).toBe('县教育局');
  });

  it('names the selected candidates of the selection round', () => {
    const s = foldTo(SEQ.round2Result);
    const summary = summarise(s.rounds.find((r) => r.round === 2)!);
    // The vectors' result: counts [1, 3, 1, 0], selected [1] — 吴刚 with 3 of 3 ballots.
    expect(summary).toEqual([
      {
        id: 's1',
        title: '述职人选',
        options: [
          { label: '周明', count: 1 },
          { label: '吴刚', count: 3 },
          { label: '郑丽', count: 1 },
          { label: '孙强', count: 0 },
        ],
        grade: null,
        rate: null,
        score: null,
        rank: null,
        passed: null,
        selected: ['吴刚'],
        tied: [],
      },
    ]);
  });

  it('formats basis points and scores exactly', () => {
    expect(formatRate(10000)).toBe('100.00%');
    expect(formatRate(6666)).toBe('66.66%');
    expect(formatRate(5)).toBe('0.05%');
    expect(formatScore(8666)).toBe('86.66');
    expect(formatScore(0)).toBe('0.00');
  });

  it('summarises nothing before a result exists', () => {
    const s = cache.get(SEQ.round1ServerShare) ?? foldTo(SEQ.round1ServerShare);
    expect(summarise(s.rounds[0]!)).toEqual([]);
  });
});
