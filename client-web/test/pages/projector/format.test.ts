// The projector's formatting of chain integers (DESIGN.md §3.7): percentages and scores from
// basis points without floating point, grades, ranks, outcome words per kind, and the undeclared
// wording in its three cases.
import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '../../../src/i18n/i18n';
import {
  formatHundredths,
  formatRank,
  formatRateBp,
  formatScore,
  gradeLabel,
  outcome,
  shareBp,
  shortHash,
  undeclaredText,
} from '../../../src/pages/projector/format';
import type { ContestInfo } from '../../../src/verify/types';

const scale: ContestInfo = { id: 'd1', title: '县教育局', options: ['满意', '基本满意', '不满意'], min: 1, max: 1 };
const motion: ContestInfo = { id: 'm1', title: '关于某某议案', options: ['赞成', '反对', '弃权'], min: 1, max: 1 };
const candidates: ContestInfo = { id: 's1', title: '述职人选', options: ['周明', '吴刚', '郑丽', '孙强'], min: 0, max: 2 };

afterEach(() => setLang('zh'));

describe('formatRateBp', () => {
  it.each([
    [6667, '66.67%'],
    [6666, '66.66%'],
    [10000, '100.00%'],
    [0, '0.00%'],
    [5, '0.05%'],
    [50, '0.50%'],
    [3333, '33.33%'],
    [9999, '99.99%'],
  ])('%i basis points read %s', (bp, text) => {
    expect(formatRateBp(bp)).toBe(text);
  });

  it('shows a dash when the chain has no rate (no ballots)', () => {
    expect(formatRateBp(null)).toBe('—');
    expect(formatRateBp(undefined)).toBe('—');
  });

  it('refuses what a rate cannot be', () => {
    expect(() => formatRateBp(10001)).toThrow(RangeError);
    expect(() => formatRateBp(-1)).toThrow(RangeError);
    expect(() => formatRateBp(66.67)).toThrow(RangeError);
  });

  // Every value 0…10000 formats back to itself: the digits are the integer's, never a float's.
  it('round-trips every basis point value', () => {
    for (let bp = 0; bp <= 10000; bp++) {
      const text = formatRateBp(bp);
      expect(Number(text.slice(0, -1).replace('.', ''))).toBe(bp);
    }
  });
});

describe('formatScore and formatHundredths', () => {
  it('formats score_x100 with two decimals', () => {
    expect(formatScore(8666)).toBe('86.66');
    expect(formatScore(5333)).toBe('53.33');
    expect(formatScore(10000)).toBe('100.00');
    expect(formatScore(null)).toBe('—');
    expect(formatHundredths(7)).toBe('0.07');
    expect(formatHundredths(123456)).toBe('1234.56');
  });
});

describe('shareBp', () => {
  it('is the share of the ballots rounded down, zero when there are none', () => {
    expect(shareBp(2, 3)).toBe(6666);
    expect(shareBp(1, 3)).toBe(3333);
    expect(shareBp(3, 3)).toBe(10000);
    expect(shareBp(0, 0)).toBe(0);
  });

  it('refuses a count above the ballots', () => {
    expect(() => shareBp(4, 3)).toThrow(RangeError);
  });
});

describe('gradeLabel and formatRank', () => {
  it('names the grade by its option label, or empty without a grade', () => {
    expect(gradeLabel(scale, 0)).toBe('满意');
    expect(gradeLabel(scale, 2)).toBe('不满意');
    expect(gradeLabel(scale, null)).toBe('');
    expect(() => gradeLabel(scale, 3)).toThrow(RangeError);
  });

  it('shows a rank or a dash', () => {
    expect(formatRank(1)).toBe('1');
    expect(formatRank(null)).toBe('—');
  });
});

