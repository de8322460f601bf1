// The round builder: the exact JSON of each kind and rule, and each field's errors, checked as
// the server checks them (DESIGN.md §3.7, server/core rules and validate_round).
import { describe, expect, it } from 'vitest';
import {
  buildRound,
  defaultDraft,
  withFraction,
  withScale,
  type RoundDraft,
  type RoundError,
} from '../../../src/pages/secretariat/rounds';

function draft(fields: Partial<RoundDraft>): RoundDraft {
  return { ...defaultDraft(fields.kind ?? 'evaluation'), ...fields };
}

function errors(d: RoundDraft): [string, string][] {
  const b = buildRound(d);
  if (b.ok) return [];
  return b.errors.map((e: RoundError) => [e.field, e.code]);
}

describe('buildRound: evaluation', () => {
  it('makes one contest per target on the 3-grade scale with the default rule, exactly', () => {
    const b = buildRound(draft({ title: ' 对政府组成部门的满意度测评 ', contests: '县教育局\n\n  县卫生健康局  \n' }));
    expect(b).toEqual({
      ok: true,
      round: {
        title: '对政府组成部门的满意度测评',
        kind: 'evaluation',
        contests: [
          { id: 'e1', title: '县教育局', options: ['满意', '基本满意', '不满意'], min: 1, max: 1 },
          { id: 'e2', title: '县卫生健康局', options: ['满意', '基本满意', '不满意'], min: 1, max: 1 },
        ],
        rule: { pass_grades: 2, weights: [100, 60, 0] },
      },
    });
    // What is sent is plain JSON: no undefined, no extra keys.
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });

  it('switches to the 4-grade scale with its defaults (pass 2, weights 100/80/60/0)', () => {
    const d = withScale(draft({ title: '述职评议', contests: '张三' }), 'four');
    expect(d.passGrades).toBe('2');
    expect(d.weights).toBe('100, 80, 60, 0');
    const b = buildRound(d);
    expect(b.ok && b.round.contests[0]).toEqual({ id: 'e1', title: '张三', options: ['优秀', '称职', '基本称职', '不称职'], min: 1, max: 1 });
    expect(b.ok && b.round.rule).toEqual({ pass_grades: 2, weights: [100, 80, 60, 0] });
  });

  it('takes edited pass_grades and weights, in Chinese or ASCII separators', () => {
    const b = buildRound(draft({ title: 't', contests: 'a', passGrades: '1', weights: '90，50、 10' }));
    expect(b.ok && b.round.rule).toEqual({ pass_grades: 1, weights: [90, 50, 10] });
  });

  it('sends weights null when the weights are cleared (ranking by 满意率)', () => {
    const b = buildRound(draft({ title: 't', contests: 'a', weights: '  ' }));
    expect(b.ok && b.round.rule).toEqual({ pass_grades: 2, weights: null });
  });

  it('refuses pass_grades outside 1 … options', () => {
    expect(errors(draft({ title: 't', contests: 'a', passGrades: '0' }))).toEqual([['passGrades', 'out_of_range']]);
    expect(errors(draft({ title: 't', contests: 'a', passGrades: '4' }))).toEqual([['passGrades', 'out_of_range']]);
    expect(errors(withScale(draft({ title: 't', contests: 'a', passGrades: '4' }), 'four'))).toEqual([]);
    expect(errors(draft({ title: 't', contests: 'a', passGrades: '1.5' }))).toEqual([['passGrades', 'not_integer']]);
    expect(errors(draft({ title: 't', contests: 'a', passGrades: '' }))).toEqual([['passGrades', 'required']]);
  });

  it('refuses weights of the wrong count, negative, fractional or above 1,000,000', () => {
    expect(errors(draft({ title: 't', contests: 'a', weights: '100,60' }))).toEqual([['weights', 'weights_count']]);
    expect(errors(draft({ title: 't', contests: 'a', weights: '100,-60,0' }))).toEqual([['weights', 'not_integer']]);
    expect(errors(draft({ title: 't', contests: 'a', weights: '100,60.5,0' }))).toEqual([['weights', 'not_integer']]);
    expect(errors(draft({ title: 't', contests: 'a', weights: '1000001,60,0' }))).toEqual([['weights', 'weight_too_large']]);
    expect(errors(draft({ title: 't', contests: 'a', weights: '1000000,60,0' }))).toEqual([]);
  });

  it('refuses more than 100 targets, none at all, a repeated one and an over-long one', () => {
    const many = Array.from({ length: 101 }, (_, i) => `单位${i}`).join('\n');
    expect(errors(draft({ title: 't', contests: many }))).toEqual([['contests', 'too_many_contests']]);
    expect(errors(draft({ title: 't', contests: ' \n ' }))).toEqual([['contests', 'no_contests']]);
    const dup = buildRound(draft({ title: 't', contests: '教育局\n卫健局\n教育局' }));
    expect(dup.ok).toBe(false);
    expect(!dup.ok && dup.errors).toEqual([{ field: 'contests', code: 'duplicate_line', params: { line: 3, first: 1, text: '教育局' } }]);
    expect(errors(draft({ title: 't', contests: 'x'.repeat(1025) }))).toEqual([['contests', 'line_too_long']]);
    expect(errors(draft({ title: 't', contests: 'x'.repeat(1024) }))).toEqual([]);
  });

  it('requires a title of at most 1,024 bytes', () => {
    expect(errors(draft({ title: '  ', contests: 'a' }))).toEqual([['title', 'required']]);
    expect(errors(draft({ title: '测'.repeat(342), contests: 'a' }))).toEqual([['title', 'too_long']]);
  });
});

