// What the projector shows, decided from what its own verifier accepted (the chain so far), the
// live `progress` pushes and the time: a pure function of its inputs, so that each screen of a
// session can be tested without a browser. The view only paints it.

import type { ContestInfo, RoundInfo, RoundKind, SessionInfo, VerifyError } from '../../verify/types';
import { gradeLabel, outcome, shareBp, undeclaredText, type Outcome, type UndeclaredText } from './format';
import { parseProgress, type Progress } from '../../net/progress';

export { parseProgress, type Progress };

/** The part of the verifier's snapshot (src/verify/client.ts VerifierSnapshot) the pages read. */
export interface VerifiedChain {
  length: number;
  headHash: string | null;
  failure: VerifyError | null;
  session: SessionInfo | null;
  rounds: RoundInfo[];
}

export type VerificationState = 'ok' | 'running' | 'failed';

/** ✓ only when every record received has been verified and the feed has caught up with the
 *  server's head; ✗ from the first failure on, whatever follows. */
export function verificationState(chain: VerifiedChain | null, received: number, caughtUp: boolean): VerificationState {
  if (chain?.failure) return 'failed';
  if (!chain || !caughtUp || chain.length < received || received === 0) return 'running';
  return 'ok';
}

export interface TargetView {
  id: string;
  title: string;
  kind: RoundKind;
  labels: string[];
  counts: number[];
  /** Each option's share of the ballots in basis points (bar widths). */
  shares: number[];
  /** Evaluation: the grade's label or ''. */
  grade: string;
  rateBp: number | null;
  scoreX100: number | null;
  rank: number | null;
  outcome: Outcome;
}

export interface TrusteeView {
  id: string;
  name: string;
  done: boolean;
}

export type Phase =
  | { kind: 'loading' }
  | { kind: 'idle' }
  | { kind: 'voting'; round: number; title: string; present: number; members: number; ballots: number }
  | {
      kind: 'counting';
      round: number;
      title: string;
      ballots: number;
      present: number;
      comparisonCode: string | null;
      trustees: TrusteeView[];
      /** The result is on the chain, waiting for the chair's reveal. */
      resulted: boolean;
    }
  | {
      kind: 'revealed';
      round: number;
      title: string;
      roundKind: RoundKind;
      ballots: number;
      present: number;
      comparisonCode: string | null;
      undeclared: UndeclaredText | null;
      targets: TargetView[];
    };

export interface ProjectorView {
  title: string;
  committee: string;
  date: string;
  members: number;
  present: number;
  presentMembers: string[];
  noScrutineers: boolean;
  adjourned: boolean;
  headHash: string | null;
  verification: VerificationState;
  /** Records verified, and received from the server. */
  verified: number;
  received: number;
  failure: VerifyError | null;
  phase: Phase;
}

/** The round on screen: the one opened last (rounds need not be opened in their numbered order). */
export function currentRound(rounds: RoundInfo[]): RoundInfo | null {
  let best: RoundInfo | null = null;
  for (const r of rounds) {
    if (r.openedSeq === null) continue;
    if (best === null || r.openedSeq > (best.openedSeq ?? -1)) best = r;
  }
  return best;
}

function targetsOf(round: RoundInfo): TargetView[] {
  const results = round.result ?? [];
  return round.contests.map((contest: ContestInfo, k) => {
    const result = results.find((r) => r.id === contest.id) ?? results[k];
    if (!result) throw new RangeError(`round ${round.round}: no result for contest ${contest.id}`);
    return {
      id: contest.id,
      title: contest.title,
      kind: round.kind,
      labels: contest.options,
      counts: result.counts,
      shares: result.counts.map((c) => shareBp(c, round.ballots)),
      grade: round.kind === 'evaluation' ? gradeLabel(contest, result.grade) : '',
      rateBp: result.rate_bp ?? null,
      scoreX100: result.score_x100 ?? null,
      rank: result.rank ?? null,
      outcome: outcome(round.kind, contest, result),
    };
  });
}

