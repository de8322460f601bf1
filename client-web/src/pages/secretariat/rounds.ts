// The round builder: what the secretariat types in the form (a draft of strings) → the exact
// round object of POST /api/sessions and POST …/rounds (docs/PROTOCOL.md §4), or the errors of
// each field. The checks are the server's (DESIGN.md §3.7 ranges; server/core/src/rules.cpp and
// session_engine.cpp validate_round) plus a few that only catch a person's slip (a target listed
// twice, a selection with max 0).

import { isWellFormed, MAX_TEXT_BYTES, utf8Length } from './roster';

export type RoundKind = 'evaluation' | 'motion' | 'selection';
export type Scale = 'three' | 'four';
export type MotionBase = 'members' | 'present' | 'ballots';

export interface RoundDraft {
  kind: RoundKind;
  title: string;
  /** One target, motion or candidate per line. */
  contests: string;
  scale: Scale;
  passGrades: string;
  /** "100, 60, 0"; empty for no weights (then targets are ranked by 满意率). */
  weights: string;
  base: MotionBase;
  num: string;
  den: string;
  inclusive: boolean;
  min: string;
  max: string;
}

export interface ContestSpec {
  id: string;
  title: string;
  options: string[];
  min: number;
  max: number;
}

export interface EvaluationRule {
  pass_grades: number;
  weights: number[] | null;
}
export interface MotionRule {
  base: MotionBase;
  num: number;
  den: number;
  inclusive: boolean;
}
export interface SelectionRule {
  num: number;
  den: number;
  inclusive: boolean;
}

export interface RoundSpec {
  title: string;
  kind: RoundKind;
  contests: ContestSpec[];
  rule: EvaluationRule | MotionRule | SelectionRule;
}

export type RoundField = 'title' | 'contests' | 'passGrades' | 'weights' | 'num' | 'den' | 'min' | 'max';

export type RoundErrorCode =
  | 'required'
  | 'too_long'
  | 'bad_text'
  | 'not_integer'
  | 'too_large'
  | 'out_of_range'
  | 'num_above_den'
  | 'positive'
  | 'no_contests'
  | 'too_many_contests'
  | 'too_many_options'
  | 'line_too_long'
  | 'line_bad_text'
  | 'duplicate_line'
  | 'weights_count'
  | 'weight_too_large'
  | 'min_above_max'
  | 'max_above_options'
  | 'max_zero';

export interface RoundError {
  field: RoundField;
  code: RoundErrorCode;
  params: Record<string, string | number>;
}

export type RoundBuild = { ok: true; round: RoundSpec } | { ok: false; errors: RoundError[] };

// The scales of DESIGN.md §1. Labels are the ballot paper's words and go on the chain as they are.
export const SCALES: Record<Scale, string[]> = {
  three: ['满意', '基本满意', '不满意'],
  four: ['优秀', '称职', '基本称职', '不称职'],
};
export const MOTION_OPTIONS = ['赞成', '反对', '弃权'];

// §3.7 defaults for three grades (满意 + 基本满意 pass; 100/60/0). For four grades the design
// gives none; ours: 优秀 and 称职 pass (the same "first two grades" reading, so 满意率 is the
// share of 优秀 + 称职), weights 100/80/60/0 — even steps above 不称职 at 0. The form says so.
export const SCALE_DEFAULTS: Record<Scale, { passGrades: number; weights: number[] }> = {
  three: { passGrades: 2, weights: [100, 60, 0] },
  four: { passGrades: 2, weights: [100, 80, 60, 0] },
};

export const MAX_CONTESTS = 100;
export const MAX_OPTIONS = 1000;
export const MAX_WEIGHT = 1_000_000;
const MAX_U32 = 4294967295;

export function defaultDraft(kind: RoundKind = 'evaluation'): RoundDraft {
  return {
    kind,
    title: '',
    contests: '',
    scale: 'three',
    passGrades: String(SCALE_DEFAULTS.three.passGrades),
    weights: SCALE_DEFAULTS.three.weights.join(', '),
    base: 'members',
    num: '1',
    den: '2',
    inclusive: false,
    min: '0',
    max: '1',
  };
}