describe('outcome', () => {
  it('says 通过 or 未通过 for evaluations and motions', () => {
    expect(outcome('evaluation', scale, { id: 'd1', counts: [2, 1, 0], passed: true }).text).toBe('通过');
    expect(outcome('evaluation', scale, { id: 'd1', counts: [0, 1, 2], passed: false })).toMatchObject({ text: '未通过', tone: 'bad' });
    expect(outcome('motion', motion, { id: 'm1', counts: [9, 4, 2], passed: true })).toMatchObject({ text: '通过', tone: 'ok' });
    expect(outcome('motion', motion, { id: 'm1', counts: [7, 6, 2], passed: false }).text).toBe('未通过');
  });

  it('names the selected candidates best first', () => {
    const o = outcome('selection', candidates, { id: 's1', counts: [1, 3, 2, 0], selected: [1, 2], tied: [] });
    expect(o.selected).toEqual(['吴刚', '郑丽']);
    expect(o.text).toBe('当选：吴刚、郑丽');
    expect(o.runoff).toBeNull();
    expect(o.tone).toBe('ok');
  });

  it('says plainly that a tie at the cut needs a runoff', () => {
    const o = outcome('selection', candidates, { id: 's1', counts: [4, 3, 3, 0], selected: [0], tied: [1, 2] });
    expect(o.selected).toEqual(['周明']);
    expect(o.tied).toEqual(['吴刚', '郑丽']);
    expect(o.runoff).toBe('吴刚、郑丽 得票相同，名额不足以全部当选，需另行投票决定。');
    expect(o.tone).toBe('warn');
  });

  it('says when nobody is selected', () => {
    expect(outcome('selection', candidates, { id: 's1', counts: [1, 1, 1, 0], selected: [], tied: [] }).text).toBe('无人当选');
    expect(outcome('selection', candidates, { id: 's1', counts: [2, 2, 0, 0], selected: [], tied: [0, 1] }).text).toBe('无人直接当选');
  });

  it('speaks English when switched', () => {
    setLang('en');
    expect(outcome('motion', motion, { id: 'm1', counts: [9, 4, 2], passed: true }).text).toBe('Passed');
    expect(outcome('selection', candidates, { id: 's1', counts: [1, 3, 2, 0], selected: [1, 2], tied: [] }).text).toBe('Selected: 吴刚, 郑丽');
  });

  it('refuses a selected index that is not a candidate', () => {
    expect(() => outcome('selection', candidates, { id: 's1', counts: [1, 3, 2, 0], selected: [7], tied: [] })).toThrow(RangeError);
  });
});

describe('undeclaredText', () => {
  it('states a positive count as ballots without a declaration, and why that matters', () => {
    const u = undeclaredText(2);
    expect(u.tone).toBe('bad');
    expect(u.text).toBe('有 2 张选票没有对应的已投票声明');
    expect(u.explanation).toContain('多放了选票');
  });

  it('states zero as every ballot declared', () => {
    const u = undeclaredText(0);
    expect(u.tone).toBe('ok');
    expect(u.text).toBe('每张选票都有对应的已投票声明');
  });

  it('explains a negative count as declarations without a ballot', () => {
    const u = undeclaredText(-1);
    expect(u.tone).toBe('bad');
    expect(u.text).toBe('有 1 个已投票声明没有对应的选票');
    expect(u.explanation).toContain('掩盖');
  });

  it('has the same three cases in English', () => {
    setLang('en');
    expect(undeclaredText(3).text).toBe('3 ballot(s) without a matching “I have voted” declaration');
    expect(undeclaredText(-2).text).toBe('2 “I have voted” declaration(s) without a matching ballot');
    expect(undeclaredText(0).text).toBe('Every ballot has a matching “I have voted” declaration');
  });
});

describe('shortHash', () => {
  it('groups the first bytes of a hash for reading aloud', () => {
    expect(shortHash('1fa543957a1678b6881c90708a23caed4051056b780ae00742ae8c3ebf4c836b')).toBe('1fa54395 7a1678b6');
    expect(shortHash('1fa543957a1678b6881c90708a23caed4051056b780ae00742ae8c3ebf4c836b', 4)).toBe('1fa54395');
    expect(() => shortHash('XYZ')).toThrow(RangeError);
  });
});
