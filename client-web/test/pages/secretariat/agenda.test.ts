// The agenda import: a CSV or pasted table → the round builder's own rounds, and every problem on
// its line before anything is added.
import { describe, expect, it } from 'vitest';
import { agendaTemplateCsv, parseAgenda, splitOptions, type AgendaProblem } from '../../../src/pages/secretariat/agenda';
import { parseRoster } from '../../../src/pages/secretariat/roster';
import { buildRound, defaultDraft, withFraction, withScale, type RoundDraft, type RoundSpec } from '../../../src/pages/secretariat/rounds';
import { buildSessionRequest } from '../../../src/pages/secretariat/session';

const codes = (problems: AgendaProblem[]) => problems.map((p) => [p.line, p.code]);

function byHand(draft: RoundDraft): RoundSpec {
  const b = buildRound(draft);
  if (!b.ok) throw new Error(`the round should build: ${JSON.stringify(b.errors)}`);
  return b.round;
}

const HEADER = '轮次名称,类型,对象,选项,等次,最少选,最多选,规则,基数';

// The same agenda typed into the round builder, round by round.
const handBuilt: RoundSpec[] = [
  byHand({ ...defaultDraft('evaluation'), title: '对政府组成部门的满意度测评', contests: '县教育局\n县卫生健康局' }),
  byHand({ ...withScale(defaultDraft('evaluation'), 'four'), title: '述职评议', contests: '张伟\n王芳' }),
  byHand({ ...withFraction(defaultDraft('motion'), 'two_thirds'), base: 'present', title: '关于某某事项的表决', contests: '关于某某事项的决定\n关于另一事项的决定' }),
  byHand({ ...defaultDraft('selection'), title: '推选明年述职的部门负责人', contests: '周明\n吴刚\n郑丽\n孙强', min: '0', max: '2' }),
];

