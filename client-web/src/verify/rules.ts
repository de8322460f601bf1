// The `rule` of a round record (DESIGN.md §3.7) as server/core/src/rules.cpp reads it: every key
// optional with its default, keys of the wrong kind refused, then validated against the round's
// contests. Errors are BAD_REQUEST naming the field relative to the round ("rule.weights[1]",
// "contests[2].options"), exactly as the C++ names them.
import { JsonNumber, JsonObject, type JsonValue, typeName } from './strict-json';
import { badRequest, indexed } from './refusal';
import type { RoundKind } from './types';

export type MotionBase = 'members' | 'present' | 'ballots';

export interface EvaluationRule {
  kind: 'evaluation';
  pass_grades: number;
  weights: number[] | null;
}
export interface MotionRule {
  kind: 'motion';
  base: MotionBase;
  num: number;
  den: number;
  inclusive: boolean;
}
export interface SelectionRule {
  kind: 'selection';
  num: number;
  den: number;
  inclusive: boolean;
}
export type Rule = EvaluationRule | MotionRule | SelectionRule;

/** What the rules need of a contest of the round record. */
export interface ContestShape {
  id: string;
  options: string[];
  min: number;
  max: number;
}

// rules.hpp max_weight: keeps 100·Σ weights·counts below 2^59.
export const MAX_WEIGHT = 1_000_000;
const U32_MAX = 0xffffffff;

export function defaultRule(kind: RoundKind, options: number): Rule {
  if (kind === 'motion') return { kind, base: 'members', num: 1, den: 2, inclusive: false };
  if (kind === 'selection') return { kind, num: 1, den: 2, inclusive: false };
  // 满意 100, 基本满意 60, 不满意 0: the default fits only the default 3-grade scale (§3.7).
  return { kind, pass_grades: 2, weights: options === 3 ? [100, 60, 0] : null };
}

// rules.cpp read_u32: an integer in 0 … 2^32 − 1; 2.0 is refused as well as 2.5.
function readU32(v: JsonValue, field: string): number {
  if (v instanceof JsonNumber) {
    if (v.kind === 'float') throw badRequest(field, 'must be an integer');
    const n = v.bigint();
    if (n < 0n) throw badRequest(field, 'must not be negative');
    if (n > BigInt(U32_MAX)) throw badRequest(field, `is too large (at most ${U32_MAX})`);
    return Number(n);
  }
  throw badRequest(field, `must be an integer, not ${typeName(v)}`);
}

function readBool(v: JsonValue, field: string): boolean {
  if (typeof v !== 'boolean') throw badRequest(field, `must be true or false, not ${typeName(v)}`);
  return v;
}

function readWeights(v: JsonValue): number[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) throw badRequest('rule.weights', `must be an array or null, not ${typeName(v)}`);
  return v.map((w, i) => readU32(w, indexed('rule.weights', i)));
}

function readFraction(key: string, value: JsonValue, r: MotionRule | SelectionRule): boolean {
  if (key === 'num') r.num = readU32(value, 'rule.num');
  else if (key === 'den') r.den = readU32(value, 'rule.den');
  else if (key === 'inclusive') r.inclusive = readBool(value, 'rule.inclusive');
  else return false;
  return true;
}

/** rules.cpp rule_from_json: the rule object of a round of `kind`, read key by key in line order
 *  over the defaults, then validated against the contests. */
export function parseRule(kind: RoundKind, j: JsonValue, contests: ContestShape[]): Rule {
  if (!(j instanceof JsonObject)) throw badRequest('rule', `must be an object, not ${typeName(j)}`);
  const r = defaultRule(kind, contests.length === 0 ? 0 : contests[0]!.options.length);
  for (let k = 0; k < j.keys.length; k++) {
    const key = j.keys[k]!;
    const value = j.values[k]!;
    if (r.kind === 'evaluation') {
      if (key === 'pass_grades') r.pass_grades = readU32(value, 'rule.pass_grades');
      else if (key === 'weights') r.weights = readWeights(value);
      else throw badRequest(`rule.${key}`, 'is not a key of an evaluation rule');
    } else if (r.kind === 'motion') {
      if (key === 'base') {
        if (typeof value !== 'string') throw badRequest('rule.base', `must be a string, not ${typeName(value)}`);
        if (value !== 'members' && value !== 'present' && value !== 'ballots') {
          throw badRequest('rule.base', 'must be "members", "present" or "ballots"');
        }
        r.base = value;
      } else if (!readFraction(key, value, r)) {
        throw badRequest(`rule.${key}`, 'is not a key of a motion rule');
      }
    } else if (!readFraction(key, value, r)) {
      throw badRequest(`rule.${key}`, 'is not a key of a selection rule');
    }
  }
  checkKeyOrder(r.kind, j);
  validateRule(r, contests);
  return r;
}

