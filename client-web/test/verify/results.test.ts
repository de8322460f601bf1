// computeResults (DESIGN.md §3.7), table by table as tests/unit/core/rules_test.cpp has them, each
// expected value worked out by hand in the comment above its row, plus what only integer
// arithmetic gets right and the errors the C++ gives for rules and counts that do not fit.
import { describe, expect, it } from 'vitest';
import { Refusal } from '../../src/verify/refusal';
import { computeResults } from '../../src/verify/results';
import type { ContestInfo, ResultContest } from '../../src/verify/types';

const THREE = ['满意', '基本满意', '不满意'];
const FOUR = ['优秀', '称职', '基本称职', '不称职'];
const MOTION = ['赞成', '反对', '弃权'];

function contests(n: number, options: string[], min: number, max: number): ContestInfo[] {
  return Array.from({ length: n }, (_, k) => ({ id: `c${k + 1}`, title: `target ${k + 1}`, options, min, max }));
}

type Eval = [grade: number | null, passed: boolean, rate: number | null, score: number | null, rank: number | null];

interface EvaluationRow {
  name: string;
  rule: Record<string, unknown>;
  scale: string[];
  ballots: number;
  counts: number[][];
  expected: Eval[];
}

const weighted = (pass: number, weights: number[]) => ({ pass_grades: pass, weights });
const unweighted = (pass: number) => ({ pass_grades: pass, weights: null });
const standard = weighted(2, [100, 60, 0]);

