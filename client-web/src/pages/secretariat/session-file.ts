// The session file: the JSON body of POST /api/sessions (docs/PROTOCOL.md §4), kept by a
// secretariat from one meeting to the next. Reading it fills the form for review, never sends
// anything; it is read as strictly as the server decodes the request (an unknown, missing,
// repeated or mistyped field is refused, naming its path) plus the form's own checks, and every
// problem names the line it sits on. Writing it is the request the form would send.

import { decodeCsvBytes } from './csv';
import {
  JsonSyntaxError,
  locatePath,
  mapJsonSource,
  pathIndex,
  pathKey,
  positionAt,
  syntaxErrorPosition,
  type JsonSourceMap,
  type SourcePosition,
} from './json-source';
import { isWellFormed, MAX_ID_BYTES, MAX_MEMBERS, MAX_TEXT_BYTES, RESERVED_ID, rosterCsvText, utf8Length } from './roster';
import { MAX_CONTESTS, MAX_OPTIONS, MAX_WEIGHT, SCALE_DEFAULTS, type ContestSpec, type MotionBase, type RoundKind, type RoundSpec } from './rounds';
import { isRealDate, MAX_ROUNDS, type SessionDraft, type SessionRequest } from './session';

export type SessionFileProblemCode =
  | 'not_utf8'
  | 'syntax'
  | 'duplicate_key'
  | 'wrong_type'
  | 'unknown_field'
  | 'missing_field'
  | 'not_uint'
  | 'required'
  | 'too_long'
  | 'bad_text'
  | 'id_length'
  | 'id_reserved'
  | 'duplicate'
  | 'not_member'
  | 'bad_date'
  | 'bad_kind'
  | 'bad_base'
  | 'empty'
  | 'too_many'
  | 'positive'
  | 'quorum_not_below_one'
  | 'num_above_den'
  | 'max_above_options'
  | 'min_above_max'
  | 'max_zero'
  | 'options_differ'
  | 'must_be_one'
  | 'out_of_range'
  | 'weights_count'
  | 'weight_too_large';

export interface SessionFileProblem {
  /** Where the problem is; null when it cannot be found (then `path` alone says where). */
  line: number | null;
  column: number | null;
  /** The field, as the server names it ("members[3].name"); null for the file as a whole. */
  path: string | null;
  code: SessionFileProblemCode;
  /** `expected` (wrong_type) is a JsonType. */
  params: Record<string, string | number>;
}

export type JsonType = 'string' | 'integer' | 'boolean' | 'array' | 'object';

export interface SessionMember {
  id: string;
  name: string;
  seat: string;
  scrutineer: boolean;
}

/** What the form holds: its fields, the roster and the agenda. */
export interface SessionSetup {
  draft: SessionDraft;
  members: SessionMember[];
  rounds: RoundSpec[];
}

export type SessionFileRead = { ok: true; setup: SessionSetup } | { ok: false; problems: SessionFileProblem[] };

const MAX_U32 = 4294967295;
const KINDS: RoundKind[] = ['evaluation', 'motion', 'selection'];
const BASES: MotionBase[] = ['members', 'present', 'ballots'];

/** The request as a file: pretty-printed, so that it can be read and diffed, and so that a problem
 *  found when it is read back names a useful line. */
export function sessionFileText(body: SessionRequest): string {
  return `${JSON.stringify(body, null, 2)}\n`;
}

export function sessionFileName(date: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : 'session';
  return `pingyi-session-${day}.json`;
}

/** The roster box's text for a setup's members. */
export function setupRosterCsv(setup: SessionSetup): string {
  return rosterCsvText(setup.members);
}

export function readSessionFile(bytes: Uint8Array): SessionFileRead {
  const decoded = decodeCsvBytes(bytes);
  if (!decoded.ok) return { ok: false, problems: [{ line: null, column: null, path: null, code: 'not_utf8', params: {} }] };
  return readSessionText(decoded.text);
}

