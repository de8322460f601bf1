// The tablet's pure decisions: the status line for every phase, the device-key check, the
// inclusion check, the trustee's stage and whether a round may be decrypted.
import { describe, expect, it } from 'vitest';
import {
  type BallotSeen,
  decryptStage,
  deriveStatus,
  deviceKeyState,
  inclusionCheck,
  latestOpenedRound,
  roundsToDecrypt,
  trusteeStage,
} from '../../../src/pages/tablet/model';
import type { DecryptionRecord, RoundRecord, TrusteeRecord } from '../../../src/pages/tablet/store';
import type { RoundInfo, SessionInfo } from '../../../src/verify/types';
import { vectorRound, vectorSession } from '../fixtures';

const record = (round: number, extra: Partial<RoundRecord> = {}): RoundRecord => ({
  round,
  vk: 'aa'.repeat(32),
  ske: 'bb'.repeat(64),
  input: 'cc',
  blind: 'dd'.repeat(32),
  blinded: 'ee'.repeat(32),
  token: null,
  choices: null,
  ballot: null,
  receipt: null,
  votedAck: false,
  ...extra,
});

const unsealed = (): SessionInfo => ({ ...vectorSession(), electionKey: null, trustees: [] });

describe('deriveStatus', () => {
  const session = vectorSession();
  const receipt = { seq: 19, hash: '11'.repeat(32), sig: '22'.repeat(64), sigValid: true };
  const cases: [string, Parameters<typeof deriveStatus>[0], string][] = [
    ['not checked in', { checkedIn: false, session, rounds: [], records: new Map() }, 'checkin'],
    ['not checked in, even with a round open', { checkedIn: false, session, rounds: [vectorRound(1, 'open')], records: new Map() }, 'checkin'],
    ['checked in, key not sealed', { checkedIn: true, session: unsealed(), rounds: [vectorRound(1, 'defined')], records: new Map() }, 'checked_in'],
    ['checked in, chain not read yet', { checkedIn: true, session: null, rounds: [], records: new Map() }, 'checked_in'],
    ['sealed, no round opened', { checkedIn: true, session, rounds: [vectorRound(1, 'defined'), vectorRound(2, 'defined')], records: new Map() }, 'waiting'],
    ['a round open, no receipt', { checkedIn: true, session, rounds: [vectorRound(1, 'open')], records: new Map([[1, record(1)]]) }, 'voting'],
    ['a round open, token but no receipt', { checkedIn: true, session, rounds: [vectorRound(1, 'open')], records: new Map([[1, record(1, { token: 'ff'.repeat(32) })]]) }, 'voting'],
    ['a round open, receipt held', { checkedIn: true, session, rounds: [vectorRound(1, 'open')], records: new Map([[1, record(1, { receipt })]]) }, 'voted'],
    ['a round open, receipt of an earlier round only', { checkedIn: true, session, rounds: [vectorRound(1, 'revealed'), vectorRound(2, 'open')], records: new Map([[1, record(1, { receipt })]]) }, 'voting'],
    ['the round closed', { checkedIn: true, session, rounds: [vectorRound(1, 'closed'), vectorRound(2, 'defined')], records: new Map([[1, record(1, { receipt })]]) }, 'closed'],
    ['the round resulted and revealed', { checkedIn: true, session, rounds: [vectorRound(1, 'revealed'), vectorRound(2, 'defined')], records: new Map() }, 'closed'],
    ['adjourned', { checkedIn: true, session: { ...session, adjourned: true }, rounds: [vectorRound(1, 'revealed'), vectorRound(2, 'revealed')], records: new Map() }, 'adjourned'],
  ];
  it.each(cases)('%s', (_name, input, want) => {
    expect(deriveStatus(input)).toBe(want);
  });

  it('follows the most recently opened round', () => {
    expect(latestOpenedRound([vectorRound(1, 'revealed'), vectorRound(2, 'closed')])?.round).toBe(2);
    expect(latestOpenedRound([vectorRound(1, 'defined')])).toBeNull();
  });
});