// The chain writes every key of a rule in this order (rules.cpp to_json). A key may be absent
// (DESIGN §3.7: every key is optional), but those present keep this order, since a line is
// written once by one encoder and never re-serialised; record.cpp read_round checks the same.
const RULE_KEYS: Record<RoundKind, string[]> = {
  evaluation: ['pass_grades', 'weights'],
  motion: ['base', 'num', 'den', 'inclusive'],
  selection: ['num', 'den', 'inclusive'],
};

function checkKeyOrder(kind: RoundKind, j: JsonObject): void {
  const order = RULE_KEYS[kind];
  let last = -1;
  for (const key of j.keys) {
    const at = order.indexOf(key);
    if (at < last) throw badRequest(`rule.${key}`, `is out of order: the keys are ${order.join(', ')}`);
    last = at;
  }
}

function validateFraction(num: number, den: number): void {
  if (num === 0) throw badRequest('rule.num', 'must be positive');
  if (den === 0) throw badRequest('rule.den', 'must be positive');
  if (num > den) throw badRequest('rule.num', 'must not exceed den');
}

function sameOptions(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** rules.cpp validate_rule (§3.7 "Ranges"). */
export function validateRule(r: Rule, contests: ContestShape[]): void {
  if (contests.length === 0) throw badRequest('contests', 'a round needs at least one contest');
  contests.forEach((c, k) => {
    // Every rule reads counts[0] at least (the grade, 赞成, a candidate).
    if (c.options.length === 0) throw badRequest(`${indexed('contests', k)}.options`, 'must not be empty');
  });
  if (r.kind === 'evaluation') {
    // One scale for the whole round, one choice per target, so that counts add up to the ballots
    // and targets can be ranked against each other.
    const scale = contests[0]!.options;
    contests.forEach((c, k) => {
      const at = indexed('contests', k);
      if (!sameOptions(c.options, scale)) throw badRequest(`${at}.options`, 'must be the same as contests[0].options');
      if (c.min !== 1) throw badRequest(`${at}.min`, 'must be 1 in an evaluation round');
      if (c.max !== 1) throw badRequest(`${at}.max`, 'must be 1 in an evaluation round');
    });
    if (r.pass_grades < 1 || r.pass_grades > scale.length) {
      throw badRequest('rule.pass_grades', `must be between 1 and ${scale.length}`);
    }
    if (r.weights !== null) {
      if (r.weights.length !== scale.length) {
        throw badRequest('rule.weights', `must have one weight per option (${scale.length})`);
      }
      r.weights.forEach((w, i) => {
        if (w > MAX_WEIGHT) throw badRequest(indexed('rule.weights', i), `must be at most ${MAX_WEIGHT}`);
      });
    }
    return;
  }
  validateFraction(r.num, r.den);
}

/** A plain rule object (as RoundInfo.rule holds it, or as a caller writes it) read with the same
 *  checks as a rule on the chain: only safe non-negative integers, booleans, strings, arrays and
 *  null. */
export function ruleFromPlain(kind: RoundKind, plain: unknown, contests: ContestShape[]): Rule {
  return parseRule(kind, plainToJson(plain, 'rule'), contests);
}

function plainToJson(v: unknown, field: string): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw badRequest(field, 'must be a finite number');
    if (!Number.isInteger(v)) return new JsonNumber(String(v), 'float');
    if (!Number.isSafeInteger(v)) return new JsonNumber(String(v), 'float');
    return new JsonNumber(String(v), v < 0 || Object.is(v, -0) ? 'signed' : 'unsigned');
  }
  if (Array.isArray(v)) return v.map((x, i) => plainToJson(x, indexed(field, i)));
  if (typeof v === 'object') {
    const o = new JsonObject();
    for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
      o.keys.push(key);
      o.values.push(plainToJson(value, `${field}.${key}`));
    }
    return o;
  }
  throw badRequest(field, `must be JSON, not ${typeof v}`);
}

/** The rule with every key, as the chain writes it (rules.cpp to_json). */
export function ruleToPlain(r: Rule): Record<string, unknown> {
  if (r.kind === 'evaluation') return { pass_grades: r.pass_grades, weights: r.weights === null ? null : [...r.weights] };
  if (r.kind === 'motion') return { base: r.base, num: r.num, den: r.den, inclusive: r.inclusive };
  return { num: r.num, den: r.den, inclusive: r.inclusive };
}
