// The agenda import: CSV text (one row per target, as a secretariat fills it in WPS or Excel) →
// the rounds of POST /api/sessions, with every problem found, per line, before anything is sent.
// Each round is made by the round builder itself (buildRound), so that an imported round is the
// very object the form would have made from the same content; only the builder's errors are
// turned into this file's lines.

import { parseCsv, type CsvProblemCode } from './csv';
import {
  buildRound,
  defaultDraft,
  withFraction,
  withScale,
  MAX_CONTESTS,
  MOTION_OPTIONS,
  SCALES,
  type MotionBase,
  type RoundDraft,
  type RoundError,
  type RoundKind,
  type RoundSpec,
  type Scale,
} from './rounds';
import { MAX_ROUNDS } from './session';

export type AgendaColumn = 'round' | 'kind' | 'target' | 'options' | 'scale' | 'min' | 'max' | 'rule' | 'base';

export type AgendaProblemCode =
  | CsvProblemCode
  | 'missing_header'
  | 'unknown_column'
  | 'duplicate_column'
  | 'missing_column'
  | 'too_many_fields'
  | 'empty_round'
  | 'round_repeated'
  | 'round_too_long'
  | 'bad_text'
  | 'line_break'
  | 'empty_kind'
  | 'bad_kind'
  | 'conflict'
  | 'empty_target'
  | 'target_too_long'
  | 'duplicate_target'
  | 'too_many_targets'
  | 'bad_options'
  | 'empty_options'
  | 'option_too_long'
  | 'duplicate_option'
  | 'too_many_options'
  | 'bad_scale'
  | 'bad_rule'
  | 'bad_base'
  | 'not_for_kind'
  | 'required'
  | 'not_integer'
  | 'too_large'
  | 'max_zero'
  | 'max_above_options'
  | 'min_above_max'
  | 'empty_agenda'
  | 'too_many_rounds';

export interface AgendaProblem {
  /** The line in the CSV text; null for a problem of the agenda as a whole. */
  line: number | null;
  code: AgendaProblemCode;
  /** `column` is an AgendaColumn (shown by its name in the page's language). */
  params: Record<string, string | number>;
}

export interface Agenda {
  rounds: RoundSpec[];
  problems: AgendaProblem[];
}

// The columns in the order of the template (docs/WEB-CLIENT.md); header names are compared after
// trimming and lower-casing.
export const AGENDA_COLUMNS: AgendaColumn[] = ['round', 'kind', 'target', 'options', 'scale', 'min', 'max', 'rule', 'base'];
export const AGENDA_HEADER_ZH = '轮次名称,类型,对象,选项,等次,最少选,最多选,规则,基数';

const HEADER_NAMES: Record<string, AgendaColumn> = {
  轮次名称: 'round',
  轮次: 'round',
  round: 'round',
  类型: 'kind',
  kind: 'kind',
  对象: 'target',
  target: 'target',
  选项: 'options',
  候选人: 'options',
  options: 'options',
  等次: 'scale',
  scale: 'scale',
  最少选: 'min',
  min: 'min',
  最多选: 'max',
  max: 'max',
  规则: 'rule',
  rule: 'rule',
  基数: 'base',
  base: 'base',
};

const KINDS: Record<string, RoundKind> = {
  测评: 'evaluation',
  评议: 'evaluation',
  evaluation: 'evaluation',
  表决: 'motion',
  motion: 'motion',
  推选: 'selection',
  选举: 'selection',
  selection: 'selection',
};

const SCALE_NAMES: Record<string, Scale> = { '3': 'three', 三: 'three', 三档: 'three', '4': 'four', 四: 'four', 四档: 'four' };

// The round builder's presets (withFraction).
const RULES: Record<string, 'majority' | 'two_thirds'> = {
  过半数: 'majority',
  majority: 'majority',
  三分之二以上: 'two_thirds',
  two_thirds: 'two_thirds',
};

const BASES: Record<string, MotionBase> = {
  应到人数: 'members',
  应到: 'members',
  全体组成人员: 'members',
  members: 'members',
  实到人数: 'present',
  实到: 'present',
  present: 'present',
  投票数: 'ballots',
  ballots: 'ballots',
};

const key = (value: string) => value.trim().toLowerCase();