describe('deviceKeyState', () => {
  const session = vectorSession();
  const m01 = session.members.find((m) => m.id === 'm01')!;
  it('is ok when the latest check_in carries this tablet’s key', () => {
    expect(deviceKeyState({ session, member: 'm01', publicKey: m01.deviceKey!, caughtUp: true })).toBe('ok');
  });
  it('is a mismatch for another key, caught up or not', () => {
    expect(deviceKeyState({ session, member: 'm01', publicKey: '00'.repeat(32), caughtUp: false })).toBe('mismatch');
    expect(deviceKeyState({ session, member: 'm01', publicKey: '00'.repeat(32), caughtUp: true })).toBe('mismatch');
  });
  it('waits for the chain, then says mismatch when no check_in of the member was found', () => {
    const none = { ...session, members: session.members.map((m) => ({ ...m, deviceKey: null, checkInSeq: null, present: false })) };
    expect(deviceKeyState({ session: none, member: 'm01', publicKey: m01.deviceKey!, caughtUp: false })).toBe('pending');
    expect(deviceKeyState({ session: none, member: 'm01', publicKey: m01.deviceKey!, caughtUp: true })).toBe('mismatch');
    expect(deviceKeyState({ session: null, member: 'm01', publicKey: m01.deviceKey!, caughtUp: true })).toBe('pending');
  });
});

describe('inclusionCheck', () => {
  const closed = vectorRound(1, 'closed');
  const closedSeq = closed.closedSeq!;
  const vk = 'ab'.repeat(32);
  const hash = 'cd'.repeat(32);
  const receipt = { seq: 17, hash, sig: '00'.repeat(64), sigValid: true };
  const seen = new Map<number, BallotSeen>([[17, { round: 1, vk, hash }]]);
  const base = { round: closed, record: record(1, { vk, receipt }), member: 'm01', ballots: seen, chainLength: closedSeq + 1, failure: null };

  it('is ok when the receipted ballot and the declaration are both on the chain', () => {
    expect(inclusionCheck(base)).toEqual({ round: 1, state: 'ok', reasons: [] });
  });
  it('is pending until round_closed has been verified', () => {
    expect(inclusionCheck({ ...base, round: vectorRound(1, 'open') })?.state).toBe('pending');
    expect(inclusionCheck({ ...base, chainLength: closedSeq })?.state).toBe('pending');
    expect(inclusionCheck({ ...base, failure: { seq: 12, code: 'BROKEN_LINK', field: 'prev', message: '' } })?.state).toBe('pending');
  });
  it('is nothing without a receipt', () => {
    expect(inclusionCheck({ ...base, record: record(1) })).toBeNull();
  });
  it('is missing when the record at the receipt’s seq has another hash, another vk or round, or none', () => {
    expect(inclusionCheck({ ...base, ballots: new Map([[17, { round: 1, vk, hash: 'ef'.repeat(32) }]]) })).toEqual({ round: 1, state: 'missing', reasons: ['ballot'] });
    expect(inclusionCheck({ ...base, ballots: new Map([[17, { round: 1, vk: 'ee'.repeat(32), hash }]]) })?.reasons).toEqual(['ballot']);
    expect(inclusionCheck({ ...base, ballots: new Map([[17, { round: 2, vk, hash }]]) })?.reasons).toEqual(['ballot']);
    expect(inclusionCheck({ ...base, ballots: new Map() })?.reasons).toEqual(['ballot']);
  });
  it('is missing when the member is not among the declarations', () => {
    expect(inclusionCheck({ ...base, member: 'm04' })).toEqual({ round: 1, state: 'missing', reasons: ['declaration'] });
    expect(inclusionCheck({ ...base, member: 'm05', ballots: new Map() })?.reasons).toEqual(['ballot', 'declaration']);
  });
});