const evaluationRows: EvaluationRow[] = [
  // 30·2 = 60 > 50 → grade 0; rate 10000·45/50 = 9000; score 100·(3000 + 900)/50 = 7800.
  { name: 'clear majority 满意', rule: standard, scale: THREE, ballots: 50, counts: [[30, 15, 5]], expected: [[0, true, 9000, 7800, 1]] },
  // Exactly half is not a majority: 5·2 = 10 > 10 no, (5+0)·2 no, 10·2 = 20 > 10 → 2.
  { name: 'exactly half 满意 is not a majority', rule: standard, scale: THREE, ballots: 10, counts: [[5, 0, 5]], expected: [[2, false, 5000, 5000, 1]] },
  // 3·2 = 6 > 11 no, 6·2 = 12 > 11 → 1; rate 10000·6/11 = 5454.5 → 5454; score 48000/11 → 4363.
  { name: 'cumulative majority at 基本满意 floors', rule: standard, scale: THREE, ballots: 11, counts: [[3, 3, 5]], expected: [[1, true, 5454, 4363, 1]] },
  // 2·2 = 4 > 10 no, (2+3)·2 = 10 > 10 no → grade 2 although 满意 + 基本满意 is half.
  { name: 'half at 基本满意 fails', rule: standard, scale: THREE, ballots: 10, counts: [[2, 3, 5]], expected: [[2, false, 5000, 3800, 1]] },
  // 1,1,1 of 3: 2 > 3 no, 4 > 3 → 1; rate 20000/3 = 6666; score 100·160/3 = 5333.
  { name: 'thirds floor', rule: standard, scale: THREE, ballots: 3, counts: [[1, 1, 1]], expected: [[1, true, 6666, 5333, 1]] },
  // Scores 7800, 7800, 6200 → ranks 1, 1, 3 (competition ranking).
  {
    name: 'tied scores share a rank', rule: standard, scale: THREE, ballots: 10, counts: [[6, 3, 1], [6, 3, 1], [5, 2, 3]],
    expected: [[0, true, 9000, 7800, 1], [0, true, 9000, 7800, 1], [1, true, 7000, 6200, 3]],
  },
  // A tie below the top: 8000, then 7800, 7800 → 2, 1, 2.
  {
    name: 'tie below the top', rule: standard, scale: THREE, ballots: 10, counts: [[6, 3, 1], [5, 5, 0], [6, 3, 1]],
    expected: [[0, true, 9000, 7800, 2], [1, true, 10000, 8000, 1], [0, true, 9000, 7800, 2]],
  },
  // No weights: ranked by rate_bp 9000, 10000, 8000 → 2, 1, 3.
  {
    name: 'without weights ranks by 满意率', rule: unweighted(2), scale: THREE, ballots: 10, counts: [[6, 3, 1], [1, 9, 0], [5, 3, 2]],
    expected: [[0, true, 9000, null, 2], [1, true, 10000, null, 1], [1, true, 8000, null, 3]],
  },
  // 4 grades, no weights: 8,7,3,2 of 20 → 1, 7500; 2,6,8,4 → 2, 4000; 0,0,0,20 → 3, 0.
  {
    name: '4-grade 优秀/称职/基本称职/不称职', rule: unweighted(2), scale: FOUR, ballots: 20, counts: [[8, 7, 3, 2], [2, 6, 8, 4], [0, 0, 0, 20]],
    expected: [[1, true, 7500, null, 1], [2, false, 4000, null, 2], [3, false, 0, null, 3]],
  },
  // Weights 100/80/60/0, pass_grades 3: scores 7700 and 5800; rates 9000 and 8000.
  {
    name: '4-grade custom weights and pass_grades', rule: weighted(3, [100, 80, 60, 0]), scale: FOUR, ballots: 20, counts: [[8, 7, 3, 2], [2, 6, 8, 4]],
    expected: [[1, true, 9000, 7700, 1], [2, true, 8000, 5800, 2]],
  },
  // pass_grades 1: grade 1 does not pass; rate counts 满意 only.
  { name: 'pass_grades 1', rule: weighted(1, [100, 60, 0]), scale: THREE, ballots: 10, counts: [[4, 6, 0]], expected: [[1, false, 4000, 7600, 1]] },
  { name: 'pass_grades 3', rule: weighted(3, [100, 60, 0]), scale: THREE, ballots: 10, counts: [[0, 1, 9]], expected: [[2, true, 10000, 600, 1]] },
  // Weights 3/1/0 over 300: 100·30/300 = 10 and 100·31/300 = 10.33 → 10, a tie after flooring.
  {
    name: 'ranks by the floored score', rule: weighted(1, [3, 1, 0]), scale: THREE, ballots: 300, counts: [[10, 0, 290], [9, 4, 287], [0, 20, 280]],
    expected: [[2, false, 333, 10, 1], [2, false, 300, 10, 1], [2, false, 0, 6, 3]],
  },
  // Zero ballots: every derived field null, nothing passes, no rank.
  { name: 'zero ballots', rule: standard, scale: THREE, ballots: 0, counts: [[0, 0, 0], [0, 0, 0]], expected: [[null, false, null, null, null], [null, false, null, null, null]] },
  { name: 'zero ballots without weights', rule: unweighted(2), scale: FOUR, ballots: 0, counts: [[0, 0, 0, 0]], expected: [[null, false, null, null, null]] },
  // All abstaining: no grade, but rate and score are 0 and ranked.
  { name: 'all abstaining', rule: standard, scale: THREE, ballots: 5, counts: [[0, 0, 0]], expected: [[null, false, 0, 0, 1]] },
  { name: 'no cumulative majority', rule: standard, scale: THREE, ballots: 5, counts: [[2, 0, 0], [0, 0, 0]], expected: [[null, false, 4000, 4000, 1], [null, false, 0, 0, 2]] },
  // Weights at the bound: 100·10^6·4,000,000/4,000,000 = 10^8.
  { name: 'largest weights', rule: weighted(2, [1_000_000, 1_000_000, 1_000_000]), scale: THREE, ballots: 4_000_000, counts: [[4_000_000, 0, 0]], expected: [[0, true, 10000, 100_000_000, 1]] },
  // Σ w·c = 10^6·(B − 43) + 50,327 = (99,999,999·B − 5)/100 for B = 2^32 − 1, so the score is
  // 99,999,999 − 5/B, floored to 99,999,998. In floating point 100·Σ/B (≈ 4.3·10^17 / B) comes
  // out as 99,999,999, the deficit being below half an ulp: only integer arithmetic gets it.
  {
    name: 'a score only integer arithmetic floors right', rule: weighted(2, [1_000_000, 50_327, 0]), scale: THREE, ballots: 4_294_967_295,
    counts: [[4_294_967_252, 1, 42]], expected: [[0, true, 9999, 99_999_998, 1]],
  },
];