/** The draft with a scale's default pass_grades and weights (when the scale is switched). */
export function withScale(draft: RoundDraft, scale: Scale): RoundDraft {
  return {
    ...draft,
    scale,
    passGrades: String(SCALE_DEFAULTS[scale].passGrades),
    weights: SCALE_DEFAULTS[scale].weights.join(', '),
  };
}

/** 过半数 (more than 1/2) and 三分之二以上 (2/3 or more, inclusive). */
export function withFraction(draft: RoundDraft, preset: 'majority' | 'two_thirds'): RoundDraft {
  return preset === 'majority'
    ? { ...draft, num: '1', den: '2', inclusive: false }
    : { ...draft, num: '2', den: '3', inclusive: true };
}

type IntResult = { ok: true; value: number } | { ok: false; code: RoundErrorCode };

/** A non-negative decimal integer that fits the server's 32-bit fields. */
export function parseUint(text: string): IntResult {
  const t = text.trim();
  if (t === '') return { ok: false, code: 'required' };
  if (!/^\d+$/.test(t)) return { ok: false, code: 'not_integer' };
  const value = Number(t);
  if (!Number.isSafeInteger(value) || value > MAX_U32) return { ok: false, code: 'too_large' };
  return { ok: true, value };
}

/** The non-empty lines of a textarea, trimmed, with their line numbers (1-based). */
export function contestLines(text: string): { line: number; text: string }[] {
  return text
    .split(/\r\n|\n|\r/)
    .map((t, i) => ({ line: i + 1, text: t.trim() }))
    .filter((l) => l.text !== '');
}

function checkText(field: RoundField, value: string, errors: RoundError[], required: boolean): void {
  if (value === '') {
    if (required) errors.push({ field, code: 'required', params: {} });
  } else if (!isWellFormed(value)) {
    errors.push({ field, code: 'bad_text', params: {} });
  } else if (utf8Length(value) > MAX_TEXT_BYTES) {
    errors.push({ field, code: 'too_long', params: { max: MAX_TEXT_BYTES } });
  }
}

// num/den of a motion or selection rule: both positive, num ≤ den (DESIGN.md §3.7).
function fraction(draft: RoundDraft, errors: RoundError[]): { num: number; den: number } | null {
  const num = parseUint(draft.num);
  const den = parseUint(draft.den);
  if (!num.ok) errors.push({ field: 'num', code: num.code, params: {} });
  else if (num.value === 0) errors.push({ field: 'num', code: 'positive', params: {} });
  if (!den.ok) errors.push({ field: 'den', code: den.code, params: {} });
  else if (den.value === 0) errors.push({ field: 'den', code: 'positive', params: {} });
  if (!num.ok || !den.ok || num.value === 0 || den.value === 0) return null;
  if (num.value > den.value) {
    errors.push({ field: 'num', code: 'num_above_den', params: {} });
    return null;
  }
  return { num: num.value, den: den.value };
}

function parseWeights(text: string, options: number, errors: RoundError[]): number[] | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  const parts = t.split(/[,，、\s]+/).filter((p) => p !== '');
  const weights: number[] = [];
  for (const p of parts) {
    const w = parseUint(p);
    if (!w.ok) {
      errors.push({ field: 'weights', code: w.code === 'too_large' ? 'weight_too_large' : 'not_integer', params: { value: p, max: MAX_WEIGHT } });
      return undefined;
    }
    if (w.value > MAX_WEIGHT) {
      errors.push({ field: 'weights', code: 'weight_too_large', params: { value: p, max: MAX_WEIGHT } });
      return undefined;
    }
    weights.push(w.value);
  }
  if (weights.length !== options) {
    errors.push({ field: 'weights', code: 'weights_count', params: { count: weights.length, options } });
    return undefined;
  }
  return weights;
}