describe('parseAgenda', () => {
  it('reads a file with a BOM, CRLF and quoted fields into the rounds the builder makes by hand', () => {
    const csv = [
      `\uFEFF${HEADER}`,
      '对政府组成部门的满意度测评,测评,县教育局,,,,,,',
      '对政府组成部门的满意度测评,测评,"县卫生健康局",满意|基本满意|不满意,3,,,,',
      '述职评议,测评,张伟,,4,,,,',
      '述职评议,测评,王芳,优秀|称职|基本称职|不称职,,,,,',
      '关于某某事项的表决,表决,关于某某事项的决定,赞成|反对|弃权,,,,三分之二以上,实到人数',
      '关于某某事项的表决,表决,"关于另一事项的决定",,,,,,',
      '推选明年述职的部门负责人,推选,,"周明、吴刚|郑丽 ｜ 孙强",,0,2,,',
    ].join('\r\n');
    const a = parseAgenda(csv);
    expect(a.problems).toEqual([]);
    expect(a.rounds).toEqual(handBuilt);
  });

  it('takes a tab-separated paste from a spreadsheet, English header and kinds, columns in any order', () => {
    const paste = [
      'kind\tround\ttarget\tmax\toptions',
      'evaluation\tRound A\t县教育局\t\t',
      'motion\tRound B\tMotion 1\t\t',
      'selection\tRound C\t\t1\t张伟|王芳',
    ].join('\n');
    const a = parseAgenda(paste);
    expect(a.problems).toEqual([]);
    expect(a.rounds).toEqual([
      byHand({ ...defaultDraft('evaluation'), title: 'Round A', contests: '县教育局' }),
      byHand({ ...defaultDraft('motion'), title: 'Round B', contests: 'Motion 1' }),
      byHand({ ...defaultDraft('selection'), title: 'Round C', contests: '张伟\n王芳', max: '1' }),
    ]);
  });

  it('continues the round above on a row whose round name and kind are empty (merged cells)', () => {
    const a = parseAgenda(`${HEADER}\n对政府组成部门的满意度测评,测评,县教育局\n,,县卫生健康局\n`);
    expect(a.problems).toEqual([]);
    expect(a.rounds).toEqual([handBuilt[0]]);
  });

  it('makes one contest per row of a selection, named by its target', () => {
    const a = parseAgenda(`${HEADER}\n人事任免,推选,主任,张伟|王芳,,1,1,三分之二以上\n人事任免,推选,副主任,李娜|刘洋|陈静,,0,2,三分之二以上`);
    expect(a.problems).toEqual([]);
    expect(a.rounds).toEqual([
      {
        title: '人事任免',
        kind: 'selection',
        contests: [
          { id: 's1', title: '主任', options: ['张伟', '王芳'], min: 1, max: 1 },
          { id: 's2', title: '副主任', options: ['李娜', '刘洋', '陈静'], min: 0, max: 2 },
        ],
        rule: { num: 2, den: 3, inclusive: true },
      },
    ]);
  });

  it('reads the template offered for download without a problem', () => {
    const a = parseAgenda(agendaTemplateCsv());
    expect(a.problems).toEqual([]);
    expect(a.rounds.map((r) => [r.title, r.kind, r.contests.length])).toEqual([
      ['对政府组成部门的满意度测评', 'evaluation', 2],
      ['关于某某事项的表决', 'motion', 1],
      ['推选明年述职的部门负责人', 'selection', 1],
    ]);
  });

  it.each<[string, string, [number | null, string][]]>([
    ['no header', '第一轮,测评,县教育局', [[1, 'missing_header']]],
    ['an unknown, a repeated and a missing header column', '轮次名称,类型,单位,类型\n第一轮,测评,x,测评', [[1, 'unknown_column'], [1, 'duplicate_column'], [1, 'missing_column'], [2, 'empty_target']]],
    ['only a header', `${HEADER}\n`, [[null, 'empty_agenda']]],
    ['an empty round name on the first row', `${HEADER}\n,测评,县教育局`, [[2, 'empty_round']]],
    ['a round name that comes back after another round', `${HEADER}\nA,测评,x\nB,表决,y\nA,测评,z`, [[4, 'round_repeated']]],
    ['an empty and an unknown kind', `${HEADER}\nA,,x\nB,投票,y`, [[2, 'empty_kind'], [3, 'bad_kind']]],
    ['two kinds in one round', `${HEADER}\nA,测评,x\nA,表决,y`, [[3, 'conflict']]],
    ['an empty and a repeated target', `${HEADER}\nA,测评,x\nA,测评,\nA,测评,x`, [[3, 'empty_target'], [4, 'duplicate_target']]],
    ['a target with a line break', `${HEADER}\nA,表决,"x\ny"`, [[2, 'line_break']]],
    ['options that are not the scale or the motion options', `${HEADER}\nA,测评,x,好|坏\nB,表决,y,同意|不同意`, [[2, 'bad_options'], [3, 'bad_options']]],
    ['a scale that is neither 3 nor 4, and one that contradicts the options', `${HEADER}\nA,测评,x,,5\nB,测评,y,满意|基本满意|不满意,4`, [[2, 'bad_scale'], [3, 'conflict']]],
    ['an unknown rule and base', `${HEADER}\nA,表决,x,,,,,多数,到会`, [[2, 'bad_rule'], [2, 'bad_base']]],
    ['columns that do not belong to the kind', `${HEADER}\nA,测评,x,,,,2,过半数\nB,表决,y,,4\nC,推选,,张伟|王芳,,,1,,实到人数`, [[2, 'not_for_kind'], [2, 'not_for_kind'], [3, 'not_for_kind'], [4, 'not_for_kind']]],
    ['a selection without candidates, a repeated candidate', `${HEADER}\nA,推选,,,,,1\nB,推选,,张伟|张伟,,,1`, [[2, 'empty_options'], [3, 'duplicate_option']]],
    ['a selection without max, max 0, max above the candidates, min above max, a max that is not a number', `${HEADER}\nA,推选,,张伟|王芳\nB,推选,,张伟|王芳,,,0\nC,推选,,张伟|王芳,,,3\nD,推选,,张伟|王芳,,2,1\nE,推选,,张伟|王芳,,,两`, [[2, 'required'], [3, 'max_zero'], [4, 'max_above_options'], [5, 'min_above_max'], [6, 'not_integer']]],
    ['an unclosed quote', `${HEADER}\nA,测评,"县教育局`, [[2, 'unterminated_quote']]],
    ['text after a closing quote, and extra cells', `${HEADER}\nA,测评,"x"y\nB,表决,z,,,,,,,多余`, [[2, 'text_after_quote'], [3, 'too_many_fields']]],
    ['a cell under an empty header cell, but not an empty one', '轮次名称,类型,对象,\nA,测评,x,\nA,测评,y,多余', [[3, 'too_many_fields']]],
    ['a round name over 1,024 bytes, a target over 1,024 bytes', `${HEADER}\n${'轮'.repeat(342)},测评,x\nB,测评,${'对'.repeat(342)}`, [[2, 'round_too_long'], [3, 'target_too_long']]],
    ['more than 100 targets in a round', `${HEADER}\n${Array.from({ length: 101 }, (_, i) => `A,测评,单位${i}`).join('\n')}`, [[2, 'too_many_targets']]],
  ])('reports %s on its line', (_name, csv, expected) => {
    const a = parseAgenda(csv);
    expect(codes(a.problems)).toEqual(expected);
    // Nothing is added while anything is wrong.
    expect(a.rounds).toEqual([]);
  });

  it('names what is wrong in the parameters', () => {
    const a = parseAgenda(`${HEADER}\nA,测评,x\nA,测评,y\nA,测评,x\nB,表决,z,,,,,多数`);
    expect(a.problems).toEqual([
      { line: 4, code: 'duplicate_target', params: { text: 'x', first: 2 } },
      { line: 5, code: 'bad_rule', params: { value: '多数' } },
    ]);
  });

  it('lists every problem of every round, sorted by line, not just the first', () => {
    const a = parseAgenda(`${HEADER}\nA,测评,\nB,投票,y\nC,推选,,张伟,,,0`);
    expect(codes(a.problems)).toEqual([
      [2, 'empty_target'],
      [3, 'bad_kind'],
      [4, 'max_zero'],
    ]);
  });
});