describe('evaluation results', () => {
  it.each(evaluationRows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const cs = contests(row.counts.length, row.scale, 1, 1);
    const got = computeResults('evaluation', cs, row.rule, row.counts, row.ballots, 25, 30);
    const want: ResultContest[] = row.expected.map(([grade, passed, rate, score, rank], k) => ({
      id: cs[k]!.id, counts: row.counts[k]!, grade, passed, rate_bp: rate, score_x100: score, rank,
    }));
    expect(got).toEqual(want);
    // Key order as the chain writes it, so that a result record compares field by field.
    expect(Object.keys(got[0]!)).toEqual(['id', 'counts', 'grade', 'passed', 'rate_bp', 'score_x100', 'rank']);
  });

  it('takes the default weights [100, 60, 0] for a 3-grade scale and none for another', () => {
    const three = computeResults('evaluation', contests(1, THREE, 1, 1), {}, [[30, 15, 5]], 50, 50, 50);
    expect(three[0]!.score_x100).toBe(7800);
    const four = computeResults('evaluation', contests(1, FOUR, 1, 1), {}, [[8, 7, 3, 2]], 20, 20, 20);
    expect(four[0]).toMatchObject({ score_x100: null, rate_bp: 7500, rank: 1 });
  });
});

interface MotionRow {
  name: string;
  rule: Record<string, unknown>;
  members: number;
  present: number;
  ballots: number;
  counts: number[];
  passed: boolean;
}

const halfMembers = {};
const twoThirdsIn = { base: 'members', num: 2, den: 3, inclusive: true };
const twoThirdsEx = { base: 'members', num: 2, den: 3, inclusive: false };
const halfPresent = { base: 'present', num: 1, den: 2, inclusive: false };
const twoFifthsPresentIn = { base: 'present', num: 2, den: 5, inclusive: true };
const halfBallots = { base: 'ballots', num: 1, den: 2, inclusive: false };
const halfBallotsIn = { base: 'ballots', num: 1, den: 2, inclusive: true };
const allPresentIn = { base: 'present', num: 1, den: 1, inclusive: true };

const motionRows: MotionRow[] = [
  // 全体组成人员过半数 of 30: 15·2 = 30 > 30 no; 16·2 = 32 > 30 yes.
  { name: 'half of members exactly fails', rule: halfMembers, members: 30, present: 25, ballots: 22, counts: [15, 5, 2], passed: false },
  { name: 'one more than half of members passes', rule: halfMembers, members: 30, present: 25, ballots: 22, counts: [16, 4, 2], passed: true },
  { name: 'majority of ballots is not of members', rule: halfMembers, members: 30, present: 25, ballots: 22, counts: [14, 6, 2], passed: false },
  // 三分之二以上 of 30: 20·3 = 60 ≥ 60 yes; 19·3 = 57 no.
  { name: 'two thirds inclusive at exactly two thirds', rule: twoThirdsIn, members: 30, present: 25, ballots: 22, counts: [20, 1, 1], passed: true },
  { name: 'two thirds inclusive one short', rule: twoThirdsIn, members: 30, present: 25, ballots: 22, counts: [19, 2, 1], passed: false },
  { name: 'two thirds exclusive at exactly two thirds', rule: twoThirdsEx, members: 30, present: 25, ballots: 22, counts: [20, 1, 1], passed: false },
  { name: 'two thirds exclusive one more', rule: twoThirdsEx, members: 30, present: 25, ballots: 22, counts: [21, 0, 1], passed: true },
  // Base present 25: 13·2 = 26 > 25 yes; 12·2 = 24 no.
  { name: 'half of present passes', rule: halfPresent, members: 30, present: 25, ballots: 22, counts: [13, 9, 0], passed: true },
  { name: 'half of present fails', rule: halfPresent, members: 30, present: 25, ballots: 22, counts: [12, 10, 0], passed: false },
  { name: 'two fifths of present inclusive at boundary', rule: twoFifthsPresentIn, members: 30, present: 25, ballots: 22, counts: [10, 12, 0], passed: true },
  { name: 'two fifths of present inclusive one short', rule: twoFifthsPresentIn, members: 30, present: 25, ballots: 22, counts: [9, 13, 0], passed: false },
  // Base ballots 20: 10·2 = 20 > 20 no, ≥ yes.
  { name: 'half of ballots exclusive fails at half', rule: halfBallots, members: 30, present: 25, ballots: 20, counts: [10, 10, 0], passed: false },
  { name: 'half of ballots inclusive passes at half', rule: halfBallotsIn, members: 30, present: 25, ballots: 20, counts: [10, 10, 0], passed: true },
  { name: 'more than half of ballots passes', rule: halfBallots, members: 30, present: 25, ballots: 20, counts: [11, 5, 4], passed: true },
  { name: 'all present inclusive', rule: allPresentIn, members: 30, present: 25, ballots: 25, counts: [25, 0, 0], passed: true },
  // Zero ballots: nothing passes, not even an inclusive rule over a base of 0 (0 ≥ 0).
  { name: 'zero ballots base ballots inclusive', rule: halfBallotsIn, members: 30, present: 25, ballots: 0, counts: [0, 0, 0], passed: false },
  { name: 'zero ballots base present 0 inclusive', rule: allPresentIn, members: 30, present: 0, ballots: 0, counts: [0, 0, 0], passed: false },
  { name: 'zero ballots base members', rule: halfMembers, members: 30, present: 25, ballots: 0, counts: [0, 0, 0], passed: false },
];

