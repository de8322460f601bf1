// The session file: the body of POST /api/sessions read back into the form strictly, each
// problem with its path and line; saved from the form and read again to the same form; and the
// request made from a file equal to the one made by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '../../../src/i18n/i18n';
import { agendaProblemText } from '../../../src/pages/secretariat/agenda-import-view';
import { syntaxErrorPosition } from '../../../src/pages/secretariat/json-source';
import { parseRoster } from '../../../src/pages/secretariat/roster';
import { buildRound, defaultDraft, withFraction, withScale, type RoundDraft, type RoundSpec } from '../../../src/pages/secretariat/rounds';
import { buildSessionRequest, type SessionDraft, type SessionRequest } from '../../../src/pages/secretariat/session';
import {
  readSessionFile,
  readSessionText,
  sessionFileName,
  sessionFileText,
  setupRosterCsv,
  type SessionFileProblem,
  type SessionSetup,
} from '../../../src/pages/secretariat/session-file';
import { fileProblemText } from '../../../src/pages/secretariat/session-file-view';

// docs/PROTOCOL.md §4, POST /api/sessions, as printed there.
const PROTOCOL_EXAMPLE = `{
  "title": "某县人大常委会2026年第十一次会议 述职评议",
  "committee": "某县人民代表大会常务委员会",
  "date": "2026-11-23",
  "members": [
    {"id": "m01", "name": "张伟", "seat": "1"},
    {"id": "m02", "name": "王芳", "seat": "2"},
    {"id": "m03", "name": "李娜", "seat": "3"},
    {"id": "m04", "name": "刘洋", "seat": "4"},
    {"id": "m05", "name": "陈静", "seat": "5"}
  ],
  "scrutineers": ["m01", "m02"],
  "rounds": [
    {
      "title": "对政府组成部门的满意度测评",
      "kind": "evaluation",
      "contests": [
        {"id": "d1", "title": "县教育局", "options": ["满意", "基本满意", "不满意"], "min": 1, "max": 1},
        {"id": "d2", "title": "县卫生健康局", "options": ["满意", "基本满意", "不满意"], "min": 1, "max": 1}
      ],
      "rule": {"pass_grades": 2, "weights": [100, 60, 0]}
    },
    {
      "title": "推选明年述职的部门负责人",
      "kind": "selection",
      "contests": [{"id": "s1", "title": "述职人选", "options": ["周明", "吴刚", "郑丽", "孙强"], "min": 0, "max": 2}],
      "rule": {"num": 1, "den": 2, "inclusive": false}
    }
  ],
  "quorum": {"num": 1, "den": 2}
}`;

function read(text: string): SessionSetup {
  const r = readSessionText(text);
  if (!r.ok) throw new Error(`the file should read: ${JSON.stringify(r.problems)}`);
  return r.setup;
}

function problems(text: string): SessionFileProblem[] {
  const r = readSessionText(text);
  if (r.ok) throw new Error('the file should not read');
  return r.problems;
}

/** The request the form makes once a setup has filled it: the roster through its CSV box. */
function requestFromSetup(setup: SessionSetup): SessionRequest {
  const b = buildSessionRequest(setup.draft, parseRoster(setupRosterCsv(setup)), setup.rounds);
  if (!b.ok) throw new Error(`the filled form should build: ${JSON.stringify(b.errors)}`);
  return b.body;
}

function byHand(draft: RoundDraft): RoundSpec {
  const b = buildRound(draft);
  if (!b.ok) throw new Error('the round should build');
  return b.round;
}

/** 1-based line of the first occurrence of `snippet` (the last with `last`), by plain search. */
function lineOf(text: string, snippet: string, last = false): number {
  const at = last ? text.lastIndexOf(snippet) : text.indexOf(snippet);
  if (at < 0) throw new Error(`no ${snippet} in the text`);
  return text.slice(0, at).split('\n').length;
}

