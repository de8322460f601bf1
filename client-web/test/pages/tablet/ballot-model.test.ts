// What a member may choose: radio contests, multi-choice contests with min and max, what is
// missing before review, and stored choices checked against the round on reload.
import { describe, expect, it } from 'vitest';
import {
  canReview,
  contestHint,
  contestNeed,
  emptyChoices,
  missingContests,
  restoreChoices,
  reviewItems,
  toggleOption,
} from '../../../src/pages/tablet/ballot-model';
import type { ContestInfo } from '../../../src/verify/types';

const grade: ContestInfo = { id: 'd1', title: '县教育局', options: ['满意', '基本满意', '不满意'], min: 1, max: 1 };
const motion: ContestInfo = { id: 'm1', title: '关于某某事项', options: ['赞成', '反对', '弃权'], min: 1, max: 1 };
const optional: ContestInfo = { id: 'o1', title: '可不选', options: ['是'], min: 0, max: 1 };
const pick: ContestInfo = { id: 's1', title: '述职人选', options: ['周明', '吴刚', '郑丽', '孙强'], min: 1, max: 2 };
const upTo: ContestInfo = { id: 's2', title: '推选', options: ['甲', '乙', '丙'], min: 0, max: 2 };

describe('toggleOption', () => {
  it('acts as a radio group with max 1: a new press replaces, the chosen one stays', () => {
    expect(toggleOption(grade, [], 2)).toEqual({ chosen: [2], refused: null });
    expect(toggleOption(grade, [2], 0)).toEqual({ chosen: [0], refused: null });
    expect(toggleOption(grade, [0], 0)).toEqual({ chosen: [0], refused: null });
  });
  it('clears a max-1 choice on a second press when the contest may be left empty', () => {
    expect(toggleOption(optional, [0], 0)).toEqual({ chosen: [], refused: null });
  });
  it('toggles with max > 1 and refuses a press beyond max instead of dropping a choice', () => {
    let chosen = toggleOption(pick, [], 3).chosen;
    chosen = toggleOption(pick, chosen, 0).chosen;
    expect(chosen).toEqual([0, 3]);
    expect(toggleOption(pick, chosen, 1)).toEqual({ chosen: [0, 3], refused: 'max' });
    expect(toggleOption(pick, chosen, 3)).toEqual({ chosen: [0], refused: null });
  });
  it('rejects an option the contest does not have', () => {
    expect(() => toggleOption(grade, [], 3)).toThrow(RangeError);
    expect(() => toggleOption(grade, [], -1)).toThrow(RangeError);
  });
});

describe('what is missing', () => {
  it('says how many more or fewer each contest needs', () => {
    expect(contestNeed(grade, [])).toEqual({ kind: 'more', count: 1 });
    expect(contestNeed(grade, [1])).toEqual({ kind: 'ok', chosen: 1 });
    expect(contestNeed(pick, [])).toEqual({ kind: 'more', count: 1 });
    expect(contestNeed(pick, [0, 1, 2])).toEqual({ kind: 'less', count: 1 });
    expect(contestNeed(upTo, [])).toEqual({ kind: 'ok', chosen: 0 });
  });
  it('allows review only when every contest is answered as its min and max require', () => {
    const contests = [grade, motion, upTo];
    expect(missingContests(contests, emptyChoices(contests)).map((c) => c.id)).toEqual(['d1', 'm1']);
    expect(canReview(contests, [[0], [], []])).toBe(false);
    expect(canReview(contests, [[0], [2], []])).toBe(true);
    expect(canReview([], [])).toBe(false);
  });
  it('lists every contest with the labels chosen for review', () => {
    expect(reviewItems({ contests: [grade, upTo] }, [[1], []])).toEqual([
      { contestId: 'd1', title: '县教育局', labels: ['基本满意'] },
      { contestId: 's2', title: '推选', labels: [] },
    ]);
  });
});

describe('restoreChoices', () => {
  it('keeps stored choices that fit the round', () => {
    expect(restoreChoices([[2], [1, 0]], [grade, pick])).toEqual([[2], [0, 1]]);
  });
  it.each([
    ['not an array', 'x'],
    ['the wrong number of contests', [[0]]],
    ['an option out of range', [[3], []]],
    ['a repeated option', [[0], [1, 1]]],
    ['more than max', [[0], [0, 1, 2]]],
    ['a non-integer', [[0.5], []]],
  ])('starts afresh on %s', (_name, stored) => {
    expect(restoreChoices(stored, [grade, pick])).toEqual([[], []]);
  });
});

describe('contestHint', () => {
  it('names the rule of each kind of contest', () => {
    expect(contestHint('evaluation', grade)).toEqual({ kind: 'evaluation' });
    expect(contestHint('motion', motion)).toEqual({ kind: 'motion' });
    expect(contestHint('selection', pick)).toEqual({ kind: 'selection_range', min: 1, max: 2 });
    expect(contestHint('selection', upTo)).toEqual({ kind: 'selection_max', max: 2 });
    expect(contestHint('selection', { ...pick, min: 2 })).toEqual({ kind: 'selection_exact', n: 2 });
  });
});
