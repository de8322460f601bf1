// What a member may choose on a ballot, and what is still missing: pure functions of a round's
// contests (DESIGN.md §1, §3.3: each contest allows min … max options) and the choices so far.
// The tablet never lets a ballot be reviewed that the server's limit proof would refuse.

import type { ContestInfo, RoundInfo } from '../../verify/types';

/** Per contest, the chosen option indices in ascending order. */
export type Choices = number[][];

export type Need = { kind: 'ok'; chosen: number } | { kind: 'more'; count: number } | { kind: 'less'; count: number };

export function emptyChoices(contests: readonly ContestInfo[]): Choices {
  return contests.map(() => []);
}

/** Stored choices are trusted only if they still fit the round (same number of contests, each
 *  index an option, no repeats, no more than max): otherwise the ballot starts empty. */
export function restoreChoices(stored: unknown, contests: readonly ContestInfo[]): Choices {
  if (!Array.isArray(stored) || stored.length !== contests.length) return emptyChoices(contests);
  const out: Choices = [];
  for (let k = 0; k < contests.length; k++) {
    const contest = contests[k]!;
    const list = stored[k];
    if (!Array.isArray(list)) return emptyChoices(contests);
    const seen = new Set<number>();
    for (const v of list) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= contest.options.length || seen.has(v)) {
        return emptyChoices(contests);
      }
      seen.add(v);
    }
    if (seen.size > contest.max) return emptyChoices(contests);
    out.push([...seen].sort((a, b) => a - b));
  }
  return out;
}

export type ToggleResult = { chosen: number[]; refused: null } | { chosen: number[]; refused: 'max' };

/** Pressing option `option` of a contest. With max 1 the buttons act as a radio group (a new
 *  choice replaces the old; pressing the chosen one again clears it unless the contest needs
 *  it). With max > 1 each press toggles, and a press beyond max is refused rather than silently
 *  dropping an earlier choice. */
export function toggleOption(contest: ContestInfo, chosen: readonly number[], option: number): ToggleResult {
  if (!Number.isInteger(option) || option < 0 || option >= contest.options.length) {
    throw new RangeError(`option ${option} is not an option of contest ${contest.id}`);
  }
  const has = chosen.includes(option);
  if (contest.max <= 1) {
    if (has) return { chosen: contest.min >= 1 ? [...chosen] : [], refused: null };
    return { chosen: [option], refused: null };
  }
  if (has) return { chosen: chosen.filter((v) => v !== option), refused: null };
  if (chosen.length >= contest.max) return { chosen: [...chosen], refused: 'max' };
  return { chosen: [...chosen, option].sort((a, b) => a - b), refused: null };
}

export function contestNeed(contest: ContestInfo, chosen: readonly number[]): Need {
  if (chosen.length < contest.min) return { kind: 'more', count: contest.min - chosen.length };
  if (chosen.length > contest.max) return { kind: 'less', count: chosen.length - contest.max };
  return { kind: 'ok', chosen: chosen.length };
}

/** The contests not yet answered as their min and max require, in ballot order. */
export function missingContests(contests: readonly ContestInfo[], choices: Choices): ContestInfo[] {
  return contests.filter((c, k) => contestNeed(c, choices[k] ?? []).kind !== 'ok');
}

export function canReview(contests: readonly ContestInfo[], choices: Choices): boolean {
  return contests.length > 0 && missingContests(contests, choices).length === 0;
}

export interface ReviewItem {
  contestId: string;
  title: string;
  labels: string[];
}

/** The review step's list: every contest and the labels of its choices (empty = none). */
export function reviewItems(round: Pick<RoundInfo, 'contests'>, choices: Choices): ReviewItem[] {
  return round.contests.map((c, k) => ({
    contestId: c.id,
    title: c.title,
    labels: (choices[k] ?? []).map((i) => c.options[i] ?? `#${i}`),
  }));
}

/** The hint above a round's ballot. */
export type BallotHint =
  | { kind: 'evaluation' }
  | { kind: 'motion' }
  | { kind: 'selection_exact'; n: number }
  | { kind: 'selection_range'; min: number; max: number }
  | { kind: 'selection_max'; max: number };

export function contestHint(kind: RoundInfo['kind'], contest: ContestInfo): BallotHint {
  if (kind === 'evaluation') return { kind: 'evaluation' };
  if (kind === 'motion' && contest.min === 1 && contest.max === 1) return { kind: 'motion' };
  if (contest.min === contest.max) return { kind: 'selection_exact', n: contest.max };
  if (contest.min === 0) return { kind: 'selection_max', max: contest.max };
  return { kind: 'selection_range', min: contest.min, max: contest.max };
}