describe('readSessionText', () => {
  it('reads the example of docs/PROTOCOL.md into the form: fields, roster with scrutineers, rounds', () => {
    const s = read(PROTOCOL_EXAMPLE);
    expect(s.draft).toEqual({ title: '某县人大常委会2026年第十一次会议 述职评议', committee: '某县人民代表大会常务委员会', date: '2026-11-23', quorumNum: '1', quorumDen: '2' });
    expect(s.members.map((m) => [m.id, m.name, m.seat, m.scrutineer])).toEqual([
      ['m01', '张伟', '1', true],
      ['m02', '王芳', '2', true],
      ['m03', '李娜', '3', false],
      ['m04', '刘洋', '4', false],
      ['m05', '陈静', '5', false],
    ]);
    expect(s.rounds).toEqual((JSON.parse(PROTOCOL_EXAMPLE) as SessionRequest).rounds);
    // And the form sends what the file says.
    expect(requestFromSetup(s)).toEqual(JSON.parse(PROTOCOL_EXAMPLE));
  });

  it('accepts a UTF-8 BOM and CRLF line ends, from bytes as from text', () => {
    const crlf = `\uFEFF${PROTOCOL_EXAMPLE.replace(/\n/g, '\r\n')}`;
    expect(read(crlf)).toEqual(read(PROTOCOL_EXAMPLE));
    const bytes = new TextEncoder().encode(crlf);
    expect(bytes.slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    const r = readSessionFile(bytes);
    expect(r.ok && r.setup).toEqual(read(PROTOCOL_EXAMPLE));
  });

  it('refuses a file that is not UTF-8 (a GBK export), naming no line', () => {
    const gbk = new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xd5, 0xc5, 0xce, 0xb0, 0x22, 0x7d]); // {"t":"张伟"} in GBK
    const r = readSessionFile(gbk);
    expect(!r.ok && r.problems).toEqual([{ line: null, column: null, path: null, code: 'not_utf8', params: {} }]);
  });

  it('fills the rule and quorum defaults the server would, so the request says every key', () => {
    const s = read(`{"title":"t","committee":"c","date":"2026-01-05","members":[{"id":"m01","name":"张伟"}],
      "rounds":[
        {"title":"评议","kind":"evaluation","contests":[{"id":"e1","title":"甲","options":["满意","基本满意","不满意"],"min":1,"max":1}]},
        {"title":"评议四档","kind":"evaluation","contests":[{"id":"e1","title":"乙","options":["优秀","称职","基本称职","不称职"],"min":1,"max":1}],"rule":{}},
        {"title":"表决","kind":"motion","contests":[{"id":"m1","title":"议案","options":["赞成","反对","弃权"],"min":1,"max":1}],"rule":{"base":"present"}},
        {"title":"推选","kind":"selection","contests":[{"id":"s1","title":"推选","options":["甲","乙"],"min":0,"max":1}]}
      ]}`);
    expect(s.draft.quorumNum).toBe('1');
    expect(s.draft.quorumDen).toBe('2');
    expect(s.members[0]).toEqual({ id: 'm01', name: '张伟', seat: '', scrutineer: false });
    expect(s.rounds.map((r) => r.rule)).toEqual([
      { pass_grades: 2, weights: [100, 60, 0] },
      { pass_grades: 2, weights: null },
      { base: 'present', num: 1, den: 2, inclusive: false },
      { num: 1, den: 2, inclusive: false },
    ]);
  });

  it("places an error JSON.parse's message gives no position for (V8's Unexpected token)", () => {
    const text = '{\n  "title": "会议",\n  "date": x\n}';
    let message = '';
    try {
      JSON.parse(text);
    } catch (e) {
      message = (e as Error).message;
    }
    // In V8 (Node, Chromium) this message has no position; elsewhere it may.
    if (/Unexpected token/.test(message)) expect(syntaxErrorPosition(message, text)).toBeNull();
    expect(problems(text).map((p) => [p.code, p.line, p.column])).toEqual([['syntax', 3, 11]]);
  });

  it.each<[string, string, [number | null, number | null][]]>([
    ['a missing comma between two members', '{\n  "members": [\n    {"id": "m01"}\n    {"id": "m02"}\n  ]\n}', [[4, 5]]],
    ['a trailing comma', '{\n  "title": "t",\n}', [[3, 1]]],
    ['a bare word (V8 gives no position: the walk finds it)', '{\n  "title": "会议",\n  "date": x\n}', [[3, 11]]],
    ['a number cut short', '{\n  "title": "会议",\n  "date": 2026-11-23\n}', [[3, 15]]],
    ['a value missing after a key', '{\n  "title": }', [[2, 12]]],
    ['a file that stops in the middle', '{\n  "members": [\n', [[3, 1]]],
    ['an empty file', '', [[1, 1]]],
  ])('places a syntax error at its line and column: %s', (_name, text, expected) => {
    const ps = problems(text);
    expect(ps.map((p) => [p.line, p.column])).toEqual(expected);
    expect(ps[0]!.code).toBe('syntax');
    expect(ps[0]!.params.detail).toBeTypeOf('string');
  });

  // A well-formed file with wrong content: each problem names its path and the line where the
  // value sits (for a missing field, the line of its object).
  const base = (): Record<string, unknown> => JSON.parse(PROTOCOL_EXAMPLE) as Record<string, unknown>;
  const pretty = (o: unknown) => JSON.stringify(o, null, 2);
  const members = (o: Record<string, unknown>) => o.members as Record<string, unknown>[];
  const rounds = (o: Record<string, unknown>) => o.rounds as Record<string, unknown>[];
  const contests = (r: Record<string, unknown>) => r.contests as Record<string, unknown>[];

  type Where = string | ((text: string) => number);
  it.each<[string, (o: Record<string, unknown>) => void, string, string, Where]>([
    ['an empty name', (o) => (members(o)[3]!.name = ' '), 'members[3].name', 'required', '" "'],
    ['a name that is a number', (o) => (members(o)[1]!.name = 7), 'members[1].name', 'wrong_type', '"name": 7'],
    ['a repeated id', (o) => (members(o)[4]!.id = 'm02'), 'members[4].id', 'duplicate', (t) => lineOf(t, '"陈静"') - 1],
    ['the reserved id', (o) => (members(o)[2]!.id = 'server'), 'members[2].id', 'id_reserved', '"server"'],
    ['an id over 64 bytes', (o) => (members(o)[0]!.id = '委'.repeat(22)), 'members[0].id', 'id_length', '委委'],
    ['an unknown field', (o) => (members(o)[2]!.phone = '123'), 'members[2].phone', 'unknown_field', '"123"'],
    ['a missing name (the line of its object)', (o) => delete members(o)[2]!.name, 'members[2].name', 'missing_field', (t) => lineOf(t, '"id": "m03"') - 1],
    ['a scrutineer not on the roster', (o) => (o.scrutineers = ['m01', 'm09']), 'scrutineers[1]', 'not_member', '"m09"'],
    ['a scrutineer listed twice', (o) => (o.scrutineers = ['m01', 'm01']), 'scrutineers[1]', 'duplicate', (t) => lineOf(t, '"m01"', true)],
    ['a date that is not YYYY-MM-DD', (o) => (o.date = '2026年11月23日'), 'date', 'bad_date', '"2026年11月23日"'],
    ['a quorum of 2/2', (o) => (o.quorum = { num: 2, den: 2 }), 'quorum.num', 'quorum_not_below_one', '"num": 2'],
    ['a negative quorum', (o) => (o.quorum = { num: -1, den: 2 }), 'quorum.num', 'not_uint', '"num": -1'],
    ['a missing title', (o) => delete o.title, 'title', 'missing_field', '{'],
    ['an unknown kind', (o) => (rounds(o)[1]!.kind = 'election'), 'rounds[1].kind', 'bad_kind', '"election"'],
    ['max above the options', (o) => (contests(rounds(o)[1]!)[0]!.max = 5), 'rounds[1].contests[0].max', 'max_above_options', '"max": 5'],
    ['an evaluation target on another scale', (o) => (contests(rounds(o)[0]!)[1]!.options = ['优秀', '称职', '基本称职', '不称职']), 'rounds[0].contests[1].options', 'options_differ', (t) => lineOf(t, '"优秀"') - 1],
    ['a repeated contest id', (o) => (contests(rounds(o)[0]!)[1]!.id = 'd1'), 'rounds[0].contests[1].id', 'duplicate', (t) => lineOf(t, '"县卫生健康局"') - 1],
    ['weights of the wrong count', (o) => (rounds(o)[0]!.rule = { pass_grades: 2, weights: [100, 0] }), 'rounds[0].rule.weights', 'weights_count', '"weights"'],
    ['a motion key in a selection rule', (o) => (rounds(o)[1]!.rule = { base: 'present' }), 'rounds[1].rule.base', 'unknown_field', '"present"'],
    ['a rule num above den', (o) => (rounds(o)[1]!.rule = { num: 3, den: 2 }), 'rounds[1].rule.num', 'num_above_den', '"num": 3'],
    ['members that is not a list', (o) => (o.members = { id: 'm01' }), 'members', 'wrong_type', '"members"'],
    ['an empty roster', (o) => (o.members = []), 'members', 'empty', '"members"'],
  ])('reports %s with its path and line', (_name, change, path, code, where) => {
    const o = base();
    change(o);
    const text = pretty(o);
    const ps = problems(text);
    // "members" is also where an empty or mistyped roster leaves its scrutineers unchecked: only
    // the first problem is the one this case is about.
    const line = typeof where === 'string' ? lineOf(text, where) : where(text);
    expect(ps.find((p) => p.path === path)).toMatchObject({ path, code, line });
  });

  it('lists every problem of the file at once, in line order', () => {
    const o = base();
    members(o)[1]!.name = '';
    members(o)[3]!.id = 'm01';
    o.date = 'tomorrow';
    const ps = problems(pretty(o));
    expect(ps.map((p) => [p.path, p.code])).toEqual([
      ['date', 'bad_date'],
      ['members[1].name', 'required'],
      ['members[3].id', 'duplicate'],
    ]);
    expect(ps[2]!.params).toEqual({ value: 'm01', first: 'members[0]' });
  });

  it('refuses a key twice in one object (JSON.parse would keep the last), on the second line', () => {
    const text = '{\n  "title": "a",\n  "committee": "c",\n  "date": "2026-11-23",\n  "members": [{"id": "m01", "name": "张伟"}],\n  "title": "b"\n}';
    expect(problems(text)).toEqual([{ line: 6, column: 3, path: 'title', code: 'duplicate_key', params: {} }]);
  });

  it('refuses 1.0 and 1e0 where the server wants an integer', () => {
    const text = PROTOCOL_EXAMPLE.replace('"quorum": {"num": 1, "den": 2}', '"quorum": {"num": 1.0, "den": 2e0}');
    const line = lineOf(text, '"quorum"');
    expect(problems(text).map((p) => [p.path, p.code, p.line])).toEqual([
      ['quorum.num', 'not_uint', line],
      ['quorum.den', 'not_uint', line],
    ]);
  });

  it('says the path only when the file is nested too deeply to map', () => {
    const deep = `{"title": ${'['.repeat(20000)}${']'.repeat(20000)}}`;
    const ps = problems(deep);
    expect(ps.some((p) => p.path === 'title' && p.code === 'wrong_type' && p.line === null)).toBe(true);
  });
});

