// The browser verifier against the tamper catalogue (tamper-cases.ts) and the C++ tamper tests'
// whole-chain classes: every defect is refused at the record it is in, with the C++ fold's code
// and field, and nothing from that record on is accepted. Heads are re-signed with the vectors'
// server key for every tampered chain, so a refusal is never a head's doing unless the test is
// about heads.
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { ChainVerifier } from '../../src/verify/chain-verifier';
import { lineHash, primeCache, pushCached, relink, signHead, signHeads, verify } from './chain-kit';
import { catalogue, decodeCases, invalidBallotCases } from './tamper-cases';
import { vectorLines, vectors } from './vectors';

const L = vectorLines();
const HEADS = vectors.chain.map((e) => e.head_sig);

function relinkFrom(lines: string[], from: number): string[] {
  return relink(lines, from);
}

beforeAll(async () => {
  await sodiumReady();
  primeCache();
});

function expectRefused(lines: string[], seq: number, code: string, field: string): void {
  const { failure, verifier } = verify(lines, signHeads(lines));
  expect(failure, 'the defect was accepted').not.toBeNull();
  expect({ seq: failure!.seq, code: failure!.code, field: failure!.field }, failure!.message).toEqual({ seq, code, field });
  expect(verifier.length).toBe(seq); // nothing at or after the defect was accepted
}

describe('the tamper catalogue', () => {
  it.each(catalogue.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectRefused(c.lines(), c.seq, c.code, c.field);
  });
});

describe('defects of the line itself', () => {
  it.each(decodeCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectRefused(c.lines(), c.seq, c.code, c.field);
  });

  it('accepts JSON whitespace between tokens (the line, spaces and all, is what is hashed)', () => {
    // After the last decryption, so that no proof is bound to the changed hashes.
    const lines = [...L];
    lines[37] = L[37]!.replace('{"seq":37,', '{ "seq" : 37 ,\t').replace(/\}$/, ' }');
    const relinked = relinkFrom(lines, 38);
    const { failure, verifier } = verify(relinked, signHeads(relinked));
    expect(failure).toBeNull();
    expect(verifier.length).toBe(L.length);
    expect(verifier.rounds()[1]!.status).toBe('revealed');
  });
});

describe("the vectors' invalid ballots on the chain", () => {
  it.each(invalidBallotCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectRefused(c.lines(), c.seq, c.code, c.field);
  });
});

// chain_check_test.cpp RefusesAFlippedDigitInEveryFieldOfEveryRecord: one character changed at
// the start of every string value of every record, the chain otherwise left as it was (no
// re-linking, no heads). Refused at that record, or — where no signature or proof covers the
// string (a title) — at the next, whose prev no longer links; never accepted, never later.
describe('a flipped character in every string of every record', () => {
  it('is refused at that record or the next', () => {
    let cases = 0;
    const prefix = new ChainVerifier(); // records 0 … i − 1, verified once
    for (let i = 0; i < L.length; i++) {
      const original = L[i]!;
      for (let pos = original.indexOf(':"'); pos >= 0; pos = original.indexOf(':"', pos + 1)) {
        const at = pos + 2;
        const c = original[at];
        if (c === undefined || c === '"') continue;
        const flipped = c === '0' ? '1' : c === '1' ? '0' : /[0-9a-f]/.test(c) ? '0' : c;
        if (flipped === c) continue;
        const v = prefix.clone();
        if (pushCached(v, original.slice(0, at) + flipped + original.slice(at + 1)) && i + 1 < L.length) pushCached(v, L[i + 1]!);
        cases++;
        const failure = v.failure;
        expect(failure, `record ${i} accepted with a flipped character at ${at}`).not.toBeNull();
        expect([i, i + 1], `record ${i} flipped at ${at}: refused at ${failure!.seq} (${failure!.code} ${failure!.field})`).toContain(failure!.seq);
        if (failure!.seq === i + 1) expect(failure!).toMatchObject({ code: 'BROKEN_LINK', field: 'prev' });
      }
      expect(pushCached(prefix, original)).toBe(true);
    }
    expect(cases).toBeGreaterThan(300);
  });
});

// chain_check_test.cpp RefusesADroppedADuplicatedAndTwoSwappedRecords.
describe('records dropped, duplicated or swapped', () => {
  it('is refused where the chain stops linking', () => {
    const prefix = new ChainVerifier();
    expect(pushCached(prefix, L[0]!)).toBe(true);
    for (let i = 1; i + 1 < L.length; i++) {
      const dropped = prefix.clone();
      pushCached(dropped, L[i + 1]!);
      expect(dropped.failure).toMatchObject({ seq: i, code: 'BROKEN_LINK', field: 'seq' });
      const duplicated = prefix.clone();
      expect(pushCached(duplicated, L[i]!)).toBe(true);
      pushCached(duplicated, L[i]!);
      expect(duplicated.failure).toMatchObject({ seq: i + 1, code: 'BROKEN_LINK', field: 'seq' });
      const swapped = prefix.clone();
      pushCached(swapped, L[i + 1]!);
      expect(swapped.failure).toMatchObject({ seq: i, code: 'BROKEN_LINK', field: 'seq' });
      expect(pushCached(prefix, L[i]!)).toBe(true);
    }
  });

  it('refuses two ballots swapped and re-linked through the heads, or the decryptions bound to round_closed', () => {
    // Nothing in a ballot says when it came, so the swapped chain links and every ballot
    // verifies; but round_closed now has another hash, and every decryption share's proof is
    // bound to the one the trustees saw. With the server's heads, the first changed record fails.
    const swapped = [...L];
    [swapped[30], swapped[31]] = [swapped[31]!, swapped[30]!];
    swapped[31] = swapped[31]!.replace(/"time":"[^"]+"/, `"time":"${String(JSON.parse(L[31]!).time)}"`);
    const relinked = relinkFrom(swapped, 30);
    expect(verify(relinked, signHeads(relinked)).failure).toMatchObject({ seq: 34, code: 'INVALID_PROOF', field: 'shares[0].options[0].proof' });
    expect(verify(relinked, HEADS).failure).toMatchObject({ seq: 30, code: 'BAD_HEAD_SIGNATURE', field: 'sig' });
  });
});

