// The tablet's decisions as pure functions of what it knows: the verified chain (session,
// rounds), what it stored on its own disk, and the full verification of a scrutineer. The
// controller feeds them; the tests call them directly for every phase.

import type { RoundInfo, SessionInfo, VerifyError } from '../../verify/types';
import type { DecryptionRecord, RoundRecord, TrusteeRecord } from './store';

export type Status = 'checkin' | 'checked_in' | 'waiting' | 'voting' | 'voted' | 'closed' | 'adjourned';

/** A ballot record as the tablet saw it pass: enough to find its own receipt on the chain. */
export interface BallotSeen {
  round: number;
  vk: string;
  hash: string;
}

/** The round most recently opened, or null before the first. */
export function latestOpenedRound(rounds: readonly RoundInfo[]): RoundInfo | null {
  let latest: RoundInfo | null = null;
  for (const r of rounds) {
    if (r.openedSeq === null) continue;
    if (!latest || r.openedSeq > (latest.openedSeq ?? -1)) latest = r;
  }
  return latest;
}

export function openRound(rounds: readonly RoundInfo[]): RoundInfo | null {
  return rounds.find((r) => r.status === 'open') ?? null;
}

/**
 * The status line (DESIGN.md §2 phases, as the member sees them):
 * not checked in → checkin; the session adjourned → adjourned; a round open → voting, or voted
 * once this tablet holds its receipt; otherwise the last opened round ended → closed; the
 * election key sealed (rounds may open) → waiting; else checked_in.
 */
export function deriveStatus(input: {
  checkedIn: boolean;
  session: SessionInfo | null;
  rounds: readonly RoundInfo[];
  records: ReadonlyMap<number, RoundRecord>;
}): Status {
  if (!input.checkedIn) return 'checkin';
  if (input.session?.adjourned) return 'adjourned';
  const open = openRound(input.rounds);
  if (open) return input.records.get(open.round)?.receipt ? 'voted' : 'voting';
  if (latestOpenedRound(input.rounds)) return 'closed';
  if (input.session?.electionKey) return 'waiting';
  return 'checked_in';
}

/** Whether the chain's latest check_in of this member carries this tablet's device key
 *  (DESIGN.md §2, §7). `pending` until the chain has been read up to the hello's head. */
export function deviceKeyState(input: {
  session: SessionInfo | null;
  member: string | null;
  publicKey: string;
  caughtUp: boolean;
}): 'pending' | 'ok' | 'mismatch' {
  if (!input.member || !input.session) return 'pending';
  const m = input.session.members.find((x) => x.id === input.member);
  if (!m) return input.caughtUp ? 'mismatch' : 'pending';
  if (m.deviceKey === null) return input.caughtUp ? 'mismatch' : 'pending';
  return m.deviceKey === input.publicKey ? 'ok' : 'mismatch';
}

export type InclusionReason = 'ballot' | 'declaration';

export interface Inclusion {
  round: number;
  state: 'pending' | 'ok' | 'missing';
  reasons: InclusionReason[];
}

/**
 * After its round closes, the tablet's own check (DESIGN.md §3.6, §7): the ballot record at the
 * receipt's seq has the receipt's hash, is of this round and carries this tablet's vk; and this
 * member is among round_closed's declarations. Pending until round_closed has been verified.
 */
export function inclusionCheck(input: {
  round: RoundInfo;
  record: RoundRecord;
  member: string;
  ballots: ReadonlyMap<number, BallotSeen>;
  chainLength: number;
  failure: VerifyError | null;
}): Inclusion | null {
  const { round, record } = input;
  if (!record.receipt) return null;
  const pending: Inclusion = { round: round.round, state: 'pending', reasons: [] };
  if (round.closedSeq === null || round.voted === null) return pending;
  if (input.chainLength <= round.closedSeq) return pending;
  // A chain that failed verification before round_closed proves nothing either way; the alarm
  // for the failure is shown on its own.
  if (input.failure && input.failure.seq <= round.closedSeq) return pending;
  const reasons: InclusionReason[] = [];
  const seen = input.ballots.get(record.receipt.seq);
  const ballotOk =
    seen !== undefined &&
    seen.hash === record.receipt.hash &&
    seen.round === round.round &&
    seen.vk === record.vk &&
    record.receipt.seq < round.closedSeq;
  if (!ballotOk) reasons.push('ballot');
  if (!round.voted.includes(input.member)) reasons.push('declaration');
  return { round: round.round, state: reasons.length === 0 ? 'ok' : 'missing', reasons };
}

