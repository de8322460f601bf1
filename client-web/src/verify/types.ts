// What the browser verifier reports (the contract the observer page, the projector and the
// tablets read): the first failure with its catalogue code and field, and the session and its
// rounds as far as the chain has been verified.

/** A record the verifier refused. `code` is one of the C++ fold's catalogue codes (docs/RECORDS.md:
 *  BAD_REQUEST, FORBIDDEN, NOT_FOUND, ROUND_NOT_OPEN, QUORUM_NOT_MET, ALREADY_ISSUED, TOKEN_SPENT,
 *  INVALID_TOKEN, INVALID_POINT, INVALID_PROOF, INVALID_SIGNATURE, DUPLICATE_CIPHERTEXT,
 *  PAYLOAD_TOO_LARGE, INTERNAL) or one of the verifier's own: BROKEN_LINK (seq, prev, or a hash
 *  that differs from the one verified), BAD_HEAD_SIGNATURE, BAD_JSON (a line that is not JSON).
 *  `field` is the path inside the record ("contests[1].selections[0].alpha"), as the C++ names it. */
export interface VerifyError {
  seq: number;
  code: string;
  field: string;
  message: string;
}

export type RoundStatus = 'defined' | 'open' | 'closed' | 'resulted' | 'revealed';
export type RoundKind = 'evaluation' | 'motion' | 'selection';

export interface ContestInfo {
  id: string;
  title: string;
  options: string[];
  min: number;
  max: number;
}

export interface RoundInfo {
  round: number;
  title: string;
  kind: RoundKind;
  contests: ContestInfo[];
  rule: Record<string, unknown>; // as on the chain
  status: RoundStatus;
  openedSeq: number | null;
  closedSeq: number | null;
  resultSeq: number | null;
  revealedSeq: number | null;
  present: number | null; // round_opened.present, then round_closed.present
  tokens: number;
  ballots: number; // counted from the records so far
  voted: string[] | null; // member ids from round_closed
  closedHash: string | null; // hex of the round_closed line's hash
  comparisonCode: string | null; // DESIGN §3.4 of closedHash
  sumsVerified: boolean; // round_closed sums equal the sums of the verified ballots
  decryptions: string[]; // trustee ids whose shares verified
  counts: number[][] | null; // recovered from the verified shares
  result: ResultContest[] | null; // the result record's contests, once verified against the rules
  undeclared: number | null;
}

/** One contest of a `result` record (DESIGN §3.7). Evaluation: id, counts, grade, passed, rate_bp,
 *  score_x100, rank. Motion: id, counts, passed. Selection: id, counts, selected, tied. */
export interface ResultContest {
  id: string;
  counts: number[];
  grade?: number | null;
  passed?: boolean;
  rate_bp?: number | null;
  score_x100?: number | null;
  rank?: number | null;
  selected?: number[];
  tied?: number[];
}

export interface MemberInfo {
  id: string;
  name: string;
  seat: string;
  scrutineer: boolean;
  present: boolean;
  deviceKey: string | null;
  checkInSeq: number | null;
}

export interface SessionInfo {
  sessionId: string;
  title: string;
  committee: string;
  date: string;
  serverKey: string;
  tokenKey: string;
  quorum: { num: number; den: number };
  scrutineers: string[];
  members: MemberInfo[];
  trustees: { id: string; name: string; key: string }[];
  electionKey: string | null;
  adjourned: boolean;
}

export interface ReceiptMatch {
  seq: number;
  round: number;
  hash: string;
  code: string;
  verified: boolean;
}

/** The result of one ChainVerifier.push. */
export interface PushResult {
  seq: number;
  type: string;
  ok: boolean;
  error?: VerifyError;
}