describe('signed heads', () => {
  it('accepts the vectors’ heads and refuses a head with one bit changed, leaving its record out', () => {
    const heads = [...HEADS];
    heads[5] = (heads[5]![0] === '0' ? '1' : '0') + heads[5]!.slice(1);
    const { failure, verifier } = verify(L, heads);
    expect(failure).toMatchObject({ seq: 5, code: 'BAD_HEAD_SIGNATURE', field: 'sig' });
    expect(verifier.length).toBe(5);
    expect(verifier.push(L[5]!, HEADS[5]).error).toEqual(failure); // stopped for good
    expect(verify(L, ['zz'.repeat(64)]).failure).toMatchObject({ seq: 0, code: 'BAD_HEAD_SIGNATURE' });
  });

  it('refuses a record changed and re-linked after the last proof only through the signed heads', () => {
    const lines = relinkFrom(L.map((l, i) => (i === 38 ? l.replace('"time":"2026-11-23T09:00:57.000Z"', '"time":"2026-11-23T09:00:57.001Z"') : l)), 39);
    expect(lines[38]).not.toBe(L[38]);
    expect(verify(lines).failure).toBeNull();
    expect(verify(lines, HEADS).failure).toMatchObject({ seq: 38, code: 'BAD_HEAD_SIGNATURE', field: 'sig' });
  });

  it('checks a head it is given: signature first, then that the verified chain has it', () => {
    const { verifier } = verify(L, HEADS);
    const last = L.length - 1;
    const good = { seq: last, hash: vectors.chain[last]!.hash, sig: HEADS[last]! };
    expect(verifier.checkHead(good)).toBeNull();
    expect(verifier.checkHead({ seq: 17, hash: vectors.chain[17]!.hash, sig: HEADS[17]! })).toBeNull();
    const forged = { ...good, sig: (good.sig[0] === '0' ? '1' : '0') + good.sig.slice(1) };
    expect(verifier.checkHead(forged)).toMatchObject({ seq: last, code: 'BAD_HEAD_SIGNATURE', field: 'sig' });
    // A validly signed head of a record this chain does not have: the server signed a fork.
    const forkHash = lineHash(L[last]!.replace('"adjourned"', '"adjourned"  '));
    const fork = { seq: last, hash: forkHash, sig: signHead(L, last, forkHash) };
    expect(verifier.checkHead(fork)).toMatchObject({ seq: last, code: 'BROKEN_LINK', field: 'hash' });
    const ahead = { seq: last + 1, hash: forkHash, sig: signHead(L, last + 1, forkHash) };
    expect(verifier.checkHead(ahead)).toMatchObject({ code: 'NOT_FOUND', field: 'seq' });
    expect(verifier.checkHead({ seq: -1, hash: good.hash, sig: good.sig })).toMatchObject({ code: 'BAD_REQUEST', field: 'seq' });
    expect(new ChainVerifier().checkHead(good)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a second, different line for a seq it has accepted (two chains published)', () => {
    const { verifier } = verify(L);
    expect(verifier.checkRepeat(12, L[12]!)).toBeNull();
    expect(verifier.failure).toBeNull();
    const other = L[12]!.replace('"present":5', '"present":5 ');
    expect(verifier.checkRepeat(12, other)).toMatchObject({ seq: 12, code: 'BROKEN_LINK', field: 'hash' });
    expect(verifier.failure).toMatchObject({ seq: 12, code: 'BROKEN_LINK' });
  });
});

describe('receipts of a refused ballot', () => {
  it('are found, marked not verified', () => {
    const lines = [...L];
    lines[18] = lines[18]!.replace(/"sig":"(.)/, (_m, c: string) => `"sig":"${c === '0' ? '1' : '0'}`);
    const { verifier, failure } = verify(lines);
    expect(failure).toMatchObject({ seq: 18, code: 'INVALID_SIGNATURE' });
    const bad = verifier.findReceipt(lineHash(lines[18]!))!;
    expect(bad).toMatchObject({ seq: 18, round: 1, verified: false });
    expect(verifier.findReceipt(bad.code)).toEqual(bad);
    expect(verifier.findReceipt(vectors.chain[17]!.hash)).toMatchObject({ seq: 17, verified: true });
  });
});
