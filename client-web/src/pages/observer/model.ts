// What the observer page shows, decided from the verifier's snapshot and the feed: the overall
// status, the window of the record table, each row's state, the per-round checks and how a
// failure is explained. Pure functions; view.ts paints them.

import { describeError } from '../../i18n/common';
import type { RoundInfo, RoundKind, RoundStatus, VerifyError } from '../../verify/types';
import type { VerifiedChain } from '../projector/model';
import { to } from './strings';

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

export interface RecordHeader {
  seq: number | null;
  time: string;
  type: string;
}

// Every line begins {"seq":…,"prev":…,"time":…,"type":… in that order (DESIGN.md §3.6), so the
// table reads its columns from the start of the line without parsing a 200 KB ballot. The
// verifier parses every line in full; a line this does not match is shown as unreadable.
const HEADER = /^\{"seq":(\d{1,16}),"prev":"[0-9a-f]{64}","time":"([0-9T:.Z-]{1,40})","type":"([a-z_]{1,32})"/;

export function readRecordHeader(line: string): RecordHeader {
  const m = HEADER.exec(line.slice(0, 256));
  if (!m) return { seq: null, time: '', type: '' };
  return { seq: Number(m[1]), time: m[2]!, type: m[3]! };
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

export interface FailureText {
  where: string;
  field: string;
  reason: string;
}

const VERIFIER_CODES: Record<string, Parameters<typeof to>[0]> = {
  BROKEN_LINK: 'code_BROKEN_LINK',
  BAD_HEAD_SIGNATURE: 'code_BAD_HEAD_SIGNATURE',
  BAD_JSON: 'code_BAD_JSON',
};

/** A refusal in the reader's language: which record, which field, and why (the catalogue's
 *  words for the code, then the verifier's own message with the details). */
export function failureText(error: VerifyError, type: string | null): FailureText {
  const own = VERIFIER_CODES[error.code];
  const reason = own ? `${to(own)}${error.message ? ` — ${error.message}` : ''}` : describeError({ code: error.code, message: error.message });
  return {
    where: type ? to('failure_where', { seq: error.seq, type }) : to('failure_where_untyped', { seq: error.seq }),
    field: error.field === '' ? '—' : error.field,
    reason,
  };
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