describe('save → load', () => {
  const draft: SessionDraft = { title: '某县人大常委会会议', committee: '某县人民代表大会常务委员会', date: '2026-11-23', quorumNum: '2', quorumDen: '3' };
  const rosterCsv = '编号,姓名,座位,监票人\nm01,张伟,1,是\nm02,"王芳, 主任","A,2",\nm03,李娜,3,是\nm 04,"说""好""的",,';
  const agenda: RoundSpec[] = [
    byHand({ ...defaultDraft('evaluation'), title: '对政府组成部门的满意度测评', contests: '县教育局\n县卫生健康局' }),
    byHand({ ...withScale(defaultDraft('evaluation'), 'four'), title: '述职评议', contests: '张伟', weights: '' }),
    byHand({ ...withFraction(defaultDraft('motion'), 'two_thirds'), base: 'ballots', title: '表决', contests: '关于某某事项的决定' }),
    byHand({ ...defaultDraft('selection'), title: '推选', contests: '周明\n吴刚\n郑丽', min: '1', max: '2' }),
  ];

  it('gives back the same form and the same request, byte for byte', () => {
    const first = buildSessionRequest(draft, parseRoster(rosterCsv), agenda);
    if (!first.ok) throw new Error('the form should build');
    const text = sessionFileText(first.body);
    const setup = read(text);
    expect(setup.draft).toEqual(draft);
    expect(setup.rounds).toEqual(agenda);
    expect(parseRoster(setupRosterCsv(setup)).members.map(({ id, name, seat, scrutineer }) => ({ id, name, seat, scrutineer }))).toEqual(
      parseRoster(rosterCsv).members.map(({ id, name, seat, scrutineer }) => ({ id, name, seat, scrutineer })),
    );
    expect(requestFromSetup(setup)).toEqual(first.body);
    expect(sessionFileText(requestFromSetup(setup))).toBe(text);
  });

  it('names the file after the date', () => {
    expect(sessionFileName('2026-11-23')).toBe('pingyi-session-2026-11-23.json');
    expect(sessionFileName('')).toBe('pingyi-session-session.json');
  });
});

