// The roster import: header detection in both languages, the scrutineer column, and every problem
// reported on its line before anything is sent.
import { describe, expect, it } from 'vitest';
import { parseRoster, parseScrutineer, rosterCsvText, type RosterProblem } from '../../../src/pages/secretariat/roster';

const codes = (problems: RosterProblem[]) => problems.map((p) => [p.line, p.code]);

describe('parseRoster', () => {
  it('reads a roster without a header in id, name, seat, scrutineer order', () => {
    const r = parseRoster('m01,张伟,1,是\nm02,王芳,2,否\nm03,李娜,3\nm04,刘洋');
    expect(r.header).toBe(false);
    expect(r.problems).toEqual([]);
    expect(r.members).toEqual([
      { line: 1, id: 'm01', name: '张伟', seat: '1', scrutineer: true },
      { line: 2, id: 'm02', name: '王芳', seat: '2', scrutineer: false },
      { line: 3, id: 'm03', name: '李娜', seat: '3', scrutineer: false },
      { line: 4, id: 'm04', name: '刘洋', seat: '', scrutineer: false },
    ]);
  });

  it('recognises a Chinese header, in any column order', () => {
    const r = parseRoster('\uFEFF姓名,编号,监票人,座位\r\n张伟,m01,1,A1\r\n王芳,m02,,A2\r\n');
    expect(r.header).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.members).toEqual([
      { line: 2, id: 'm01', name: '张伟', seat: 'A1', scrutineer: true },
      { line: 3, id: 'm02', name: '王芳', seat: 'A2', scrutineer: false },
    ]);
  });

  it('recognises an English header whatever its case, and a header with only id and name', () => {
    const r = parseRoster('ID , Name\nm01,张伟');
    expect(r.header).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.members).toEqual([{ line: 2, id: 'm01', name: '张伟', seat: '', scrutineer: false }]);
  });

  it('reports an unknown, a repeated and a missing header column on the header line', () => {
    const r = parseRoster('编号,单位,编号\nm01,人大');
    expect(codes(r.problems)).toEqual([
      [1, 'unknown_column'],
      [1, 'duplicate_column'],
      [1, 'missing_column'],
      [2, 'empty_name'],
    ]);
    expect(r.problems[0]!.params).toEqual({ column: '单位' });
    expect(r.problems[2]!.params).toEqual({ column: 'name' });
  });

  it('trims fields and reads names with commas in quotes', () => {
    const r = parseRoster(' m01 , "张伟, 主任" , 1 , Y ');
    expect(r.members[0]).toEqual({ line: 1, id: 'm01', name: '张伟, 主任', seat: '1', scrutineer: true });
  });

  it('reports every problem with its line: duplicate id, empty name, "server", bad scrutineer value, empty id', () => {
    const csv = ['m01,张伟,1,是', 'm02,,2,', 'm01,李娜,3,', 'server,刘洋,4,', 'm05,陈静,5,maybe', ',周明,6,'].join('\n');
    const r = parseRoster(csv);
    expect(codes(r.problems)).toEqual([
      [2, 'empty_name'],
      [3, 'duplicate_id'],
      [4, 'id_reserved'],
      [5, 'bad_scrutineer'],
      [6, 'empty_id'],
    ]);
    expect(r.problems.find((p) => p.code === 'duplicate_id')!.params).toEqual({ id: 'm01', first: 1 });
    expect(r.problems.find((p) => p.code === 'bad_scrutineer')!.params).toEqual({ value: 'maybe' });
    // Every line stays in the table, problems and all, so that the person sees what to fix.
    expect(r.members.map((m) => m.line)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reports several problems of one line', () => {
    const r = parseRoster('server,,1,x');
    expect(codes(r.problems)).toEqual([
      [1, 'id_reserved'],
      [1, 'empty_name'],
      [1, 'bad_scrutineer'],
    ]);
  });

  it('measures ids in UTF-8 bytes: 21 Chinese characters (63 bytes) pass, 22 (66 bytes) do not', () => {
    const ok = '委'.repeat(21);
    const long = '委'.repeat(22);
    expect(parseRoster(`${ok},张伟`).problems).toEqual([]);
    expect(codes(parseRoster(`${long},张伟`).problems)).toEqual([[1, 'id_too_long']]);
  });

  it('refuses names and seats over 1,024 bytes', () => {
    const r = parseRoster(`m01,${'名'.repeat(342)},${'x'.repeat(1025)}`);
    expect(codes(r.problems)).toEqual([
      [1, 'name_too_long'],
      [1, 'seat_too_long'],
    ]);
  });

  it('reports extra columns but not a trailing empty one', () => {
    expect(parseRoster('m01,张伟,1,是,').problems).toEqual([]);
    const r = parseRoster('m01,张伟,1,是,多余');
    expect(codes(r.problems)).toEqual([[1, 'too_many_fields']]);
    expect(r.problems[0]!.params).toEqual({ count: 5, max: 4 });
  });

  it('reports CSV problems on their line', () => {
    const r = parseRoster('m01,"张"伟\nm02,"王芳');
    expect(codes(r.problems)).toEqual([
      [1, 'text_after_quote'],
      [2, 'unterminated_quote'],
    ]);
  });

  it('reports an empty roster, including one that is only a header', () => {
    expect(codes(parseRoster('').problems)).toEqual([[null, 'empty_roster']]);
    expect(codes(parseRoster('编号,姓名,座位,监票人\n').problems)).toEqual([[null, 'empty_roster']]);
  });

  it('refuses more than 10,000 members', () => {
    const lines = Array.from({ length: 10001 }, (_, i) => `m${i},委员${i}`);
    const r = parseRoster(lines.join('\n'));
    expect(codes(r.problems)).toEqual([[null, 'too_many_members']]);
    expect(r.problems[0]!.params).toEqual({ count: 10001, max: 10000 });
  });

  it('treats a lone surrogate as invalid text', () => {
    const r = parseRoster('m01,张\uD800伟');
    expect(codes(r.problems)).toEqual([[1, 'bad_text']]);
  });
});

describe('parseScrutineer', () => {
  it.each([
    ['1', true],
    ['是', true],
    ['yes', true],
    ['YES', true],
    ['true', true],
    ['Y', true],
    ['y', true],
    ['', false],
    ['0', false],
    ['否', false],
    ['no', false],
    ['False', false],
    ['N', false],
    ['  是 ', true],
    ['2', null],
    ['监票人', null],
    ['ok', null],
  ])('%j → %j', (value, expected) => {
    expect(parseScrutineer(value)).toBe(expected);
  });
});

describe('rosterCsvText', () => {
  it('writes a roster that parseRoster reads back to the same members: commas, quotes, scrutineers', () => {
    const members = [
      { id: 'm01', name: '张伟', seat: '1', scrutineer: true },
      { id: 'm02', name: '王芳, 主任', seat: 'A区,2', scrutineer: false },
      { id: 'm 03', name: '说"好"的', seat: '', scrutineer: true },
    ];
    const text = rosterCsvText(members);
    expect(text.split('\n')[0]).toBe('编号,姓名,座位,监票人');
    const r = parseRoster(text);
    expect(r.problems).toEqual([]);
    expect(r.members.map(({ id, name, seat, scrutineer }) => ({ id, name, seat, scrutineer }))).toEqual(members);
  });
});
