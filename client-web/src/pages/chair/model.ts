// The chair console's decisions, from what the verifier folded out of the chain and the latest
// `progress` push: attendance and quorum, the scrutineers' keys, and for each round which of
// open / close / reveal the phase allows (docs/PROTOCOL.md §5 lists the server's refusals; the
// buttons follow the same rules so that the chair is not offered what the server would refuse).

import type { ResultContest, RoundInfo, RoundStatus, SessionInfo, VerifyError } from '../../verify/types';

import type { Progress } from '../../net/progress';

export { parseProgress, type Progress } from '../../net/progress';

export interface QuorumView {
  num: number;
  den: number;
  members: number;
  present: number;
  /** present·den > members·num (DESIGN.md §3.6 round_opened). */
  met: boolean;
  /** The fewest present members that meet the quorum; null when no attendance can. */
  needed: number | null;
}

/** The quorum rule in exact integers: members·num can pass 2^53 for large committees with
 *  large fractions, so the products are BigInt. */
export function quorum(members: number, present: number, num: number, den: number): QuorumView {
  const met = den > 0 && BigInt(present) * BigInt(den) > BigInt(members) * BigInt(num);
  let needed: number | null = null;
  if (den > 0) {
    // The least p with p·den > members·num is floor(members·num / den) + 1.
    const least = (BigInt(members) * BigInt(num)) / BigInt(den) + 1n;
    if (least <= BigInt(members)) needed = Number(least);
  }
  return { num, den, members, present, met, needed };
}

export interface KeyStatus {
  id: string;
  name: string;
  received: boolean;
}

export interface KeysView {
  sealed: boolean;
  noScrutineers: boolean;
  scrutineers: KeyStatus[];
  missing: string[];
  canSeal: boolean;
}

export type OpenBlock = 'adjourned' | 'not_sealed' | 'other_open' | 'no_quorum' | 'not_defined' | 'busy' | 'failed';

export interface LiveFigures {
  present: number;
  tokens: number;
  ballots: number;
  /** Declarations received; while the round is open only the progress push knows them. */
  voted: number | null;
}

export interface DecryptionView {
  /** Every trustee of the election key: "server" and each scrutineer. */
  expected: { id: string; name: string; done: boolean }[];
  done: number;
  /** A closed round without ballots has nothing to decrypt. */
  needed: boolean;
}

export interface RoundView {
  round: number;
  title: string;
  kind: RoundInfo['kind'];
  status: RoundStatus;
  canOpen: boolean;
  openBlock: OpenBlock | null;
  canClose: boolean;
  canReveal: boolean;
  live: LiveFigures | null;
  decryption: DecryptionView | null;
  comparisonCode: string | null;
  ballots: number | null;
  undeclared: number | null;
  result: ResultContest[] | null;
}

export interface ChairView {
  ready: boolean;
  failure: VerifyError | null;
  attendance: { members: number; present: number };
  quorum: QuorumView | null;
  keys: KeysView | null;
  rounds: RoundView[];
  openRound: number | null;
  canAdjourn: boolean;
  adjourned: boolean;
  /** Rounds with a result not yet revealed, or closed and still awaiting it. */
  unrevealed: number;
}

export interface ChairInputs {
  session: SessionInfo | null;
  rounds: RoundInfo[];
  progress: Progress | null;
  failure: VerifyError | null;
  /** A chair request is in flight: every button waits for its answer. */
  busy: boolean;
}