function phaseOf(round: RoundInfo | null, session: SessionInfo, presentNow: number, progress: Progress | null): Phase {
  if (round === null) return { kind: 'idle' };
  const members = session.members.length;
  if (round.status === 'open') {
    // The pushes run ahead of verification by a moment; they are the live counter, and the
    // verified count takes over whenever it is the larger (a push lost while reconnecting).
    const live = progress && progress.round === round.round ? progress : null;
    return {
      kind: 'voting',
      round: round.round,
      title: round.title,
      present: live ? live.present : presentNow,
      members,
      ballots: Math.max(live?.ballots ?? 0, round.ballots),
    };
  }
  const present = round.present ?? 0;
  if (round.status === 'revealed' && round.result) {
    return {
      kind: 'revealed',
      round: round.round,
      title: round.title,
      roundKind: round.kind,
      ballots: round.ballots,
      present,
      comparisonCode: round.comparisonCode,
      undeclared: round.undeclared === null ? null : undeclaredText(round.undeclared),
      targets: targetsOf(round),
    };
  }
  return {
    kind: 'counting',
    round: round.round,
    title: round.title,
    ballots: round.ballots,
    present,
    comparisonCode: round.comparisonCode,
    trustees: session.trustees.map((t) => ({ id: t.id, name: t.name, done: round.decryptions.includes(t.id) })),
    resulted: round.status === 'resulted' || round.status === 'revealed',
  };
}

export function projectorView(chain: VerifiedChain | null, progress: Progress | null, received: number, caughtUp: boolean): ProjectorView {
  const verification = verificationState(chain, received, caughtUp);
  const session = chain?.session ?? null;
  if (!chain || !session) {
    return {
      title: '',
      committee: '',
      date: '',
      members: 0,
      present: 0,
      presentMembers: [],
      noScrutineers: false,
      adjourned: false,
      headHash: chain?.headHash ?? null,
      verification,
      verified: chain?.length ?? 0,
      received,
      failure: chain?.failure ?? null,
      phase: { kind: 'loading' },
    };
  }
  const present = session.members.filter((m) => m.present);
  return {
    title: session.title,
    committee: session.committee,
    date: session.date,
    members: session.members.length,
    present: present.length,
    presentMembers: present.map((m) => m.name),
    noScrutineers: session.scrutineers.length === 0,
    adjourned: session.adjourned,
    headHash: chain.headHash,
    verification,
    verified: chain.length,
    received,
    failure: chain.failure,
    phase: phaseOf(currentRound(chain.rounds), session, present.length, progress),
  };
}

/** Splits the targets into screens: each page holds items whose heights (in table rows) add up
 *  to at most `rowsPerPage`; an item taller than a page gets a page of its own. */
export function paginate<T>(items: T[], rowsOf: (item: T) => number, rowsPerPage: number): T[][] {
  if (!Number.isInteger(rowsPerPage) || rowsPerPage < 1) throw new RangeError('rowsPerPage must be a positive integer');
  const pages: T[][] = [];
  let page: T[] = [];
  let used = 0;
  for (const item of items) {
    const rows = Math.max(1, rowsOf(item));
    if (page.length > 0 && used + rows > rowsPerPage) {
      pages.push(page);
      page = [];
      used = 0;
    }
    page.push(item);
    used += rows;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/** paginate, then the same number of pages filled evenly (12 targets on 9 rows a page make
 *  two pages of 6, not 9 and 3), so that no page of a hall's screen is nearly empty. */
export function balancedPages<T>(items: T[], rowsOf: (item: T) => number, rowsPerPage: number): T[][] {
  const greedy = paginate(items, rowsOf, rowsPerPage);
  const count = greedy.length;
  if (count <= 1) return greedy;
  const rows = items.map((item) => Math.max(1, rowsOf(item)));
  const total = rows.reduce((a, b) => a + b, 0);
  // Page k ends where the running total first reaches its even share, (k + 1)·total / count.
  const pages: T[][] = [[]];
  let used = 0;
  let before = 0;
  items.forEach((item, i) => {
    const r = rows[i]!;
    const k = pages.length - 1;
    const share = Math.ceil(((k + 1) * total) / count);
    if (pages[k]!.length > 0 && (before + r > share || used + r > rowsPerPage)) {
      pages.push([]);
      used = 0;
    }
    pages[pages.length - 1]!.push(item);
    used += r;
    before += r;
  });
  return pages.length === count ? pages : greedy;
}

/** Rows a target takes on the results table: one for an evaluation or a motion, a header and
 *  one per candidate for a selection. */
export function rowsOfTarget(t: TargetView): number {
  return t.kind === 'selection' ? 1 + t.labels.length : 1;
}

/** Which page to show at `now`, cycling slowly through `pages` pages from `since`. */
export function pageAt(now: number, since: number, pages: number, intervalMs: number): number {
  if (pages <= 1) return 0;
  const elapsed = Math.max(0, now - since);
  return Math.floor(elapsed / intervalMs) % pages;
}
