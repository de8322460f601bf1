// What the observer page shows, decided from the verifier's snapshot and the feed: the overall
// status, the window of the record table, each row's state and the per-round checks. Pure
// functions; view.ts paints them (a failure's wording is src/verify/failure-text.ts).

import { readRecordHeader } from '../../net/chain-feed';
import type { VerifierSnapshot } from '../../verify/client';
import type { RoundInfo, RoundKind, RoundStatus } from '../../verify/types';

/** What the verifier has accepted so far (a VerifierSnapshot without the per-seq types). */
export type VerifiedChain = Omit<VerifierSnapshot, 'recordTypes'>;

export type OverallState = 'running' | 'ok' | 'failed';

export interface VerifyStatus {
  state: OverallState;
  verified: number;
  received: number;
  /** The best known length of the chain: the server's count when it was listed, or what has
   *  arrived, whichever is larger. */
  total: number;
  /** Whole per cent of `total` verified, rounded down. */
  percent: number;
}

/** ok only once the feed has caught up with the server and every record received verified. */
export function verifyStatus(chain: VerifiedChain | null, received: number, caughtUp: boolean, listedLength: number | null): VerifyStatus {
  const verified = chain?.length ?? 0;
  const total = Math.max(received, listedLength ?? 0, verified);
  const percent = total === 0 ? 0 : Math.floor((verified * 100) / total);
  let state: OverallState;
  if (chain?.failure) state = 'failed';
  else if (!caughtUp || verified < received || received === 0) state = 'running';
  else state = 'ok';
  return { state, verified, received, total, percent };
}

export interface TableWindow {
  page: number;
  pages: number;
  /** First seq shown, and one past the last. */
  start: number;
  end: number;
}

/** One page of the record table: 20,000 records are paged, never all in the document. `page`
 *  'last' follows the newest records. */
export function tableWindow(total: number, pageSize: number, page: number | 'last'): TableWindow {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const wanted = page === 'last' ? pages - 1 : page;
  const p = Math.min(pages - 1, Math.max(0, Math.floor(wanted)));
  const start = p * pageSize;
  return { page: p, pages, start, end: Math.min(total, start + pageSize) };
}

/** The page holding record `seq`. */
export function pageOfSeq(seq: number, pageSize: number): number {
  return Math.floor(Math.max(0, seq) / pageSize);
}

/** ok: verified; failed: the record the verifier refused; unverified: after a failure, never
 *  checked; pending: not yet reached. */
export type RowState = 'ok' | 'failed' | 'unverified' | 'pending';

export function rowState(seq: number, chain: VerifiedChain | null): RowState {
  if (chain && seq < chain.length) return 'ok';
  const failure = chain?.failure;
  if (failure) return seq === failure.seq ? 'failed' : seq > failure.seq ? 'unverified' : 'ok';
  return 'pending';
}

export interface RecordRow {
  seq: number;
  time: string;
  type: string;
  hash: string;
  state: RowState;
}

/** The rows of one window. `hashOf` gives the SHA-256 in hex of the line at seq (the caller
 *  caches it: only the rows shown are ever hashed on the page's thread). */
export function recordRows(
  window: TableWindow,
  lineAt: (seq: number) => string | undefined,
  chain: VerifiedChain | null,
  hashOf: (seq: number, line: string) => string,
): RecordRow[] {
  const rows: RecordRow[] = [];
  for (let seq = window.start; seq < window.end; seq++) {
    const line = lineAt(seq);
    if (line === undefined) break;
    const header = readRecordHeader(line);
    rows.push({ seq, time: header.time, type: header.type, hash: hashOf(seq, line), state: rowState(seq, chain) });
  }
  return rows;
}

export type RoundCheckState = 'ok' | 'running' | 'pending' | 'failed';

export interface ContestCheck {
  id: string;
  title: string;
  options: string[];
  /** Counts recovered by decrypting the sums of the verified ballots. */
  recomputed: number[] | null;
  /** Counts the result record states. */
  recorded: number[] | null;
  match: boolean | null;
}

export interface RoundCheck {
  round: number;
  title: string;
  kind: RoundKind;
  status: RoundStatus;
  state: RoundCheckState;
  present: number | null;
  tokens: number;
  ballots: number;
  declared: number | null;
  /** ballots − declarations, recomputed here from round_closed. */
  undeclaredRecomputed: number | null;
  /** What the result record says. */
  undeclaredRecorded: number | null;
  sumsVerified: boolean;
  decryptions: number;
  trustees: number;
  comparisonCode: string | null;
  contests: ContestCheck[];
}

function sameCounts(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function roundCheck(r: RoundInfo, trustees: number, failed: boolean): RoundCheck {
  const declared = r.voted ? r.voted.length : null;
  const contests = r.contests.map((c, k): ContestCheck => {
    const recomputed = r.counts?.[k] ?? null;
    const recorded = r.result ? (r.result.find((x) => x.id === c.id) ?? r.result[k])?.counts ?? null : null;
    return {
      id: c.id,
      title: c.title,
      options: c.options,
      recomputed,
      recorded,
      match: recomputed && recorded ? sameCounts(recomputed, recorded) : null,
    };
  });
  let state: RoundCheckState;
  if (failed) state = 'failed';
  else if (r.status === 'defined') state = 'pending';
  else if ((r.status === 'resulted' || r.status === 'revealed') && r.result !== null && (r.ballots === 0 || r.sumsVerified)) {
    state = contests.every((c) => c.match !== false) ? 'ok' : 'failed';
  } else state = 'running';
  return {
    round: r.round,
    title: r.title,
    kind: r.kind,
    status: r.status,
    state,
    present: r.present,
    tokens: r.tokens,
    ballots: r.ballots,
    declared,
    undeclaredRecomputed: declared === null ? null : r.ballots - declared,
    // The verifier knows undeclared from round_closed on; the result record states it later.
    undeclaredRecorded: r.result !== null ? r.undeclared : null,
    sumsVerified: r.sumsVerified,
    decryptions: r.decryptions.length,
    trustees,
    comparisonCode: r.comparisonCode,
    contests,
  };
}

/** One check per round. After a failure no round is claimed ✓: what follows the refused record
 *  is not trusted, and neither is the state it would have led to. */
export function roundChecks(chain: VerifiedChain | null): RoundCheck[] {
  if (!chain) return [];
  const trustees = chain.session?.trustees.length ?? 0;
  return chain.rounds.map((r) => roundCheck(r, trustees, chain.failure !== null));
}

/** A key that changes whenever a round's check would be painted differently, so that the page
 *  repaints only the rounds that changed. */
export function roundCheckKey(c: RoundCheck): string {
  return JSON.stringify(c);
}