describe('splitOptions', () => {
  it('splits on |, ｜, 、 and line breaks inside a cell, dropping empty parts', () => {
    expect(splitOptions(' 周明 |吴刚、郑丽｜孙强\n李娜||')).toEqual(['周明', '吴刚', '郑丽', '孙强', '李娜']);
  });
});

describe('an agenda imported from CSV in the create request', () => {
  it('gives the same request as the agenda built by hand', () => {
    const roster = parseRoster('编号,姓名,座位,监票人\nm01,张伟,1,是\nm02,王芳,2,');
    const draft = { title: '某县人大常委会会议', committee: '某县人民代表大会常务委员会', date: '2026-11-23', quorumNum: '1', quorumDen: '2' };
    const imported = parseAgenda(
      [
        HEADER,
        '对政府组成部门的满意度测评,测评,县教育局',
        ',,县卫生健康局',
        '述职评议,测评,张伟,,4',
        '述职评议,测评,王芳',
        '关于某某事项的表决,表决,关于某某事项的决定,,,,,三分之二以上,实到人数',
        '关于某某事项的表决,表决,关于另一事项的决定',
        '推选明年述职的部门负责人,推选,,周明|吴刚|郑丽|孙强,,,2',
      ].join('\n'),
    );
    expect(imported.problems).toEqual([]);
    const a = buildSessionRequest(draft, roster, imported.rounds);
    const b = buildSessionRequest(draft, roster, handBuilt);
    expect(a.ok && b.ok).toBe(true);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