describe('trusteeStage', () => {
  const sealed = vectorSession();
  const m01 = sealed.trustees.find((t) => t.id === 'm01')!;
  const rec = (key: string): TrusteeRecord => ({ x: '01'.repeat(32), key, proof: null });
  it('walks none → show → confirm → sending before the key is on the chain', () => {
    const session = unsealed();
    expect(trusteeStage({ member: 'm01', session, record: null, draft: null })).toBe('none');
    expect(trusteeStage({ member: 'm01', session, record: null, draft: 'show' })).toBe('show');
    expect(trusteeStage({ member: 'm01', session, record: null, draft: 'confirm' })).toBe('confirm');
    expect(trusteeStage({ member: 'm01', session, record: rec(m01.key), draft: null })).toBe('sending');
  });
  it('is ready with the chain’s key here, and asks for the paper code otherwise', () => {
    expect(trusteeStage({ member: 'm01', session: sealed, record: rec(m01.key), draft: null })).toBe('ready');
    expect(trusteeStage({ member: 'm01', session: sealed, record: null, draft: null })).toBe('missing');
    expect(trusteeStage({ member: 'm01', session: sealed, record: rec('99'.repeat(32)), draft: null })).toBe('mismatch');
  });
  it('reports a sealed key without this scrutineer', () => {
    const session = { ...sealed, trustees: sealed.trustees.filter((t) => t.id !== 'm01') };
    expect(trusteeStage({ member: 'm01', session, record: null, draft: null })).toBe('sealed_without');
  });
});

describe('decryptStage', () => {
  const closed = vectorRound(1, 'closed');
  const closedSeq = closed.closedSeq!;
  const proofs = (rounds: RoundInfo[], length = closedSeq + 2) => ({ length, failure: null, rounds });
  const base = { member: 'm01', round: closed, trusteeReady: true, stored: null, proofs: proofs([closed]) };
  const stored = (closedHash: string): DecryptionRecord => ({ round: 1, closedHash, shares: [], sent: false });

  it('is ready once every proof up to round_closed verified and the sums are the ballots’ sums', () => {
    expect(decryptStage(base)).toEqual({ kind: 'ready', ballots: 3, comparisonCode: closed.comparisonCode, closedHash: closed.closedHash });
  });
  it('waits while the tablet’s own verification has not passed round_closed', () => {
    expect(decryptStage({ ...base, proofs: proofs([closed], closedSeq) })).toEqual({ kind: 'verifying', done: closedSeq, total: closedSeq + 1 });
    expect(decryptStage({ ...base, proofs: null })).toMatchObject({ kind: 'verifying' });
  });
  it('refuses when the verification failed or did not verify the sums', () => {
    const failure = { seq: 18, code: 'INVALID_PROOF', field: 'contests[0].selections[0].proof', message: '' };
    expect(decryptStage({ ...base, proofs: { length: 18, failure, rounds: [closed] } })).toEqual({ kind: 'failed', error: failure });
    expect(decryptStage({ ...base, proofs: proofs([{ ...closed, sumsVerified: false }]) })).toEqual({ kind: 'failed', error: null });
  });
  it('needs the key on this tablet', () => {
    expect(decryptStage({ ...base, trusteeReady: false })).toEqual({ kind: 'no_key' });
  });
  it('is done once this trustee’s shares are on the chain', () => {
    expect(decryptStage({ ...base, round: { ...closed, decryptions: ['server', 'm01'] } })).toEqual({ kind: 'done' });
  });
  it('re-sends shares stored for this round_closed, and refuses a round decrypted against another', () => {
    expect(decryptStage({ ...base, stored: stored(closed.closedHash!) })).toEqual({ kind: 'sending' });
    expect(decryptStage({ ...base, stored: stored('ab'.repeat(32)) })).toEqual({ kind: 'refused', storedHash: 'ab'.repeat(32) });
    // Even when the key is gone or verification has not finished: the memory decides first.
    expect(decryptStage({ ...base, trusteeReady: false, proofs: null, stored: stored('ab'.repeat(32)) }).kind).toBe('refused');
  });
  it('lists only closed rounds with ballots', () => {
    const empty = { ...vectorRound(2, 'closed'), ballots: 0 };
    expect(roundsToDecrypt([closed, empty, vectorRound(2, 'open')]).map((r) => r.round)).toEqual([1]);
  });
});