describe('a session imported from a file', () => {
  it('makes the same create request as the same session typed in by hand', () => {
    const file = `{
  "title": "某县人大常委会会议",
  "committee": "某县人民代表大会常务委员会",
  "date": "2026-11-23",
  "members": [{"id": "m01", "name": "张伟", "seat": "1"}, {"id": "m02", "name": "王芳"}],
  "scrutineers": ["m02"],
  "rounds": [
    {"title": "测评", "kind": "evaluation", "contests": [{"id": "e1", "title": "县教育局", "options": ["满意", "基本满意", "不满意"], "min": 1, "max": 1}]},
    {"title": "表决", "kind": "motion", "contests": [{"id": "m1", "title": "议案", "options": ["赞成", "反对", "弃权"], "min": 1, "max": 1}], "rule": {"num": 2, "den": 3, "inclusive": true}}
  ]
}`;
    const fromFile = requestFromSetup(read(file));
    const typed = buildSessionRequest(
      { title: '某县人大常委会会议', committee: '某县人民代表大会常务委员会', date: '2026-11-23', quorumNum: '1', quorumDen: '2' },
      parseRoster('m01,张伟,1,\nm02,王芳,,是'),
      [
        byHand({ ...defaultDraft('evaluation'), title: '测评', contests: '县教育局' }),
        byHand({ ...withFraction(defaultDraft('motion'), 'two_thirds'), title: '表决', contests: '议案' }),
      ],
    );
    expect(typed.ok).toBe(true);
    expect(JSON.stringify(fromFile)).toBe(JSON.stringify(typed.ok && typed.body));
  });
});

