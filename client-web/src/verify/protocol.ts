// The messages between VerifierClient (the page), the fold worker (one ChainVerifier, records in
// seq order) and the proof workers (a ballot's proofs, any order). The page starts every worker
// with `start`; each proof worker gets one end of a MessageChannel whose other end the fold
// worker holds, so ballots and verdicts go between workers without the page.
import type { BallotContext } from './ballot-check';
import type { BallotBody } from './record';
import type { ReceiptMatch, RoundInfo, SessionInfo, VerifyError } from './types';

/** A record as the server pushes it ({seq, line, sig}) or as a file holds it (no sig). */
export interface RecordIn {
  seq: number;
  line: string;
  sig?: string;
}

/** The fold's state for the page. `types` holds the record types from seq `typesFrom` on,
 *  those the page has not been sent yet, so that a long chain's types cross once. */
export interface FoldState {
  length: number;
  headHash: string | null;
  failure: VerifyError | null;
  session: SessionInfo | null;
  rounds: RoundInfo[];
  typesFrom: number;
  types: string[];
}

// ---- page → workers ------------------------------------------------------------------------

export interface StartFold {
  type: 'start';
  role: 'fold';
  provers: MessagePort[]; // one per proof worker
}
export interface StartProver {
  type: 'start';
  role: 'proofs';
  fold: MessagePort;
}
export interface PushRecords {
  type: 'push';
  records: RecordIn[];
}
export interface FindReceipt {
  type: 'receipt';
  id: number;
  query: string;
}
export interface TakeSnapshot {
  type: 'snapshot';
  id: number;
}
export type ToWorker = StartFold | StartProver | PushRecords | FindReceipt | TakeSnapshot;

// ---- fold worker → page --------------------------------------------------------------------

export interface StateUpdate {
  type: 'update';
  state: FoldState;
  roundChanged: boolean;
}
export interface ReceiptAnswer {
  type: 'receipt';
  id: number;
  match: ReceiptMatch | null;
}
export interface SnapshotAnswer {
  type: 'snapshot';
  id: number;
  state: FoldState;
}
/** The worker cannot verify at all (libsodium did not load, a bug). */
export interface WorkerFailed {
  type: 'fatal';
  message: string;
}
export type FromFold = StateUpdate | ReceiptAnswer | SnapshotAnswer | WorkerFailed;

// ---- fold worker ↔ proof workers -----------------------------------------------------------

/** A ballot as the fold decoded it (points already checked canonical, so the proof worker
 *  does not decode the line a second time), and what it is checked against. */
export interface CheckBallot {
  type: 'ballot';
  seq: number;
  ballot: BallotBody;
  context: BallotContext;
}
export interface BallotChecked {
  type: 'verdict';
  seq: number;
  context: string; // contextKey(round, context)
  error: { code: string; field: string; message: string } | null;
}
export type FromProver = BallotChecked | WorkerFailed;