/** Options written in one cell: separated by |, ｜, 、 or a line break inside the cell. */
export function splitOptions(cell: string): string[] {
  return cell
    .split(/[|｜、\r\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

interface Row {
  line: number;
  values: Record<AgendaColumn, string>;
}

interface Group {
  title: string;
  rows: Row[];
}

/** A round-level column (kind, scale, rule, base): the first row that fills it decides; a later
 *  row saying something else is a problem. Values are compared after normalising. */
function roundValue<T>(
  group: Group,
  column: AgendaColumn,
  normalise: (value: string) => T | undefined,
  bad: AgendaProblemCode,
  at: (line: number, code: AgendaProblemCode, params?: Record<string, string | number>) => void,
): T | undefined {
  let value: T | undefined;
  let first = 0;
  for (const row of group.rows) {
    const text = row.values[column].trim();
    if (text === '') continue;
    const v = normalise(text);
    if (v === undefined) {
      at(row.line, bad, { value: text });
    } else if (value === undefined) {
      value = v;
      first = row.line;
    } else if (v !== value) {
      at(row.line, 'conflict', { column, value: text, first });
    }
  }
  return value;
}

export function parseAgenda(text: string): Agenda {
  const table = parseCsv(text);
  const problems: AgendaProblem[] = table.problems.map((p) => ({ line: p.line, code: p.code, params: {} }));
  const at = (line: number | null, code: AgendaProblemCode, params: Record<string, string | number> = {}) =>
    problems.push({ line, code, params });
  const rounds: RoundSpec[] = [];
  const done = (): Agenda => {
    problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
    return { rounds: problems.length === 0 ? rounds : [], problems };
  };

  const header = table.rows[0];
  if (!header) {
    at(null, 'empty_agenda');
    return done();
  }
  const columns = header.fields.map((f) => HEADER_NAMES[key(f)]);
  if (columns.every((c) => c === undefined)) {
    at(header.line, 'missing_header', { header: AGENDA_HEADER_ZH });
    return done();
  }
  const seen = new Set<AgendaColumn>();
  columns.forEach((c, i) => {
    const label = header.fields[i]!.trim();
    if (c === undefined) {
      // An empty header cell after the last column is a spreadsheet's habit, not a column.
      if (label !== '') at(header.line, 'unknown_column', { header: label });
    } else if (seen.has(c)) at(header.line, 'duplicate_column', { header: label });
    else seen.add(c);
  });
  const named = header.fields.filter((f) => f.trim() !== '').length;
  for (const needed of ['round', 'kind', 'target'] as const) {
    if (!seen.has(needed)) at(header.line, 'missing_column', { column: needed });
  }

  // Rows → groups: consecutive rows with one round name are one round. An empty round name
  // continues the round above, as merged cells come out of a spreadsheet.
  const groups: Group[] = [];
  const firstLineOfTitle = new Map<string, number>();
  for (const row of table.rows.slice(1)) {
    const values = Object.fromEntries(AGENDA_COLUMNS.map((c) => [c, ''])) as Record<AgendaColumn, string>;
    row.fields.forEach((value, i) => {
      const c = columns[i];
      if (c !== undefined && values[c] === '') values[c] = value;
    });
    // Cells under a header that is not understood are that header's problem, already listed;
    // cells beyond the header, or under an empty header cell, would be lost without a word.
    const lost = row.fields.some((f, i) => f.trim() !== '' && (i >= columns.length || header.fields[i]!.trim() === ''));
    if (lost) at(row.line, 'too_many_fields', { count: row.fields.length, max: named });
    if (row.fields.every((f) => f.trim() === '')) continue; // a row of empty cells (",,,,")
    const title = values.round.trim();
    const last = groups[groups.length - 1];
    if (title === '' || (last && title === last.title)) {
      if (!last) {
        at(row.line, 'empty_round');
        continue;
      }
      last.rows.push({ line: row.line, values });
      continue;
    }
    const first = firstLineOfTitle.get(title);
    if (first !== undefined) at(row.line, 'round_repeated', { title, first });
    else firstLineOfTitle.set(title, row.line);
    groups.push({ title, rows: [{ line: row.line, values }] });
  }
  if (groups.length === 0 && !problems.some((p) => p.code === 'empty_round')) at(null, 'empty_agenda');
  if (groups.length > MAX_ROUNDS) at(null, 'too_many_rounds', { count: groups.length, max: MAX_ROUNDS });

  for (const group of groups) {
    const round = buildGroup(group, at);
    if (round) rounds.push(round);
  }
  return done();
}

function buildGroup(
  group: Group,
  at: (line: number | null, code: AgendaProblemCode, params?: Record<string, string | number>) => void,
): RoundSpec | null {
  const firstLine = group.rows[0]!.line;
  let problems = 0;
  const note = (line: number | null, code: AgendaProblemCode, params: Record<string, string | number> = {}) => {
    problems += 1;
    at(line, code, params);
  };

  // A kind that cannot be read, or two kinds in one round: the first one read is checked
  // against, so that the round's other problems are still listed.
  const kind = roundValue(group, 'kind', (v) => KINDS[key(v)], 'bad_kind', note);
  if (kind === undefined) {
    if (problems === 0) note(firstLine, 'empty_kind');
    return null;
  }

  // Columns that do not belong to this kind are probably a column slip: say so.
  const foreign: AgendaColumn[] =
    kind === 'evaluation' ? ['min', 'max', 'rule', 'base'] : kind === 'motion' ? ['scale', 'min', 'max'] : ['scale', 'base'];
  for (const row of group.rows) {
    for (const column of foreign) {
      if (row.values[column].trim() !== '') note(row.line, 'not_for_kind', { column, kind });
    }
  }

  // The builder's errors, moved to this file's lines. The draft's title is the round's, or a
  // selection contest's target, or (`skip`) the round's already checked.
  const build = (draft: RoundDraft, lineOf: number[], rowLine: number, title: TitleColumn): RoundSpec | null => {
    const b = buildRound(draft);
    if (b.ok) return b.round;
    for (const e of b.errors) {
      if (!(title === 'skip' && e.field === 'title')) mapRoundError(e, kind, title, lineOf, rowLine, firstLine, note);
    }
    return null;
  };

  if (kind === 'evaluation' || kind === 'motion') {
    // One row per target; options, when given, must be the builder's scale or motion options.
    let draft: RoundDraft = defaultDraft(kind);
    if (kind === 'evaluation') {
      const fromOptions = roundValue(
        group,
        'options',
        (v) => {
          const o = splitOptions(v).join('|');
          return o === SCALES.three.join('|') ? 'three' : o === SCALES.four.join('|') ? 'four' : undefined;
        },
        'bad_options',
        (line, code, params) => note(line, code, { ...params, kind }),
      );
      const fromScale = roundValue(group, 'scale', (v) => SCALE_NAMES[key(v)], 'bad_scale', note);
      if (fromOptions && fromScale && fromOptions !== fromScale) {
        const row = group.rows.find((r) => r.values.scale.trim() !== '')!;
        const first = group.rows.find((r) => r.values.options.trim() !== '')!.line;
        note(row.line, 'conflict', { column: 'scale', value: row.values.scale.trim(), first });
      }
      draft = withScale(draft, fromOptions ?? fromScale ?? 'three');
    } else {
      for (const row of group.rows) {
        const o = row.values.options.trim();
        if (o !== '' && splitOptions(o).join('|') !== MOTION_OPTIONS.join('|')) note(row.line, 'bad_options', { value: o, kind });
      }
      const rule = roundValue(group, 'rule', (v) => RULES[key(v)], 'bad_rule', note);
      const base = roundValue(group, 'base', (v) => BASES[key(v)], 'bad_base', note);
      if (rule) draft = withFraction(draft, rule);
      if (base) draft = { ...draft, base };
    }
    const targets: { line: number; text: string }[] = [];
    for (const row of group.rows) {
      const target = row.values.target.trim();
      if (target === '') note(row.line, 'empty_target');
      else if (/[\r\n]/.test(target)) note(row.line, 'line_break', { column: 'target' });
      else targets.push({ line: row.line, text: target });
    }
    if (targets.length === 0) return null;
    draft = { ...draft, title: group.title, contests: targets.map((x) => x.text).join('\n') };
    const round = build(
      draft,
      targets.map((x) => x.line),
      firstLine,
      'round',
    );
    return problems === 0 ? round : null;
  }

  // A selection: one row per contest (usually one), its candidates in the options cell. The
  // builder names the contest after the round; a target, when given, names it instead.
  build({ ...defaultDraft('selection'), title: group.title, contests: 'x' }, [], firstLine, 'round');
  const rule = roundValue(group, 'rule', (v) => RULES[key(v)], 'bad_rule', note);
  if (group.rows.length > MAX_CONTESTS) note(firstLine, 'too_many_targets', { count: group.rows.length, max: MAX_CONTESTS });
  const contests: RoundSpec['contests'] = [];
  const firstLineOfTarget = new Map<string, number>();
  let ruleSpec: RoundSpec['rule'] | null = null;
  for (const [k, row] of group.rows.entries()) {
    const target = row.values.target.trim();
    if (/[\r\n]/.test(target)) {
      note(row.line, 'line_break', { column: 'target' });
      continue;
    }
    const contestTitle = target === '' ? group.title : target;
    const first = firstLineOfTarget.get(contestTitle);
    if (first !== undefined) note(row.line, 'duplicate_target', { text: contestTitle, first });
    else firstLineOfTarget.set(contestTitle, row.line);
    const candidates = splitOptions(row.values.options);
    if (candidates.length === 0) {
      note(row.line, 'empty_options');
      continue;
    }
    let draft: RoundDraft = {
      ...defaultDraft('selection'),
      title: contestTitle,
      contests: candidates.join('\n'),
      min: row.values.min.trim() === '' ? '0' : row.values.min,
      max: row.values.max,
    };
    if (rule) draft = withFraction(draft, rule);
    const round = build(draft, [], row.line, target === '' ? 'skip' : 'target');
    const contest = round?.contests[0];
    if (!round || !contest) continue;
    ruleSpec = round.rule;
    contests.push({ ...contest, id: `s${k + 1}` });
  }
  if (problems > 0 || !ruleSpec) return null;
  return { title: group.title, kind: 'selection', contests, rule: ruleSpec };
}

// The builder's field errors, moved to the CSV line they come from: a target's line, the row of
// a selection's contest, or the round's first line.
type TitleColumn = 'round' | 'target' | 'skip';

function mapRoundError(
  e: RoundError,
  kind: RoundKind,
  title: TitleColumn,
  lineOf: number[],
  rowLine: number,
  firstLine: number,
  note: (line: number | null, code: AgendaProblemCode, params?: Record<string, string | number>) => void,
): void {
  const targetLine = (n: unknown) => (typeof n === 'number' ? (lineOf[n - 1] ?? rowLine) : rowLine);
  const selection = kind === 'selection';
  switch (e.field) {
    case 'title':
      if (title === 'target') note(rowLine, e.code === 'too_long' ? 'target_too_long' : 'bad_text', { column: 'target', max: e.params.max ?? '' });
      else note(firstLine, e.code === 'too_long' ? 'round_too_long' : 'bad_text', { column: 'round', max: e.params.max ?? '' });
      return;
    case 'contests':
      switch (e.code) {
        case 'too_many_contests':
          note(firstLine, 'too_many_targets', e.params);
          return;
        case 'too_many_options':
          note(rowLine, 'too_many_options', e.params);
          return;
        case 'line_too_long':
          if (selection) note(rowLine, 'option_too_long', { max: e.params.max ?? '' });
          else note(targetLine(e.params.line), 'target_too_long', { max: e.params.max ?? '' });
          return;
        case 'line_bad_text':
          note(selection ? rowLine : targetLine(e.params.line), 'bad_text', { column: selection ? 'options' : 'target' });
          return;
        case 'duplicate_line':
          if (selection) note(rowLine, 'duplicate_option', { text: e.params.text ?? '' });
          else note(targetLine(e.params.line), 'duplicate_target', { text: e.params.text ?? '', first: targetLine(e.params.first) });
          return;
        default:
          note(rowLine, selection ? 'empty_options' : 'empty_target');
          return;
      }
    case 'min':
    case 'max': {
      const code: AgendaProblemCode =
        e.code === 'max_zero' || e.code === 'max_above_options' || e.code === 'min_above_max' || e.code === 'required' || e.code === 'too_large'
          ? e.code
          : 'not_integer';
      note(rowLine, code, { column: e.field, ...e.params });
      return;
    }
    default:
      // The rule's fields come from presets and the scale's defaults, which always build.
      note(firstLine, 'bad_rule', { value: e.field });
  }
}

/** The template offered for download: the header and one example of each kind, with a BOM so
 *  that Excel opens it as UTF-8 (the reader drops the BOM). */
export function agendaTemplateCsv(): string {
  const lines = [
    AGENDA_HEADER_ZH,
    '对政府组成部门的满意度测评,测评,县教育局,,3,,,,',
    '对政府组成部门的满意度测评,测评,县卫生健康局,,3,,,,',
    '关于某某事项的表决,表决,关于某某事项的决定,,,,,三分之二以上,实到人数',
    '推选明年述职的部门负责人,推选,,周明|吴刚|郑丽|孙强,,0,2,,',
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