export function chairView(input: ChairInputs): ChairView {
  const { session, rounds, progress, failure, busy } = input;
  if (!session) {
    return {
      ready: false,
      failure,
      attendance: { members: 0, present: 0 },
      quorum: null,
      keys: null,
      rounds: [],
      openRound: null,
      canAdjourn: false,
      adjourned: false,
      unrevealed: 0,
    };
  }
  const members = session.members.length;
  const present = session.members.filter((m) => m.present).length;
  const q = quorum(members, present, session.quorum.num, session.quorum.den);

  const sealed = session.electionKey !== null;
  const trusteeIds = new Set(session.trustees.map((t) => t.id));
  const nameOf = new Map(session.members.map((m) => [m.id, m.name]));
  const scrutineers: KeyStatus[] = session.scrutineers.map((id) => ({ id, name: nameOf.get(id) ?? id, received: trusteeIds.has(id) }));
  const missing = scrutineers.filter((s) => !s.received).map((s) => s.id);
  // A broken chain stops every action: the console must not act on state it could not verify.
  const halted = failure !== null || session.adjourned;
  const keys: KeysView = {
    sealed,
    noScrutineers: session.scrutineers.length === 0,
    scrutineers,
    missing,
    canSeal: !sealed && !halted && !busy && missing.length === 0 && trusteeIds.has('server'),
  };

  const open = rounds.find((r) => r.status === 'open') ?? null;
  const trusteeName = new Map(session.trustees.map((t) => [t.id, t.name]));
  const views = rounds.map((r): RoundView => {
    let openBlock: OpenBlock | null = null;
    if (r.status !== 'defined') openBlock = 'not_defined';
    else if (failure) openBlock = 'failed';
    else if (session.adjourned) openBlock = 'adjourned';
    else if (!sealed) openBlock = 'not_sealed';
    else if (open) openBlock = 'other_open';
    else if (!q.met) openBlock = 'no_quorum';
    else if (busy) openBlock = 'busy';

    let live: LiveFigures | null = null;
    if (r.status === 'open') {
      // The progress push is the server's durable state after its last commit; the records give
      // the same tokens and ballots once their pushes arrive, but not the declarations.
      const p = progress && progress.round === r.round ? progress : null;
      live = {
        present: p ? p.present : (r.present ?? present),
        tokens: p ? Math.max(p.tokens, r.tokens) : r.tokens,
        ballots: p ? Math.max(p.ballots, r.ballots) : r.ballots,
        voted: p ? p.voted : null,
      };
    }

    let decryption: DecryptionView | null = null;
    if (r.status === 'closed' || r.status === 'resulted' || r.status === 'revealed') {
      const needed = r.ballots > 0;
      const doneSet = new Set(r.decryptions);
      const expected = session.trustees.map((t) => ({ id: t.id, name: trusteeName.get(t.id) ?? t.id, done: doneSet.has(t.id) }));
      decryption = { expected, done: expected.filter((e) => e.done).length, needed };
    }

    return {
      round: r.round,
      title: r.title,
      kind: r.kind,
      status: r.status,
      canOpen: openBlock === null,
      openBlock,
      canClose: r.status === 'open' && !halted && !busy,
      canReveal: r.status === 'resulted' && !halted && !busy,
      live,
      decryption,
      comparisonCode: r.comparisonCode,
      ballots: r.status === 'defined' || r.status === 'open' ? null : r.ballots,
      undeclared: r.undeclared,
      result: r.result,
    };
  });

  return {
    ready: true,
    failure,
    attendance: { members, present },
    quorum: q,
    keys,
    rounds: views,
    openRound: open ? open.round : null,
    canAdjourn: !halted && !busy && open === null,
    adjourned: session.adjourned,
    unrevealed: rounds.filter((r) => r.status === 'closed' || r.status === 'resulted').length,
  };
}

// ---- results, for the summary after reveal ------------------------------------------------------

/** 满意率 in basis points as a percentage with two decimals, exactly (no floating point). */
export function formatRate(bp: number): string {
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;
}

/** score_x100 as a score with two decimals. */
export function formatScore(x100: number): string {
  return `${Math.floor(x100 / 100)}.${String(x100 % 100).padStart(2, '0')}`;
}

export interface ContestSummary {
  id: string;
  title: string;
  options: { label: string; count: number }[];
  /** Evaluation: the grade's label, or null (no majority, or no ballots). */
  grade: string | null;
  rate: string | null;
  score: string | null;
  rank: number | null;
  passed: boolean | null;
  /** Selection: the labels of the selected and of the tied candidates. */
  selected: string[] | null;
  tied: string[] | null;
}

export function summarise(round: RoundInfo): ContestSummary[] {
  if (!round.result) return [];
  return round.result.map((rc) => {
    const contest = round.contests.find((c) => c.id === rc.id);
    const labels = contest ? contest.options : rc.counts.map((_, i) => String(i + 1));
    const label = (i: number) => labels[i] ?? String(i + 1);
    return {
      id: rc.id,
      title: contest ? contest.title : rc.id,
      options: rc.counts.map((count, i) => ({ label: label(i), count })),
      grade: rc.grade === undefined || rc.grade === null ? null : label(rc.grade),
      rate: rc.rate_bp === undefined || rc.rate_bp === null ? null : formatRate(rc.rate_bp),
      score: rc.score_x100 === undefined || rc.score_x100 === null ? null : formatScore(rc.score_x100),
      rank: rc.rank ?? null,
      passed: rc.passed ?? null,
      selected: rc.selected ? rc.selected.map(label) : null,
      tied: rc.tied ? rc.tied.map(label) : null,
    };
  });
}
