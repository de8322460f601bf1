// The browser fold on the cross-implementation chain (tests/vectors/pingyi-v1.json, built by the
// C++ pingyi-vectors straight from crypto/): every record verifies, with its signed head; the
// session, every round's counts and result, and every receipt are what the vectors say.
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { ChainVerifier } from '../../src/verify/chain-verifier';
import { vectorLines, vectors } from './vectors';

beforeAll(async () => {
  await sodiumReady();
});

function verifiedVectorChain(): ChainVerifier {
  const v = new ChainVerifier();
  for (const e of vectors.chain) {
    const r = v.push(e.line, e.head_sig);
    if (!r.ok) throw new Error(`record ${r.seq} (${r.type}) refused: ${r.error!.code} ${r.error!.field} ${r.error!.message}`);
  }
  return v;
}

describe('ChainVerifier on the vector chain', () => {
  it('accepts every record with its signed head and ends adjourned at the vectors head', () => {
    const v = verifiedVectorChain();
    expect(v.failure).toBeNull();
    expect(v.length).toBe(vectors.chain.length);
    expect(v.headHash).toBe(vectors.chain.at(-1)!.hash);
    expect(v.recordTypes[0]).toBe('genesis');
    expect(v.recordTypes.at(-1)).toBe('adjourned');
    const s = v.session()!;
    expect(s.sessionId).toBe(vectors.session.session_id);
    expect(s.serverKey).toBe(vectors.session.server_key);
    expect(s.tokenKey).toBe(vectors.session.token_key.pk);
    expect(s.electionKey).toBe(vectors.trustees.election_key);
    expect(s.adjourned).toBe(true);
    expect(s.trustees.map((t) => t.id)).toEqual(['server', 'm01', 'm02']);
    expect(s.scrutineers).toEqual(['m01', 'm02']);
    expect(s.members.filter((m) => m.scrutineer).map((m) => m.id)).toEqual(['m01', 'm02']);
    for (const c of vectors.check_ins) {
      const m = s.members.find((x) => x.id === c.member)!;
      expect(m.present).toBe(true);
      expect(m.deviceKey).toBe(c.device_key);
    }
  });

  it('recovers every round’s counts and verifies its result, closed hash and comparison code', () => {
    const rounds = verifiedVectorChain().rounds();
    expect(rounds).toHaveLength(vectors.rounds.length);
    for (const expected of vectors.rounds) {
      const r = rounds[expected.round - 1]!;
      expect(r.status).toBe('revealed');
      expect(r.counts).toEqual(expected.counts.map((c) => c.counts));
      expect(r.closedHash).toBe(expected.closed_hash);
      expect(r.comparisonCode).toBe(expected.comparison_code);
      expect(r.sumsVerified).toBe(true);
      expect(r.ballots).toBe(expected.ballots.length);
      expect(r.tokens).toBe(expected.tokens.length);
      expect(r.voted).toEqual(expected.tokens.map((t) => t.member).filter((m) => expected.ballots.some((b) => b.member === m)));
      expect(r.decryptions).toEqual(['server', 'm01', 'm02']);
      expect(r.undeclared).toBe(0);
      // The result record as it is on the chain, field by field.
      const line = vectors.chain.find((e) => e.line.includes('"type":"result"') && e.line.includes(`"round":${expected.round},`))!;
      expect(r.result).toEqual((JSON.parse(line.line) as { contests: unknown }).contests);
      expect(r.resultSeq).toBe(vectors.chain.indexOf(line));
    }
    expect(rounds[0]!.rule).toEqual({ pass_grades: 2, weights: [100, 60, 0] });
    expect(rounds[1]!.rule).toEqual({ num: 1, den: 2, inclusive: false });
  });

  it('finds every ballot by its short code, typed loosely, and by its hash', () => {
    const v = verifiedVectorChain();
    const ballots = vectors.chain.map((e, seq) => ({ ...e, seq })).filter((e) => e.line.includes('"type":"ballot"'));
    expect(ballots).toHaveLength(6);
    for (const b of ballots) {
      const byHash = v.findReceipt(b.hash)!;
      expect(byHash.seq).toBe(b.seq);
      expect(byHash.verified).toBe(true);
      const typed = ` ${byHash.code.toLowerCase().replace('-', ' ')} `.replaceAll('0', 'o').replaceAll('1', 'l');
      const byCode = v.findReceipt(typed)!;
      expect(byCode).toEqual(byHash);
      expect(byCode.round).toBe(b.seq < 26 ? 1 : 2);
    }
    // The code of a record that is not a ballot, and a code of nothing.
    expect(v.findReceipt(vectors.chain[0]!.hash)).toBeNull();
    expect(v.findReceipt('0000-0000')).toBeNull();
    expect(v.findReceipt('not a code')).toBeNull();
  });
});

describe('ChainVerifier, beyond the verdict', () => {
  it('clones a verified prefix: records pushed to the copy never reach the original', () => {
    const lines = vectorLines();
    const prefix = new ChainVerifier();
    for (const l of lines.slice(0, 19)) expect(prefix.push(l).ok).toBe(true);
    const copy = prefix.clone();
    for (const l of lines.slice(19, 25)) expect(copy.push(l).ok).toBe(true);
    expect(copy.rounds()[0]!.status).toBe('resulted');
    expect(prefix.length).toBe(19);
    expect(prefix.rounds()[0]).toMatchObject({ status: 'open', ballots: 2, counts: null });
    // The original goes on as if the copy had never been made, a failure of the copy included.
    const bad = copy.clone();
    expect(bad.push(lines[19]!).ok).toBe(false);
    expect(copy.failure).toBeNull();
    for (const l of lines.slice(19)) expect(prefix.push(l).ok).toBe(true);
    expect(prefix.rounds()).toEqual(verifiedVectorChain().rounds());
    expect(prefix.findReceipt(vectors.chain[30]!.hash)).toMatchObject({ seq: 30, round: 2 });
    expect(copy.findReceipt(vectors.chain[30]!.hash)).toBeNull();
  });

  it('without checkProofs takes ballots’ proofs on trust, and says the sums were not verified', () => {
    const lines = vectorLines();
    lines[17] = lines[17]!.replace(/"sig":"(.)/, (_m, c: string) => `"sig":"${c === '0' ? '1' : '0'}`);
    const trusting = new ChainVerifier({ checkProofs: false });
    expect(trusting.push(lines[0]!).ok).toBe(true);
    for (const l of lines.slice(1, 18)) trusting.push(l);
    expect(trusting.failure).toBeNull();
    const checking = new ChainVerifier();
    for (const l of lines.slice(0, 18)) checking.push(l);
    expect(checking.failure).toMatchObject({ seq: 17, code: 'INVALID_SIGNATURE', field: 'sig' });
    // The vector chain, trusted: everything else is still checked, but no round claims its sums.
    const v = new ChainVerifier({ checkProofs: false });
    for (const l of vectorLines()) expect(v.push(l).ok).toBe(true);
    expect(v.rounds().map((r) => r.sumsVerified)).toEqual([false, false]);
  });

  it('refuses a line that is not text, and everything after its first failure', () => {
    const v = new ChainVerifier();
    const r = v.push(42 as unknown as string);
    expect(r).toMatchObject({ seq: 0, ok: false, error: { code: 'BAD_JSON' } });
    expect(v.push(vectors.chain[0]!.line).error).toEqual(r.error);
    expect(v.length).toBe(0);
  });
});