describe('motion results', () => {
  it.each(motionRows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const got = computeResults('motion', contests(1, MOTION, 1, 1), row.rule, [row.counts], row.ballots, row.present, row.members);
    expect(got).toEqual([{ id: 'c1', counts: row.counts, passed: row.passed }]);
  });

  it('decides each motion of a round separately', () => {
    const got = computeResults('motion', contests(3, MOTION, 1, 1), {}, [[16, 14, 0], [15, 15, 0], [30, 0, 0]], 30, 30, 30);
    expect(got.map((m) => m.passed)).toEqual([true, false, true]);
    expect(got[1]!.id).toBe('c2');
  });
});

interface SelectionRow {
  name: string;
  rule: Record<string, unknown>;
  max: number;
  ballots: number;
  counts: number[];
  selected: number[];
  tied: number[];
}

const half = {};
const halfIn = { num: 1, den: 2, inclusive: true };
const twoThirdsInclusive = { num: 2, den: 3, inclusive: true };

const selectionRows: SelectionRow[] = [
  // More than 5 of 10: A 8, B 6, D 7 qualify; best first; max 2 cuts B.
  { name: 'max limits the selected', rule: half, max: 2, ballots: 10, counts: [8, 6, 3, 7, 1], selected: [0, 3], tied: [] },
  { name: 'fewer qualified than max', rule: half, max: 4, ballots: 10, counts: [8, 6, 3, 7, 1], selected: [0, 3, 1], tied: [] },
  // A 9, then B, C, D on 7 straddle the cut at 2: A selected, B C D to a runoff.
  { name: 'tie straddles the cut', rule: half, max: 2, ballots: 10, counts: [9, 7, 7, 7, 3], selected: [0], tied: [1, 2, 3] },
  { name: 'tie straddles a cut of one', rule: half, max: 1, ballots: 10, counts: [7, 7, 2], selected: [], tied: [0, 1] },
  { name: 'tie inside the cut', rule: half, max: 2, ballots: 10, counts: [8, 8, 3, 1], selected: [0, 1], tied: [] },
  { name: 'three-way tie filling the cut', rule: half, max: 3, ballots: 10, counts: [8, 8, 8, 1], selected: [0, 1, 2], tied: [] },
  { name: 'tie outside the cut', rule: half, max: 2, ballots: 10, counts: [9, 8, 6, 6], selected: [0, 1], tied: [] },
  // B and C tie at 5 of 10 but do not qualify (10 > 10 no): no runoff among them.
  { name: 'tie below the threshold is no runoff', rule: half, max: 2, ballots: 10, counts: [6, 5, 5], selected: [0], tied: [] },
  { name: 'half exclusive at the boundary', rule: half, max: 3, ballots: 10, counts: [5, 6, 4], selected: [1], tied: [] },
  { name: 'half inclusive at the boundary', rule: halfIn, max: 3, ballots: 10, counts: [5, 6, 4], selected: [1, 0], tied: [] },
  { name: 'order by votes then index', rule: half, max: 3, ballots: 10, counts: [6, 9, 6], selected: [1, 0, 2], tied: [] },
  // 2/3 inclusive of 9: A 18 ≥ 18 yes, B 15 no, C 21 yes → C, A.
  { name: 'two thirds inclusive', rule: twoThirdsInclusive, max: 3, ballots: 9, counts: [6, 5, 7], selected: [2, 0], tied: [] },
  { name: 'zero ballots', rule: half, max: 2, ballots: 0, counts: [0, 0, 0], selected: [], tied: [] },
  { name: 'zero ballots inclusive', rule: halfIn, max: 2, ballots: 0, counts: [0, 0, 0], selected: [], tied: [] },
  { name: 'nobody has a majority', rule: half, max: 2, ballots: 10, counts: [4, 3, 3], selected: [], tied: [] },
  // A list whose max is 0 selects nobody, however many qualify.
  { name: 'max 0', rule: half, max: 0, ballots: 10, counts: [9, 1], selected: [], tied: [] },
];