describe('buildRound: motion', () => {
  it('makes one 赞成/反对/弃权 contest per motion with the default rule (members, more than 1/2)', () => {
    const b = buildRound(draft({ kind: 'motion', title: '表决', contests: '关于甲事项\n关于乙事项' }));
    expect(b).toEqual({
      ok: true,
      round: {
        title: '表决',
        kind: 'motion',
        contests: [
          { id: 'm1', title: '关于甲事项', options: ['赞成', '反对', '弃权'], min: 1, max: 1 },
          { id: 'm2', title: '关于乙事项', options: ['赞成', '反对', '弃权'], min: 1, max: 1 },
        ],
        rule: { base: 'members', num: 1, den: 2, inclusive: false },
      },
    });
  });

  it('makes 三分之二以上 of those present a 2/3 inclusive rule on the present base', () => {
    const d = { ...withFraction(draft({ kind: 'motion', title: '修改章程', contests: '章程修正案' }), 'two_thirds'), base: 'present' as const };
    const b = buildRound(d);
    expect(b.ok && b.round.rule).toEqual({ base: 'present', num: 2, den: 3, inclusive: true });
    const back = buildRound(withFraction(d, 'majority'));
    expect(back.ok && back.round.rule).toEqual({ base: 'present', num: 1, den: 2, inclusive: false });
  });

  it('takes a ballots base and num = den', () => {
    const b = buildRound(draft({ kind: 'motion', title: 't', contests: 'a', base: 'ballots', num: '3', den: '3', inclusive: true }));
    expect(b.ok && b.round.rule).toEqual({ base: 'ballots', num: 3, den: 3, inclusive: true });
  });

  it('refuses num or den of 0, num above den, and non-integers', () => {
    expect(errors(draft({ kind: 'motion', title: 't', contests: 'a', num: '0' }))).toEqual([['num', 'positive']]);
    expect(errors(draft({ kind: 'motion', title: 't', contests: 'a', den: '0' }))).toEqual([['den', 'positive']]);
    expect(errors(draft({ kind: 'motion', title: 't', contests: 'a', num: '3', den: '2' }))).toEqual([['num', 'num_above_den']]);
    expect(errors(draft({ kind: 'motion', title: 't', contests: 'a', num: 'x', den: '' }))).toEqual([
      ['num', 'not_integer'],
      ['den', 'required'],
    ]);
    expect(errors(draft({ kind: 'motion', title: 't', contests: 'a', den: '4294967296' }))).toEqual([['den', 'too_large']]);
  });
});

describe('buildRound: selection', () => {
  it('makes one contest whose options are the candidates, with min, max and the default rule', () => {
    const b = buildRound(draft({ kind: 'selection', title: '推选明年述职的部门负责人', contests: '周明\n吴刚\n郑丽\n孙强', min: '0', max: '2' }));
    expect(b).toEqual({
      ok: true,
      round: {
        title: '推选明年述职的部门负责人',
        kind: 'selection',
        contests: [{ id: 's1', title: '推选明年述职的部门负责人', options: ['周明', '吴刚', '郑丽', '孙强'], min: 0, max: 2 }],
        rule: { num: 1, den: 2, inclusive: false },
      },
    });
  });

  it('refuses max above the candidates, max 0, and min above max', () => {
    const base = { kind: 'selection' as const, title: 't', contests: 'a\nb' };
    expect(errors(draft({ ...base, max: '3' }))).toEqual([['max', 'max_above_options']]);
    expect(errors(draft({ ...base, max: '0' }))).toEqual([['max', 'max_zero']]);
    expect(errors(draft({ ...base, min: '2', max: '1' }))).toEqual([['min', 'min_above_max']]);
    expect(errors(draft({ ...base, min: '2', max: '2' }))).toEqual([]);
    expect(errors(draft({ ...base, min: '', max: 'two' }))).toEqual([
      ['min', 'required'],
      ['max', 'not_integer'],
    ]);
  });

  it('allows up to 1,000 candidates', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `候选人${i}`).join('\n');
    expect(errors(draft({ kind: 'selection', title: 't', contests: names(1000) }))).toEqual([]);
    expect(errors(draft({ kind: 'selection', title: 't', contests: names(1001) }))).toEqual([['contests', 'too_many_options']]);
  });

  it('takes the 2/3 inclusive preset', () => {
    const b = buildRound(withFraction(draft({ kind: 'selection', title: 't', contests: 'a\nb' }), 'two_thirds'));
    expect(b.ok && b.round.rule).toEqual({ num: 2, den: 3, inclusive: true });
  });
});