export function readSessionText(input: string): SessionFileRead {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [syntaxProblem(e, text)] };
  }
  let map: JsonSourceMap = { values: new Map(), duplicates: [] };
  try {
    map = mapJsonSource(text);
  } catch {
    // Only a file nested deeper than the stack allows gets here; its problems name paths only.
  }
  const checker = new Checker(text, map);
  for (const d of map.duplicates) checker.problemAt(d.path, positionAt(text, d.offset), 'duplicate_key');
  const setup = checker.session(value);
  const problems = checker.problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  if (problems.length > 0 || !setup) return { ok: false, problems };
  return { ok: true, setup };
}

// JSON.parse's message gives the position in most cases; when it does not (V8's "Unexpected
// token 'x', "…" is not valid JSON"), the source map's walk finds the same spot.
function syntaxProblem(e: unknown, text: string): SessionFileProblem {
  const message = e instanceof Error ? e.message : String(e);
  let at: SourcePosition | null = syntaxErrorPosition(message, text);
  if (!at) {
    try {
      mapJsonSource(text);
    } catch (walk) {
      if (walk instanceof JsonSyntaxError) at = positionAt(text, walk.offset);
    }
  }
  return { line: at?.line ?? null, column: at?.column ?? null, path: null, code: 'syntax', params: { detail: message } };
}

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: SessionFileProblem[] = [];

  constructor(
    private readonly source: string,
    private readonly map: JsonSourceMap,
  ) {}

  problemAt(path: string, at: SourcePosition | null, code: SessionFileProblemCode, params: Record<string, string | number> = {}): void {
    this.problems.push({ line: at?.line ?? null, column: at?.column ?? null, path, code, params });
  }

  problem(path: string, code: SessionFileProblemCode, params: Record<string, string | number> = {}): void {
    this.problemAt(path, locatePath(this.source, this.map, path), code, params);
  }

  // ---- values -------------------------------------------------------------------------------

  private wrongType(path: string, expected: JsonType): void {
    this.problem(path, 'wrong_type', { expected });
  }

  object(value: unknown, path: string, required: string[], optional: string[]): Obj | null {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.wrongType(path, 'object');
      return null;
    }
    const o = value as Obj;
    for (const k of Object.keys(o)) {
      if (!required.includes(k) && !optional.includes(k)) this.problem(pathKey(path, k), 'unknown_field');
    }
    let complete = true;
    for (const k of required) {
      if (!(k in o)) {
        // A missing field has no line of its own: its object's line is the nearest.
        this.problemAt(pathKey(path, k), locatePath(this.source, this.map, path), 'missing_field');
        complete = false;
      }
    }
    return complete ? o : null;
  }

  array(value: unknown, path: string, max: number): unknown[] | null {
    if (!Array.isArray(value)) {
      this.wrongType(path, 'array');
      return null;
    }
    if (value.length > max) {
      this.problem(path, 'too_many', { count: value.length, max });
      return null;
    }
    return value;
  }

  string(value: unknown, path: string): string | null {
    if (typeof value !== 'string') {
      this.wrongType(path, 'string');
      return null;
    }
    return value;
  }

  /** Text as the form takes it: trimmed, well-formed, at most 1,024 bytes. */
  text(value: unknown, path: string, required: boolean): string | null {
    const s = this.string(value, path);
    if (s === null) return null;
    const v = s.trim();
    if (v === '' && required) this.problem(path, 'required');
    else if (!isWellFormed(v)) this.problem(path, 'bad_text');
    else if (utf8Length(v) > MAX_TEXT_BYTES) this.problem(path, 'too_long', { max: MAX_TEXT_BYTES });
    else return v;
    return null;
  }

  id(value: unknown, path: string): string | null {
    const s = this.string(value, path);
    if (s === null) return null;
    const v = s.trim();
    if (!isWellFormed(v)) this.problem(path, 'bad_text');
    else if (v === '' || utf8Length(v) > MAX_ID_BYTES) this.problem(path, 'id_length', { max: MAX_ID_BYTES });
    else return v;
    return null;
  }

  /** A JSON integer from 0 to 2^32 − 1, written as one: JSON.parse reads 1.0 and 1e0 as 1, the
   *  server refuses them as floats, so the literal itself is looked at. */
  uint(value: unknown, path: string): number | null {
    if (typeof value !== 'number') {
      this.wrongType(path, 'integer');
      return null;
    }
    const offset = this.map.values.get(path);
    const literal = offset === undefined ? null : /^-?\d+(?![.eE\d])/.exec(this.source.slice(offset, offset + 32));
    if (!Number.isInteger(value) || value < 0 || value > MAX_U32 || (offset !== undefined && literal === null)) {
      this.problem(path, 'not_uint');
      return null;
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean | null {
    if (typeof value !== 'boolean') {
      this.wrongType(path, 'boolean');
      return null;
    }
    return value;
  }

  // ---- the request --------------------------------------------------------------------------

  session(value: unknown): SessionSetup | null {
    const o = this.object(value, '', ['title', 'committee', 'date', 'members'], ['scrutineers', 'rounds', 'quorum']);
    if (!o) {
      // Still check what is there, so that one pass lists everything.
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) this.fields(value as Obj);
      return null;
    }
    return this.fields(o);
  }

  private fields(o: Obj): SessionSetup | null {
    const before = this.problems.length;
    const title = 'title' in o ? this.text(o.title, 'title', true) : null;
    const committee = 'committee' in o ? this.text(o.committee, 'committee', true) : null;
    let date: string | null = null;
    if ('date' in o) {
      date = this.text(o.date, 'date', true);
      if (date !== null && !isRealDate(date)) {
        this.problem('date', 'bad_date');
        date = null;
      }
    }
    const roster = 'members' in o ? this.members(o.members) : null;
    const members = roster?.complete ? roster.members : null;
    const scrutineers = 'scrutineers' in o ? this.scrutineers(o.scrutineers, roster ? roster.ids : null) : new Set<string>();
    let quorum = { num: 1, den: 2 };
    if ('quorum' in o) {
      const q = this.quorum(o.quorum);
      if (q) quorum = q;
    }
    const rounds: RoundSpec[] = [];
    if ('rounds' in o) {
      const list = this.array(o.rounds, 'rounds', MAX_ROUNDS);
      list?.forEach((r, k) => {
        const round = this.round(r, pathIndex('rounds', k));
        if (round) rounds.push(round);
      });
    }
    if (this.problems.length > before || title === null || committee === null || date === null || !members || !scrutineers) return null;
    return {
      draft: { title, committee, date, quorumNum: String(quorum.num), quorumDen: String(quorum.den) },
      members: members.map((m) => ({ ...m, scrutineer: scrutineers.has(m.id) })),
      rounds,
    };
  }

  /** The members, complete when every one of them is right; `ids` holds every id that could be
   *  read, so that the scrutineers are checked against them even when a name is wrong. */
  private members(value: unknown): { members: Omit<SessionMember, 'scrutineer'>[]; ids: Set<string>; complete: boolean } | null {
    const list = this.array(value, 'members', MAX_MEMBERS);
    if (!list) return null;
    if (list.length === 0) this.problem('members', 'empty');
    const members: Omit<SessionMember, 'scrutineer'>[] = [];
    const firstPathOfId = new Map<string, string>();
    let complete = true;
    list.forEach((item, i) => {
      const at = pathIndex('members', i);
      const m = this.object(item, at, ['id', 'name'], ['seat']);
      if (!m) {
        complete = false;
        return;
      }
      let id = this.id(m.id, pathKey(at, 'id'));
      if (id === RESERVED_ID) {
        this.problem(pathKey(at, 'id'), 'id_reserved');
        id = null;
      } else if (id !== null) {
        const first = firstPathOfId.get(id);
        if (first !== undefined) {
          this.problem(pathKey(at, 'id'), 'duplicate', { value: id, first });
          id = null;
        } else firstPathOfId.set(id, at);
      }
      const name = this.text(m.name, pathKey(at, 'name'), true);
      const seat = 'seat' in m ? this.text(m.seat, pathKey(at, 'seat'), false) : '';
      if (id === null || name === null || seat === null) complete = false;
      else members.push({ id, name, seat });
    });
    return { members, ids: new Set(firstPathOfId.keys()), complete: complete && list.length > 0 };
  }

  private scrutineers(value: unknown, ids: Set<string> | null): Set<string> | null {
    const list = this.array(value, 'scrutineers', MAX_MEMBERS);
    if (!list) return null;
    const seen = new Map<string, string>();
    let complete = true;
    list.forEach((item, i) => {
      const at = pathIndex('scrutineers', i);
      const id = this.id(item, at);
      if (id === null) complete = false;
      else if (seen.has(id)) {
        this.problem(at, 'duplicate', { value: id, first: seen.get(id)! });
        complete = false;
      } else {
        seen.set(id, at);
        // Without a readable roster, "not a member" would be a guess.
        if (ids && !ids.has(id)) {
          this.problem(at, 'not_member', { value: id });
          complete = false;
        }
      }
    });
    return complete ? new Set(seen.keys()) : null;
  }

  private quorum(value: unknown): { num: number; den: number } | null {
    const q = this.object(value, 'quorum', ['num', 'den'], []);
    if (!q) return null;
    const num = this.uint(q.num, 'quorum.num');
    const den = this.uint(q.den, 'quorum.den');
    if (num === 0) this.problem('quorum.num', 'positive');
    if (den === 0) this.problem('quorum.den', 'positive');
    if (num === null || den === null || num === 0 || den === 0) return null;
    if (num >= den) {
      this.problem('quorum.num', 'quorum_not_below_one');
      return null;
    }
    return { num, den };
  }

  private round(value: unknown, path: string): RoundSpec | null {
    const o = this.object(value, path, ['title', 'kind', 'contests'], ['rule']);
    if (!o) return null;
    const before = this.problems.length;
    const title = this.text(o.title, pathKey(path, 'title'), true);
    const kindText = this.string(o.kind, pathKey(path, 'kind'));
    const kind = KINDS.find((k) => k === kindText);
    if (kindText !== null && !kind) this.problem(pathKey(path, 'kind'), 'bad_kind', { value: kindText });
    const contestsPath = pathKey(path, 'contests');
    const list = this.array(o.contests, contestsPath, MAX_CONTESTS);
    const contests: ContestSpec[] = [];
    if (list && list.length === 0) this.problem(contestsPath, 'empty');
    const firstPathOfId = new Map<string, string>();
    list?.forEach((item, k) => {
      const c = this.contest(item, pathIndex(contestsPath, k), kind);
      if (!c) return;
      const first = firstPathOfId.get(c.id);
      if (first !== undefined) this.problem(pathKey(pathIndex(contestsPath, k), 'id'), 'duplicate', { value: c.id, first });
      else firstPathOfId.set(c.id, pathIndex(contestsPath, k));
      contests.push(c);
    });
    if (kind === 'evaluation' && list && contests.length === list.length) {
      // §3.7: one scale for the whole round.
      const scale = contests[0]?.options.join('\u0000');
      contests.forEach((c, k) => {
        if (k > 0 && c.options.join('\u0000') !== scale) this.problem(pathKey(pathIndex(contestsPath, k), 'options'), 'options_differ');
      });
    }
    if (title === null || !kind || !list || this.problems.length > before) return null;
    const rule = this.rule('rule' in o ? o.rule : {}, pathKey(path, 'rule'), kind, contests[0]?.options.length ?? 0);
    if (!rule) return null;
    return { title, kind, contests, rule };
  }

  private contest(value: unknown, path: string, kind: RoundKind | undefined): ContestSpec | null {
    const o = this.object(value, path, ['id', 'title', 'options', 'min', 'max'], []);
    if (!o) return null;
    const before = this.problems.length;
    const id = this.id(o.id, pathKey(path, 'id'));
    const title = this.text(o.title, pathKey(path, 'title'), true);
    const optionsPath = pathKey(path, 'options');
    const list = this.array(o.options, optionsPath, MAX_OPTIONS);
    const options: string[] = [];
    if (list && list.length === 0) this.problem(optionsPath, 'empty');
    const firstPathOfOption = new Map<string, string>();
    list?.forEach((item, i) => {
      const at = pathIndex(optionsPath, i);
      const label = this.text(item, at, true);
      if (label === null) return;
      const first = firstPathOfOption.get(label);
      if (first !== undefined) this.problem(at, 'duplicate', { value: label, first });
      else firstPathOfOption.set(label, at);
      options.push(label);
    });
    const min = this.uint(o.min, pathKey(path, 'min'));
    const max = this.uint(o.max, pathKey(path, 'max'));
    if (kind === 'evaluation') {
      if (min !== null && min !== 1) this.problem(pathKey(path, 'min'), 'must_be_one');
      if (max !== null && max !== 1) this.problem(pathKey(path, 'max'), 'must_be_one');
    }
    if (max !== null && list && max > list.length) this.problem(pathKey(path, 'max'), 'max_above_options', { options: list.length });
    else if (max === 0 && kind === 'selection') this.problem(pathKey(path, 'max'), 'max_zero');
    else if (min !== null && max !== null && min > max) this.problem(pathKey(path, 'min'), 'min_above_max');
    if (id === null || title === null || min === null || max === null || this.problems.length > before) return null;
    return { id, title, options, min, max };
  }

  // The rule with the server's defaults filled in (server/core rules.hpp), so that what is sent
  // says every key: the same request the round builder makes.
  private rule(value: unknown, path: string, kind: RoundKind, options: number): RoundSpec['rule'] | null {
    const before = this.problems.length;
    if (kind === 'evaluation') {
      const o = this.object(value, path, [], ['pass_grades', 'weights']);
      if (!o) return null;
      let pass = SCALE_DEFAULTS.three.passGrades;
      if ('pass_grades' in o) pass = this.uint(o.pass_grades, pathKey(path, 'pass_grades')) ?? pass;
      if (this.problems.length === before && (pass < 1 || pass > options)) this.problem(pathKey(path, 'pass_grades'), 'out_of_range', { min: 1, max: options });
      let weights: number[] | null = options === 3 ? [...SCALE_DEFAULTS.three.weights] : null;
      if ('weights' in o) weights = o.weights === null ? null : this.weights(o.weights, pathKey(path, 'weights'), options);
      if (this.problems.length > before) return null;
      return { pass_grades: pass, weights };
    }
    const keys = kind === 'motion' ? ['base', 'num', 'den', 'inclusive'] : ['num', 'den', 'inclusive'];
    const o = this.object(value, path, [], keys);
    if (!o) return null;
    let base: MotionBase = 'members';
    if ('base' in o) {
      const b = this.string(o.base, pathKey(path, 'base'));
      const found = BASES.find((x) => x === b);
      if (b !== null && !found) this.problem(pathKey(path, 'base'), 'bad_base', { value: b });
      if (found) base = found;
    }
    let num = 1;
    let den = 2;
    let inclusive = false;
    if ('num' in o) num = this.uint(o.num, pathKey(path, 'num')) ?? num;
    if ('den' in o) den = this.uint(o.den, pathKey(path, 'den')) ?? den;
    if ('inclusive' in o) inclusive = this.boolean(o.inclusive, pathKey(path, 'inclusive')) ?? inclusive;
    if (this.problems.length === before) {
      if (num === 0) this.problem(pathKey(path, 'num'), 'positive');
      if (den === 0) this.problem(pathKey(path, 'den'), 'positive');
      if (num > 0 && den > 0 && num > den) this.problem(pathKey(path, 'num'), 'num_above_den');
    }
    if (this.problems.length > before) return null;
    return kind === 'motion' ? { base, num, den, inclusive } : { num, den, inclusive };
  }

  private weights(value: unknown, path: string, options: number): number[] | null {
    const list = this.array(value, path, MAX_OPTIONS);
    if (!list) return null;
    const weights: number[] = [];
    list.forEach((w, i) => {
      const v = this.uint(w, pathIndex(path, i));
      if (v !== null && v > MAX_WEIGHT) this.problem(pathIndex(path, i), 'weight_too_large', { max: MAX_WEIGHT });
      else if (v !== null) weights.push(v);
    });
    if (weights.length !== list.length) return null;
    if (list.length !== options) {
      this.problem(path, 'weights_count', { count: list.length, options });
      return null;
    }
    return weights;
  }
}
