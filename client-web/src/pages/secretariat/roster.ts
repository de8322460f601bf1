// The roster import: CSV text → members, with every problem found, per line, before anything is
// sent. The checks are the server's (docs/PROTOCOL.md §4 POST /api/sessions: ids of 1 to 64 UTF-8
// bytes, unique, never "server"; names and seats at most 1,024 bytes; at most 10,000 members)
// plus the ones only a person can act on (an empty name, a scrutineer column that says neither
// yes nor no).

import { csvField, parseCsv, type CsvProblemCode } from './csv';

export interface RosterMember {
  line: number;
  id: string;
  name: string;
  seat: string;
  scrutineer: boolean;
}

export type RosterProblemCode =
  | CsvProblemCode
  | 'empty_id'
  | 'id_too_long'
  | 'id_reserved'
  | 'duplicate_id'
  | 'empty_name'
  | 'name_too_long'
  | 'seat_too_long'
  | 'bad_text'
  | 'bad_scrutineer'
  | 'too_many_fields'
  | 'unknown_column'
  | 'duplicate_column'
  | 'missing_column'
  | 'empty_roster'
  | 'too_many_members';

export interface RosterProblem {
  /** The line in the CSV text; null for a problem of the roster as a whole. */
  line: number | null;
  code: RosterProblemCode;
  params: Record<string, string | number>;
}

export interface Roster {
  members: RosterMember[];
  problems: RosterProblem[];
  /** True when the first line was recognised as a header. */
  header: boolean;
}

export const MAX_MEMBERS = 10000;
export const MAX_ID_BYTES = 64;
export const MAX_TEXT_BYTES = 1024;
export const RESERVED_ID = 'server';

type Column = 'id' | 'name' | 'seat' | 'scrutineer';
const DEFAULT_COLUMNS: Column[] = ['id', 'name', 'seat', 'scrutineer'];

// Header names, compared after trimming and lower-casing.
const HEADER_NAMES: Record<string, Column> = {
  id: 'id',
  编号: 'id',
  name: 'name',
  姓名: 'name',
  seat: 'seat',
  座位: 'seat',
  座位号: 'seat',
  scrutineer: 'scrutineer',
  监票人: 'scrutineer',
};

const YES = new Set(['1', '是', 'yes', 'true', 'y']);
const NO = new Set(['', '0', '否', 'no', 'false', 'n']);

const encoder = new TextEncoder();
export function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

// A lone surrogate cannot be encoded as UTF-8; the server would refuse the text.
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** 1/是/yes/true/Y → true, 0/否/no/false/N or empty → false, anything else → null. */
export function parseScrutineer(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  return null;
}

function headerColumns(fields: string[]): Column[] | null {
  const known = fields.map((f) => HEADER_NAMES[f.trim().toLowerCase()]);
  return known.some((c) => c !== undefined) ? (known as Column[]) : null;
}

export function parseRoster(text: string): Roster {
  const table = parseCsv(text);
  const problems: RosterProblem[] = table.problems.map((p) => ({ line: p.line, code: p.code, params: {} }));
  const members: RosterMember[] = [];
  let rows = table.rows;
  let columns: (Column | undefined)[] = DEFAULT_COLUMNS;
  let header = false;

  const first = rows[0];
  const fromHeader = first ? headerColumns(first.fields) : null;
  if (first && fromHeader) {
    header = true;
    rows = rows.slice(1);
    columns = first.fields.map((f) => HEADER_NAMES[f.trim().toLowerCase()]);
    const seen = new Set<Column>();
    columns.forEach((c, i) => {
      const label = first.fields[i]!.trim();
      if (c === undefined) {
        problems.push({ line: first.line, code: 'unknown_column', params: { column: label } });
      } else if (seen.has(c)) {
        problems.push({ line: first.line, code: 'duplicate_column', params: { column: label } });
      } else {
        seen.add(c);
      }
    });
    for (const needed of ['id', 'name'] as const) {
      if (!seen.has(needed)) problems.push({ line: first.line, code: 'missing_column', params: { column: needed } });
    }
  }

  const firstLineOfId = new Map<string, number>();
  for (const row of rows) {
    const values: Partial<Record<Column, string>> = {};
    row.fields.forEach((value, i) => {
      const c = columns[i];
      if (c !== undefined && values[c] === undefined) values[c] = value;
    });
    if (row.fields.length > columns.length) {
      // A trailing empty field is a spreadsheet's habit ("m01,张伟,1,是,"), not a fifth column.
      const extra = row.fields.slice(columns.length);
      if (extra.some((f) => f.trim() !== '')) {
        problems.push({ line: row.line, code: 'too_many_fields', params: { count: row.fields.length, max: columns.length } });
      }
    }
    const id = (values.id ?? '').trim();
    const name = (values.name ?? '').trim();
    const seat = (values.seat ?? '').trim();
    const flag = values.scrutineer ?? '';
    const at = (code: RosterProblemCode, params: Record<string, string | number> = {}) =>
      problems.push({ line: row.line, code, params });

    if (id === '') at('empty_id');
    else if (!isWellFormed(id)) at('bad_text', { field: 'id' });
    else if (utf8Length(id) > MAX_ID_BYTES) at('id_too_long', { id, max: MAX_ID_BYTES });
    else if (id === RESERVED_ID) at('id_reserved', { id });
    else if (firstLineOfId.has(id)) at('duplicate_id', { id, first: firstLineOfId.get(id)! });
    else firstLineOfId.set(id, row.line);

    if (name === '') at('empty_name');
    else if (!isWellFormed(name)) at('bad_text', { field: 'name' });
    else if (utf8Length(name) > MAX_TEXT_BYTES) at('name_too_long', { max: MAX_TEXT_BYTES });

    if (!isWellFormed(seat)) at('bad_text', { field: 'seat' });
    else if (utf8Length(seat) > MAX_TEXT_BYTES) at('seat_too_long', { max: MAX_TEXT_BYTES });

    const scrutineer = parseScrutineer(flag);
    if (scrutineer === null) at('bad_scrutineer', { value: flag.trim() });

    members.push({ line: row.line, id, name, seat, scrutineer: scrutineer === true });
  }

  if (members.length === 0) problems.push({ line: null, code: 'empty_roster', params: {} });
  if (members.length > MAX_MEMBERS) {
    problems.push({ line: null, code: 'too_many_members', params: { count: members.length, max: MAX_MEMBERS } });
  }
  problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  return { members, problems, header };
}

/** The problems of one line (for the table's per-row cell). */
export function problemsOnLine(roster: Roster, line: number): RosterProblem[] {
  return roster.problems.filter((p) => p.line === line);
}

/** A roster as CSV text with a Chinese header, which parseRoster reads back to the same members
 *  (the session file fills the roster box with it, so that it can be edited and read again). */
export function rosterCsvText(members: { id: string; name: string; seat: string; scrutineer: boolean }[]): string {
  const lines = ['编号,姓名,座位,监票人'];
  for (const m of members) lines.push([m.id, m.name, m.seat, m.scrutineer ? '是' : ''].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
