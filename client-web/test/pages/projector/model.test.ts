// The projector's screens, decided from the verified chain of the vectors session at each stage
// of its rounds, and the pagination of large rounds.
import { describe, expect, it } from 'vitest';
import {
  balancedPages,
  currentRound,
  pageAt,
  paginate,
  parseProgress,
  projectorView,
  rowsOfTarget,
  verificationState,
  type TargetView,
  type VerifiedChain,
} from '../../../src/pages/projector/model';
import type { RoundInfo, RoundStatus } from '../../../src/verify/types';
import { chainLines, vectorRound, vectorSession, vectors } from '../fixtures';

function chainAt(rounds: RoundInfo[], overrides: Partial<VerifiedChain> = {}): VerifiedChain {
  const last = Math.max(0, ...rounds.map((r) => r.revealedSeq ?? r.resultSeq ?? r.closedSeq ?? r.openedSeq ?? 6));
  return {
    length: last + 1,
    headHash: vectors.chain[last]!.hash,
    failure: null,
    session: vectorSession(),
    rounds,
    ...overrides,
  };
}

function stage(r1: RoundStatus, r2: RoundStatus = 'defined'): VerifiedChain {
  return chainAt([vectorRound(1, r1), vectorRound(2, r2)]);
}

describe('parseProgress', () => {
  it('reads a progress push', () => {
    expect(parseProgress({ type: 'progress', round: 1, present: 5, tokens: 4, ballots: 3, voted: 3 })).toEqual({
      round: 1,
      present: 5,
      tokens: 4,
      ballots: 3,
      voted: 3,
    });
    expect(parseProgress({ type: 'progress', round: null, present: 0, tokens: 0, ballots: 0, voted: 0 })?.round).toBeNull();
  });

  it('ignores other pushes and malformed ones', () => {
    expect(parseProgress({ type: 'record', seq: 1 })).toBeNull();
    expect(parseProgress({ type: 'progress', round: 1, present: -1, tokens: 0, ballots: 0, voted: 0 })).toBeNull();
    expect(parseProgress({ type: 'progress', round: '1', present: 1, tokens: 0, ballots: 0, voted: 0 })).toBeNull();
    expect(parseProgress({ type: 'progress', round: 1, present: 1, tokens: 0, ballots: 2.5, voted: 0 })).toBeNull();
  });
});

describe('verificationState', () => {
  it('is running until the feed caught up and everything received is verified', () => {
    const chain = stage('revealed', 'revealed');
    expect(verificationState(null, 0, false)).toBe('running');
    expect(verificationState(chain, chain.length + 3, true)).toBe('running');
    expect(verificationState(chain, chain.length, false)).toBe('running');
    expect(verificationState(chain, chain.length, true)).toBe('ok');
  });

  it('is failed from the first failure on, whatever else holds', () => {
    const chain = stage('open');
    const failed = { ...chain, failure: { seq: chain.length, code: 'INVALID_PROOF', field: 'contests[0].selections[1].proof', message: 'does not verify' } };
    expect(verificationState(failed, chain.length + 1, true)).toBe('failed');
    expect(verificationState(failed, chain.length + 1, false)).toBe('failed');
  });
});