export type TrusteeStage = 'none' | 'show' | 'confirm' | 'sending' | 'ready' | 'missing' | 'mismatch' | 'sealed_without';

/**
 * Where the scrutineer's key stands (DESIGN.md §3.5): to be generated (none → show the code once
 * → type it back → sending), on the chain and on this device (ready), on the chain but not here
 * or not the same (missing / mismatch: restore from the paper code), or never sent and sealed
 * without it.
 */
export function trusteeStage(input: {
  member: string;
  session: SessionInfo;
  record: TrusteeRecord | null;
  draft: 'show' | 'confirm' | null;
}): TrusteeStage {
  const onChain = input.session.trustees.find((x) => x.id === input.member);
  if (onChain) {
    if (!input.record) return 'missing';
    return input.record.key === onChain.key ? 'ready' : 'mismatch';
  }
  if (input.session.electionKey) return 'sealed_without';
  if (input.record) return 'sending';
  return input.draft ?? 'none';
}

/** What the scrutineer's full verification (checkProofs) has established so far. */
export interface ProofView {
  length: number;
  failure: VerifyError | null;
  rounds: readonly RoundInfo[];
}

export type DecryptStage =
  | { kind: 'done' }
  | { kind: 'no_key' }
  | { kind: 'refused'; storedHash: string }
  | { kind: 'verifying'; done: number; total: number }
  | { kind: 'failed'; error: VerifyError | null }
  | { kind: 'ready'; ballots: number; comparisonCode: string; closedHash: string }
  | { kind: 'sending' };

/**
 * Whether this scrutineer may decrypt a closed round (DESIGN.md §3.4), in this order: already on
 * the chain (done); no key here (no_key); remembered on this device — the same round_closed is
 * only re-sent (sending), a different one is a fork and refused; the tablet's own verification
 * of every proof must have passed round_closed with no failure and with the sums equal to the
 * sums of the ballots it verified; only then `ready` (show count and code, then approve).
 * A round is decrypted at most once per device: the shares are stored, bound to the round_closed
 * hash, before they are sent, and nothing else is ever computed for that round here.
 */
export function decryptStage(input: {
  member: string;
  round: RoundInfo;
  trusteeReady: boolean;
  stored: DecryptionRecord | null;
  proofs: ProofView | null;
}): DecryptStage {
  const { round } = input;
  if (round.decryptions.includes(input.member)) return { kind: 'done' };
  if (input.stored) {
    if (input.stored.closedHash !== round.closedHash) return { kind: 'refused', storedHash: input.stored.closedHash };
    return { kind: 'sending' };
  }
  if (!input.trusteeReady) return { kind: 'no_key' };
  const closedSeq = round.closedSeq;
  const proofs = input.proofs;
  if (closedSeq === null || !proofs) return { kind: 'verifying', done: 0, total: (closedSeq ?? 0) + 1 };
  if (proofs.failure) return { kind: 'failed', error: proofs.failure };
  if (proofs.length <= closedSeq) return { kind: 'verifying', done: proofs.length, total: closedSeq + 1 };
  const verified = proofs.rounds.find((r) => r.round === round.round);
  if (!verified || verified.closedSeq !== closedSeq || !verified.sumsVerified || !verified.closedHash || !verified.comparisonCode) {
    return { kind: 'failed', error: null };
  }
  if (verified.closedHash !== round.closedHash) return { kind: 'failed', error: null };
  return { kind: 'ready', ballots: verified.ballots, comparisonCode: verified.comparisonCode, closedHash: verified.closedHash };
}

/** Rounds a scrutineer has to consider: closed, with ballots (a round without ballots has no
 *  sums and no decryption records, DESIGN.md §3.4). */
export function roundsToDecrypt(rounds: readonly RoundInfo[]): RoundInfo[] {
  return rounds.filter((r) => r.closedSeq !== null && r.ballots > 0);
}