export function buildRound(draft: RoundDraft): RoundBuild {
  const errors: RoundError[] = [];
  const title = draft.title.trim();
  checkText('title', title, errors, true);

  const lines = contestLines(draft.contests);
  const limit = draft.kind === 'selection' ? MAX_OPTIONS : MAX_CONTESTS;
  if (lines.length === 0) errors.push({ field: 'contests', code: 'no_contests', params: {} });
  if (lines.length > limit) {
    errors.push({
      field: 'contests',
      code: draft.kind === 'selection' ? 'too_many_options' : 'too_many_contests',
      params: { count: lines.length, max: limit },
    });
  }
  const seen = new Map<string, number>();
  for (const l of lines) {
    if (!isWellFormed(l.text)) errors.push({ field: 'contests', code: 'line_bad_text', params: { line: l.line } });
    else if (utf8Length(l.text) > MAX_TEXT_BYTES) {
      errors.push({ field: 'contests', code: 'line_too_long', params: { line: l.line, max: MAX_TEXT_BYTES } });
    }
    const first = seen.get(l.text);
    if (first !== undefined) {
      errors.push({ field: 'contests', code: 'duplicate_line', params: { line: l.line, first, text: l.text } });
    } else {
      seen.set(l.text, l.line);
    }
  }
  const titles = lines.map((l) => l.text);

  let round: RoundSpec | null = null;
  if (draft.kind === 'evaluation') {
    const options = SCALES[draft.scale];
    const pass = parseUint(draft.passGrades);
    let passGrades: number | null = null;
    if (!pass.ok) errors.push({ field: 'passGrades', code: pass.code, params: {} });
    else if (pass.value < 1 || pass.value > options.length) {
      errors.push({ field: 'passGrades', code: 'out_of_range', params: { min: 1, max: options.length } });
    } else {
      passGrades = pass.value;
    }
    const weights = parseWeights(draft.weights, options.length, errors);
    if (passGrades !== null && weights !== undefined) {
      round = {
        title,
        kind: 'evaluation',
        contests: titles.map((t, k) => ({ id: `e${k + 1}`, title: t, options: [...options], min: 1, max: 1 })),
        rule: { pass_grades: passGrades, weights },
      };
    }
  } else if (draft.kind === 'motion') {
    const f = fraction(draft, errors);
    if (f) {
      round = {
        title,
        kind: 'motion',
        contests: titles.map((t, k) => ({ id: `m${k + 1}`, title: t, options: [...MOTION_OPTIONS], min: 1, max: 1 })),
        rule: { base: draft.base, num: f.num, den: f.den, inclusive: draft.inclusive },
      };
    }
  } else {
    const f = fraction(draft, errors);
    const min = parseUint(draft.min);
    const max = parseUint(draft.max);
    if (!min.ok) errors.push({ field: 'min', code: min.code, params: {} });
    if (!max.ok) errors.push({ field: 'max', code: max.code, params: {} });
    let limits: { min: number; max: number } | null = null;
    if (min.ok && max.ok) {
      if (max.value === 0) errors.push({ field: 'max', code: 'max_zero', params: {} });
      else if (lines.length > 0 && max.value > lines.length) {
        errors.push({ field: 'max', code: 'max_above_options', params: { options: lines.length } });
      } else if (min.value > max.value) errors.push({ field: 'min', code: 'min_above_max', params: {} });
      else limits = { min: min.value, max: max.value };
    }
    if (f && limits) {
      round = {
        title,
        kind: 'selection',
        contests: [{ id: 's1', title, options: titles, min: limits.min, max: limits.max }],
        rule: { num: f.num, den: f.den, inclusive: draft.inclusive },
      };
    }
  }
  if (errors.length > 0 || !round) return { ok: false, errors };
  return { ok: true, round };
}

/** The errors of one field, for showing next to it. */
export function errorsFor(errors: RoundError[], field: RoundField): RoundError[] {
  return errors.filter((e) => e.field === field);
}