describe('selection results', () => {
  it.each(selectionRows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const cs: ContestInfo[] = [{ id: 'list', title: '', options: row.counts.map((_, i) => `candidate ${i}`), min: 0, max: row.max }];
    const got = computeResults('selection', cs, row.rule, [row.counts], row.ballots, 25, 30);
    expect(got).toEqual([{ id: 'list', counts: row.counts, selected: row.selected, tied: row.tied }]);
  });
});

function refusal(f: () => unknown): { code: string; field: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof Refusal) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('no refusal');
}

describe('what does not fit', () => {
  const two = contests(2, THREE, 1, 1);
  it.each([
    ['one contest missing', [[5, 5, 0]], 'counts'],
    ['an option missing', [[5, 5, 0], [5, 5]], 'counts[1]'],
    ['a count above the ballots', [[5, 11, 0], [5, 5, 0]], 'counts[0][1]'],
    ['more selections than ballots', [[5, 5, 0], [6, 5, 0]], 'counts[1]'],
  ] as const)('counts: %s (INTERNAL)', (_name, counts, field) => {
    expect(refusal(() => computeResults('evaluation', two, standard, counts.map((c) => [...c]), 10, 25, 30))).toEqual({ code: 'INTERNAL', field });
  });

  it.each([
    ['pass_grades beyond the scale', 'evaluation', { pass_grades: 4 }, 'rule.pass_grades'],
    ['weights of another length', 'evaluation', { weights: [100, 0] }, 'rule.weights'],
    ['a weight above the bound', 'evaluation', { weights: [1_000_001, 0, 0] }, 'rule.weights[0]'],
    ['a fractional weight', 'evaluation', { weights: [100.5, 60, 0] }, 'rule.weights[0]'],
    ['a key of another kind', 'evaluation', { num: 1 }, 'rule.num'],
    ['num above den', 'motion', { num: 3, den: 2 }, 'rule.num'],
    ['den zero', 'motion', { num: 1, den: 0 }, 'rule.den'],
    ['an unknown base', 'motion', { base: 'everyone' }, 'rule.base'],
    ['inclusive not a boolean', 'selection', { inclusive: 1 }, 'rule.inclusive'],
    ['a negative num', 'selection', { num: -1 }, 'rule.num'],
  ] as const)('rule: %s (BAD_REQUEST)', (_name, kind, rule, field) => {
    const options = kind === 'motion' ? MOTION : THREE;
    const min = kind === 'selection' ? 0 : 1;
    const cs = contests(1, options, min, 1);
    expect(refusal(() => computeResults(kind, cs, rule, [[1, 0, 0]], 1, 1, 1))).toEqual({ code: 'BAD_REQUEST', field });
  });

  it('refuses evaluation targets that are not one scale with one choice each', () => {
    const mixed: ContestInfo[] = [...contests(1, THREE, 1, 1), { id: 'c2', title: '', options: FOUR.slice(0, 3), min: 1, max: 1 }];
    expect(refusal(() => computeResults('evaluation', mixed, {}, [[1, 0, 0], [1, 0, 0]], 1, 1, 1))).toEqual({ code: 'BAD_REQUEST', field: 'contests[1].options' });
    expect(refusal(() => computeResults('evaluation', contests(1, THREE, 0, 1), {}, [[1, 0, 0]], 1, 1, 1))).toEqual({ code: 'BAD_REQUEST', field: 'contests[0].min' });
    expect(refusal(() => computeResults('evaluation', [], {}, [], 1, 1, 1))).toEqual({ code: 'BAD_REQUEST', field: 'contests' });
  });

  it('takes a rule already read, of the round’s kind only', () => {
    const got = computeResults('motion', contests(1, MOTION, 1, 1), { kind: 'motion', base: 'ballots', num: 1, den: 2, inclusive: true }, [[1, 1, 0]], 2, 2, 9);
    expect(got[0]!.passed).toBe(true);
    expect(refusal(() => computeResults('selection', contests(1, MOTION, 0, 1), { kind: 'motion', base: 'ballots', num: 1, den: 2, inclusive: true }, [[1, 1, 0]], 2, 2, 9))).toEqual({ code: 'BAD_REQUEST', field: 'rule' });
  });
});