describe('problem texts', () => {
  afterEach(() => setLang('zh'));

  it('say the line, the column for a syntax error, and the path, in both languages', () => {
    const syntax: SessionFileProblem = { line: 3, column: 5, path: null, code: 'syntax', params: { detail: 'Unexpected token' } };
    const field: SessionFileProblem = { line: 12, column: 15, path: 'members[3].name', code: 'wrong_type', params: { expected: 'string' } };
    const nowhere: SessionFileProblem = { line: null, column: null, path: 'members[3].name', code: 'required', params: {} };
    const file: SessionFileProblem = { line: null, column: null, path: null, code: 'not_utf8', params: {} };
    setLang('zh');
    expect(fileProblemText(syntax)).toBe('第 3 行第 5 列：不是有效的 JSON（Unexpected token）');
    expect(fileProblemText(field)).toBe('第 12 行，members[3].name：应为文本（带引号）');
    expect(fileProblemText(nowhere)).toBe('members[3].name：不能为空');
    expect(fileProblemText(file)).toMatch(/^整个文件：文件不是 UTF-8/);
    setLang('en');
    expect(fileProblemText(syntax)).toBe('line 3, column 5: not valid JSON (Unexpected token)');
    expect(fileProblemText(field)).toBe('line 12, members[3].name: must be text (in quotes)');
  });

  it('name the agenda column in the page language', () => {
    const p = { line: 4, code: 'not_for_kind' as const, params: { column: 'max', kind: 'motion' } };
    setLang('zh');
    expect(agendaProblemText(p)).toBe('第 4 行：“最多选”不用于表决轮次，请留空');
    setLang('en');
    expect(agendaProblemText(p)).toBe('line 4: “max” is not used by a motion round: leave it empty');
  });
});
