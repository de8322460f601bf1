// Numbers and words the projector and the observer show from a verified chain (DESIGN.md §3.7):
// every figure is formatted from the chain's integers with integer arithmetic, so that 6667 basis
// points read 66.67% on every screen and never 66.66999…%.

import type { ContestInfo, ResultContest, RoundKind } from '../../verify/types';
import { tp } from './strings';

function checkNonNegativeInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what}: ${n} is not a non-negative integer`);
}

/** An integer in hundredths as "d.dd" (5 → "0.05", 8333 → "83.33"). */
export function formatHundredths(n: number): string {
  checkNonNegativeInteger(n, 'hundredths');
  return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
}

/** 满意率 from rate_bp: basis points as a percentage with two decimals (6667 → "66.67%"), or
 *  "—" when the chain has none (no ballots). */
export function formatRateBp(bp: number | null | undefined): string {
  if (bp === null || bp === undefined) return '—';
  if (bp > 10000) throw new RangeError(`rate_bp: ${bp} is above 10000`);
  return `${formatHundredths(bp)}%`;
}

/** score_x100 as a score with two decimals, or "—". */
export function formatScore(x100: number | null | undefined): string {
  if (x100 === null || x100 === undefined) return '—';
  return formatHundredths(x100);
}

/** The share of one option among the ballots in basis points, rounded down: the bars' widths.
 *  Zero ballots give zero-width bars. */
export function shareBp(count: number, ballots: number): number {
  checkNonNegativeInteger(count, 'count');
  checkNonNegativeInteger(ballots, 'ballots');
  if (ballots === 0) return 0;
  if (count > ballots) throw new RangeError(`count ${count} exceeds ballots ${ballots}`);
  return Math.floor((count * 10000) / ballots);
}

/** The grade's option label, or '' when the result has no grade (no ballots, or no option
 *  reached a majority). */
export function gradeLabel(contest: ContestInfo, grade: number | null | undefined): string {
  if (grade === null || grade === undefined) return '';
  const label = contest.options[grade];
  if (label === undefined) throw new RangeError(`grade ${grade} is not an option of contest ${contest.id}`);
  return label;
}

/** 排名 as shown: "1", or "—" when there is no rank (no ballots). */
export function formatRank(rank: number | null | undefined): string {
  if (rank === null || rank === undefined) return '—';
  checkNonNegativeInteger(rank, 'rank');
  return String(rank);
}

export type Tone = 'ok' | 'warn' | 'bad';

/** What a result means for one target, in words: 通过 / 未通过 for evaluations and motions, the
 *  selected candidates (and a runoff notice for a tie at the cut) for selections. */
export interface Outcome {
  tone: Tone;
  text: string;
  /** Selections: the selected candidates' labels, best first. */
  selected: string[];
  /** Selections: candidates tied across the cut, who need a runoff. */
  tied: string[];
  /** Selections with a tie: the plain runoff notice. */
  runoff: string | null;
}

function labelsOf(contest: ContestInfo, indices: number[] | undefined): string[] {
  return (indices ?? []).map((i) => {
    const label = contest.options[i];
    if (label === undefined) throw new RangeError(`option ${i} is not in contest ${contest.id}`);
    return label;
  });
}

export function outcome(kind: RoundKind, contest: ContestInfo, result: ResultContest): Outcome {
  if (kind === 'selection') {
    const selected = labelsOf(contest, result.selected);
    const tied = labelsOf(contest, result.tied);
    const list = (names: string[]) => names.join(tp('list_separator'));
    const runoff = tied.length > 0 ? tp('selection_runoff', { names: list(tied) }) : null;
    let text: string;
    if (selected.length > 0) text = tp('selection_selected', { names: list(selected) });
    else if (tied.length > 0) text = tp('selection_none_tied');
    else text = tp('selection_none');
    return { tone: tied.length > 0 ? 'warn' : selected.length > 0 ? 'ok' : 'bad', text, selected, tied, runoff };
  }
  const passed = result.passed === true;
  return { tone: passed ? 'ok' : 'bad', text: tp(passed ? 'passed' : 'not_passed'), selected: [], tied: [], runoff: null };
}

/** DESIGN.md §3.2: undeclared = ballots − declarations. Above 0: a tablet failed between its
 *  receipt and its declaration, or ballots were added; below 0: a tablet declared without voting,
 *  which a member colluding with the server could do to hide one stuffed ballot. Every screen
 *  says which, plainly. */
export interface UndeclaredText {
  tone: Tone;
  text: string;
  explanation: string;
}

export function undeclaredText(undeclared: number): UndeclaredText {
  if (!Number.isSafeInteger(undeclared)) throw new RangeError(`undeclared: ${undeclared} is not an integer`);
  if (undeclared > 0) {
    return {
      tone: 'bad',
      text: tp('undeclared_positive', { n: undeclared }),
      explanation: tp('undeclared_positive_why'),
    };
  }
  if (undeclared < 0) {
    return {
      tone: 'bad',
      text: tp('undeclared_negative', { n: -undeclared }),
      explanation: tp('undeclared_negative_why'),
    };
  }
  return { tone: 'ok', text: tp('undeclared_zero'), explanation: tp('undeclared_zero_why') };
}

/** The first `bytes` bytes of a hex hash, in groups of 4 bytes for reading aloud. */
export function shortHash(hex: string, bytes = 8): string {
  if (!/^[0-9a-f]*$/.test(hex) || hex.length < 2 * bytes) throw new RangeError('not a hash in lower-case hex');
  const head = hex.slice(0, 2 * bytes);
  const groups: string[] = [];
  for (let i = 0; i < head.length; i += 8) groups.push(head.slice(i, i + 8));
  return groups.join(' ');
}
