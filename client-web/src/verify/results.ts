// DESIGN.md §3.7: the `contests` of a result record, computed from a round's decrypted counts and
// its rule, as server/core/src/rules.cpp compute_results does. Integer arithmetic only, in
// BigInt: counts, ballots, members, num and den are below 2^32, so their products need 64 bits.
import { Refusal, indexed } from './refusal';
import { type ContestShape, type Rule, ruleFromPlain, validateRule } from './rules';
import type { ContestInfo, ResultContest, RoundKind } from './types';

/** What a round's results are computed from: the roster size of genesis, round_closed's present
 *  and ballots, and the decrypted counts per contest and option. */
export interface RoundTotals {
  members: number;
  present: number;
  ballots: number;
  counts: number[][];
}

function internal(field: string, message: string): Refusal {
  return new Refusal('INTERNAL', field, message);
}

// rules.cpp check_totals: counts that do not fit the contests come from a decryption, not a
// request, hence INTERNAL.
function checkTotals(kind: RoundKind, contests: ContestShape[], t: RoundTotals): void {
  if (t.counts.length !== contests.length) throw internal('counts', 'must have one entry per contest');
  contests.forEach((c, k) => {
    const counts = t.counts[k]!;
    if (counts.length !== c.options.length) throw internal(indexed('counts', k), 'must have one count per option');
    let sum = 0n;
    counts.forEach((n, i) => {
      if (!Number.isSafeInteger(n) || n < 0) throw internal(indexed(indexed('counts', k), i), 'must be a non-negative integer');
      if (n > t.ballots) throw internal(indexed(indexed('counts', k), i), 'exceeds the ballots');
      sum += BigInt(n);
    });
    if (kind === 'evaluation' && sum > BigInt(t.ballots)) {
      throw internal(indexed('counts', k), 'adds up to more than the ballots');
    }
  });
}

function meets(lhs: bigint, rhs: bigint, inclusive: boolean): boolean {
  return inclusive ? lhs >= rhs : lhs > rhs;
}

// Competition ranking, higher first: 1 + the number of keys strictly higher (1, 1, 3). A null
// key gets no rank.
function competitionRanks(keys: (bigint | null)[]): (number | null)[] {
  return keys.map((k) => {
    if (k === null) return null;
    let higher = 0;
    for (const other of keys) if (other !== null && other > k) higher++;
    return higher + 1;
  });
}

function evaluate(r: Extract<Rule, { kind: 'evaluation' }>, contests: ContestShape[], t: RoundTotals): ResultContest[] {
  const ballots = BigInt(t.ballots);
  const out = contests.map((c, k) => {
    const counts = t.counts[k]!;
    let grade: number | null = null;
    let passed = false;
    let rate: bigint | null = null;
    let score: bigint | null = null;
    // With zero ballots every field but counts is null and nothing passes (§3.7).
    if (ballots > 0n) {
      let cumulative = 0n;
      for (let g = 0; g < counts.length; g++) {
        cumulative += BigInt(counts[g]!);
        if (cumulative * 2n > ballots) {
          grade = g;
          break;
        }
      }
      passed = grade !== null && grade < r.pass_grades;
      let passing = 0n;
      for (let i = 0; i < r.pass_grades; i++) passing += BigInt(counts[i]!);
      rate = (10000n * passing) / ballots;
      if (r.weights !== null) {
        let weighted = 0n;
        counts.forEach((n, i) => {
          weighted += BigInt(r.weights![i]!) * BigInt(n);
        });
        score = (100n * weighted) / ballots;
      }
    }
    return { id: c.id, counts: [...counts], grade, passed, rate, score };
  });
  // §3.7: ranked by score_x100, or by rate_bp when the rule has no weights.
  const ranks = competitionRanks(out.map((e) => (r.weights !== null ? e.score : e.rate)));
  return out.map((e, k) => ({
    id: e.id,
    counts: e.counts,
    grade: e.grade,
    passed: e.passed,
    rate_bp: e.rate === null ? null : Number(e.rate),
    score_x100: e.score === null ? null : Number(e.score),
    rank: ranks[k]!,
  }));
}