describe('projectorView', () => {
  it('shows the session, attendance and the names of the members present', () => {
    const v = projectorView(stage('defined'), null, 12, true);
    expect(v.title).toBe('某县人大常委会2026年第十一次会议 述职评议');
    expect(v.committee).toBe('某县人民代表大会常务委员会');
    expect(v.date).toBe('2026-11-23');
    expect(v.members).toBe(5);
    expect(v.present).toBe(5);
    expect(v.presentMembers).toEqual(['张伟', '王芳', '李娜', '刘洋', '陈静']);
    expect(v.noScrutineers).toBe(false);
    expect(v.phase.kind).toBe('idle');
  });

  it('flags a session without scrutineers', () => {
    const chain = stage('defined');
    chain.session = { ...chain.session!, scrutineers: [] };
    expect(projectorView(chain, null, 12, true).noScrutineers).toBe(true);
  });

  it('counts only the members present', () => {
    const chain = stage('defined');
    chain.session = { ...chain.session!, members: chain.session!.members.map((m) => (m.id === 'm04' ? { ...m, present: false } : m)) };
    const v = projectorView(chain, null, 12, true);
    expect(v.present).toBe(4);
    expect(v.presentMembers).not.toContain('刘洋');
  });

  it('is loading before genesis is verified', () => {
    expect(projectorView(null, null, 0, false).phase.kind).toBe('loading');
  });

  it('shows the live counter while a round is open, from the progress pushes of that round', () => {
    const chain = stage('open');
    const v = projectorView(chain, { round: 1, present: 5, tokens: 4, ballots: 3, voted: 2 }, chain.length, true);
    expect(v.phase).toEqual({ kind: 'voting', round: 1, title: '对政府组成部门的满意度测评', present: 5, members: 5, ballots: 3 });
  });

  it('ignores a progress push of another round', () => {
    const chain = stage('open');
    const v = projectorView(chain, { round: 2, present: 5, tokens: 4, ballots: 3, voted: 2 }, chain.length, true);
    expect(v.phase).toMatchObject({ kind: 'voting', ballots: 0 });
  });

  it('after close shows the comparison code, the ballot count and whose shares are in', () => {
    const v = projectorView(stage('closed'), null, 22, true);
    expect(v.phase.kind).toBe('counting');
    if (v.phase.kind !== 'counting') return;
    expect(v.phase.ballots).toBe(3);
    expect(v.phase.comparisonCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(v.phase.trustees).toEqual([
      { id: 'server', name: 'server', done: true },
      { id: 'm01', name: '张伟', done: false },
      { id: 'm02', name: '王芳', done: false },
    ]);
    expect(v.phase.resulted).toBe(false);
  });

  it('does not show a result before the chair reveals it', () => {
    const v = projectorView(stage('resulted'), null, 25, true);
    expect(v.phase).toMatchObject({ kind: 'counting', resulted: true });
    if (v.phase.kind === 'counting') expect(v.phase.trustees.every((t) => t.done)).toBe(true);
  });

  it('shows an evaluation result per target: counts, shares, grade, rate, rank, outcome', () => {
    const v = projectorView(stage('revealed'), null, 26, true);
    expect(v.phase.kind).toBe('revealed');
    if (v.phase.kind !== 'revealed') return;
    expect(v.phase.undeclared?.text).toBe('每张选票都有对应的已投票声明');
    const [d1, d2] = v.phase.targets;
    expect(d1).toMatchObject({ id: 'd1', title: '县教育局', counts: [2, 1, 0], shares: [6666, 3333, 0], grade: '满意', rateBp: 10000, rank: 1 });
    expect(d1!.outcome.text).toBe('通过');
    expect(d2).toMatchObject({ id: 'd2', counts: [1, 1, 1], grade: '基本满意', rateBp: 6666, scoreX100: 5333, rank: 2 });
  });

  it('shows a selection result with its selected candidates', () => {
    const v = projectorView(stage('revealed', 'revealed'), null, 39, true);
    expect(v.phase).toMatchObject({ kind: 'revealed', round: 2, roundKind: 'selection' });
    if (v.phase.kind !== 'revealed') return;
    expect(v.phase.targets[0]!.outcome.selected).toEqual(['吴刚']);
    expect(v.phase.targets[0]!.counts).toEqual([1, 3, 1, 0]);
  });

  it('shows the round opened last', () => {
    expect(currentRound([vectorRound(1, 'revealed'), vectorRound(2, 'open')])?.round).toBe(2);
    expect(currentRound([vectorRound(1, 'defined'), vectorRound(2, 'defined')])).toBeNull();
  });

  it('carries the head hash and the adjournment', () => {
    const chain = stage('revealed', 'revealed');
    chain.session = { ...chain.session!, adjourned: true };
    const v = projectorView(chain, null, chain.length, true);
    expect(v.adjourned).toBe(true);
    expect(v.headHash).toBe(vectors.chain[38]!.hash);
  });

  it('keeps the failure to show it loudly', () => {
    const chain = stage('open');
    const failure = { seq: 17, code: 'INVALID_SIGNATURE', field: 'sig', message: 'does not verify' };
    const v = projectorView({ ...chain, failure }, null, chainLines.length, true);
    expect(v.verification).toBe('failed');
    expect(v.failure).toEqual(failure);
  });
});

describe('pagination', () => {
  const target = (i: number, kind: TargetView['kind'] = 'evaluation', options = 3): TargetView => ({
    id: `t${i}`,
    title: `target ${i}`,
    kind,
    labels: Array.from({ length: options }, (_, k) => `o${k}`),
    counts: Array.from({ length: options }, () => 0),
    shares: Array.from({ length: options }, () => 0),
    grade: '',
    rateBp: null,
    scoreX100: null,
    rank: null,
    outcome: { tone: 'bad', text: '', selected: [], tied: [], runoff: null },
  });

  it('keeps a round of twelve targets on one page of twelve rows', () => {
    const items = Array.from({ length: 12 }, (_, i) => target(i));
    expect(paginate(items, rowsOfTarget, 12)).toHaveLength(1);
  });

  it('splits a hundred targets into pages of at most the rows that fit, in order', () => {
    const items = Array.from({ length: 100 }, (_, i) => target(i));
    const pages = paginate(items, rowsOfTarget, 12);
    expect(pages).toHaveLength(9);
    expect(pages.slice(0, 8).every((p) => p.length === 12)).toBe(true);
    expect(pages[8]).toHaveLength(4);
    expect(pages.flat().map((t) => t.id)).toEqual(items.map((t) => t.id));
  });

  it('counts a selection as a header row and one row per candidate', () => {
    const items = [target(0, 'selection', 4), target(1, 'selection', 4), target(2, 'selection', 4)];
    const pages = paginate(items, rowsOfTarget, 12);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
  });

  it('gives an item taller than a page a page of its own', () => {
    const items = [target(0), target(1, 'selection', 20), target(2)];
    expect(paginate(items, rowsOfTarget, 12).map((p) => p.map((t) => t.id))).toEqual([['t0'], ['t1'], ['t2']]);
  });

  it('fills the pages evenly rather than leaving a nearly empty last page', () => {
    const items = Array.from({ length: 12 }, (_, i) => target(i));
    expect(paginate(items, rowsOfTarget, 9).map((p) => p.length)).toEqual([9, 3]);
    expect(balancedPages(items, rowsOfTarget, 9).map((p) => p.length)).toEqual([6, 6]);
    expect(balancedPages(items, rowsOfTarget, 12).map((p) => p.length)).toEqual([12]);
    const hundred = Array.from({ length: 100 }, (_, i) => target(i));
    const pages = balancedPages(hundred, rowsOfTarget, 12);
    expect(pages).toHaveLength(9);
    expect(Math.max(...pages.map((p) => p.length)) - Math.min(...pages.map((p) => p.length))).toBeLessThanOrEqual(1);
    expect(pages.flat().map((t) => t.id)).toEqual(hundred.map((t) => t.id));
  });

  it('refuses a page of no rows', () => {
    expect(() => paginate([target(0)], rowsOfTarget, 0)).toThrow(RangeError);
  });

  it('cycles slowly through the pages', () => {
    expect(pageAt(0, 0, 1, 15000)).toBe(0);
    expect(pageAt(14999, 0, 3, 15000)).toBe(0);
    expect(pageAt(15000, 0, 3, 15000)).toBe(1);
    expect(pageAt(45000, 0, 3, 15000)).toBe(0);
    expect(pageAt(1000, 5000, 3, 15000)).toBe(0);
  });
});