function decideMotions(r: Extract<Rule, { kind: 'motion' }>, contests: ContestShape[], t: RoundTotals): ResultContest[] {
  const base = BigInt(r.base === 'members' ? t.members : r.base === 'present' ? t.present : t.ballots);
  return contests.map((c, k) => {
    const counts = t.counts[k]!;
    const yes = BigInt(counts[0]!); // 赞成 is the first option
    // With zero ballots nothing passes, even an inclusive rule over a base of 0 (0 ≥ 0).
    const passed = t.ballots > 0 && meets(yes * BigInt(r.den), base * BigInt(r.num), r.inclusive);
    return { id: c.id, counts: [...counts], passed };
  });
}

function selectCandidates(r: Extract<Rule, { kind: 'selection' }>, contests: ContestShape[], t: RoundTotals): ResultContest[] {
  const ballots = BigInt(t.ballots);
  return contests.map((c, k) => {
    const counts = t.counts[k]!;
    const selected: number[] = [];
    const tied: number[] = [];
    if (ballots > 0n) {
      const qualified: number[] = [];
      counts.forEach((n, i) => {
        if (meets(BigInt(n) * BigInt(r.den), ballots * BigInt(r.num), r.inclusive)) qualified.push(i);
      });
      // Best first: votes descending, then index ascending (Array.prototype.sort is stable).
      qualified.sort((a, b) => counts[b]! - counts[a]!);
      const max = c.max;
      if (qualified.length <= max) {
        selected.push(...qualified);
      } else if (max > 0) {
        const lastIn = counts[qualified[max - 1]!]!;
        if (counts[qualified[max]!] === lastIn) {
          // The tie straddles the cut: those above it are selected, the whole tie goes to a runoff.
          for (const i of qualified) {
            if (counts[i]! > lastIn) selected.push(i);
            if (counts[i] === lastIn) tied.push(i);
          }
        } else {
          selected.push(...qualified.slice(0, max));
        }
      }
    }
    return { id: c.id, counts: [...counts], selected, tied };
  });
}

/** compute_results with a rule already read: validates the rule (BAD_REQUEST) and the counts
 *  (INTERNAL) first, as the C++ does. Throws a Refusal. */
export function resultsFor(rule: Rule, contests: ContestShape[], totals: RoundTotals): ResultContest[] {
  validateRule(rule, contests);
  checkTotals(rule.kind, contests, totals);
  if (rule.kind === 'evaluation') return evaluate(rule, contests, totals);
  if (rule.kind === 'motion') return decideMotions(rule, contests, totals);
  return selectCandidates(rule, contests, totals);
}

function isTypedRule(rule: Rule | Record<string, unknown>): rule is Rule {
  // A rule as on the chain never has a "kind" key (it would be refused as unknown).
  return typeof (rule as { kind?: unknown }).kind === 'string';
}

/** DESIGN.md §3.7: the result contests of a round of `kind` from its rule (as on the chain, a
 *  plain object with any keys left at their defaults, or a Rule already read), the decrypted
 *  counts per contest and option, the round's ballots, round_closed.present and the roster size.
 *  Throws a Refusal (BAD_REQUEST for a rule that is not valid for the contests, INTERNAL for
 *  counts that do not fit them). */
export function computeResults(
  kind: RoundKind,
  contests: ContestInfo[],
  rule: Rule | Record<string, unknown>,
  counts: number[][],
  ballots: number,
  present: number,
  members: number,
): ResultContest[] {
  const shapes: ContestShape[] = contests.map((c) => ({ id: c.id, options: c.options, min: c.min, max: c.max }));
  let typed: Rule;
  if (isTypedRule(rule)) {
    if (rule.kind !== kind) throw new Refusal('BAD_REQUEST', 'rule', 'is not a rule of this kind of round');
    typed = rule;
  } else {
    typed = ruleFromPlain(kind, rule, shapes);
  }
  for (const [name, n] of [['ballots', ballots], ['present', present], ['members', members]] as const) {
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
      throw new Refusal('BAD_REQUEST', name, 'must be an integer in 0 … 2^32 − 1');
    }
  }
  return resultsFor(typed, shapes, { members, present, ballots, counts });
}
