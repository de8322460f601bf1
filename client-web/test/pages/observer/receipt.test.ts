// The receipt lookup box: what people type, normalised as DESIGN.md §3.5/§3.6 say, and what the
// page answers; found for real in the vectors chain by the browser verifier.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/crypto/bytes';
import { receiptCode } from '../../../src/crypto/codes';
import { sodiumReady } from '../../../src/crypto/sodium';
import { setLang } from '../../../src/i18n/i18n';
import { normalizeReceiptQuery, receiptAnswer } from '../../../src/pages/observer/receipt';
import { vectors, verifiedVectors } from '../fixtures';

beforeAll(async () => {
  await sodiumReady();
});
afterEach(() => setLang('zh'));

describe('normalizeReceiptQuery', () => {
  it.each([
    ['ABCD-EFGH', 'ABCD-EFGH'],
    ['abcd-efgh', 'ABCD-EFGH'],
    ['abcdefgh', 'ABCD-EFGH'],
    ['  abcd efgh  ', 'ABCD-EFGH'],
    ['ab cd-ef gh', 'ABCD-EFGH'],
    ['il0o-1234', '1100-1234'],
    ['IL0O 1234', '1100-1234'],
    ['abcd\tefgh', 'ABCD-EFGH'],
  ])('reads %j as the code %s', (typed, code) => {
    expect(normalizeReceiptQuery(typed)).toEqual({ kind: 'code', value: code });
  });

  it('reads a full hash in either case, with spaces, as lower-case hex', () => {
    const hash = vectors.chain[17]!.hash;
    expect(normalizeReceiptQuery(hash)).toEqual({ kind: 'hash', value: hash });
    expect(normalizeReceiptQuery(hash.toUpperCase())).toEqual({ kind: 'hash', value: hash });
    expect(normalizeReceiptQuery(` ${hash.slice(0, 32)} ${hash.slice(32)} `)).toEqual({ kind: 'hash', value: hash });
  });

  it.each([
    ['UUUU-0000'], // U is not Crockford
    ['ABCD-EFG'], // 7 characters
    ['ABCD-EFGH-J'], // 9 characters
    ['ABCD/EFGH'],
    ['选票回执'],
    ['0'.repeat(63)],
    ['x'.repeat(300)],
  ])('refuses %j', (typed) => {
    expect(normalizeReceiptQuery(typed)).toEqual({ kind: 'invalid' });
  });

  it('tells an empty box apart', () => {
    expect(normalizeReceiptQuery('')).toEqual({ kind: 'empty' });
    expect(normalizeReceiptQuery(' - ')).toEqual({ kind: 'empty' });
  });
});

describe('receiptAnswer', () => {
  const match = { seq: 17, round: 1, hash: vectors.chain[17]!.hash, code: 'ABCD-EFGH', verified: true };
  const query = { kind: 'code' as const, value: 'ABCD-EFGH' };

  it('names the round and the record of a verified ballot', () => {
    const a = receiptAnswer(query, match, false);
    expect(a).toMatchObject({ found: true, tone: 'ok' });
    expect(a.text).toContain('第 1 轮');
    expect(a.text).toContain('第 17 条记录');
    expect(a.text).toContain('已验证');
  });

  it('says so when the ballot is there but its record did not verify', () => {
    const a = receiptAnswer(query, { ...match, verified: false }, false);
    expect(a).toMatchObject({ found: true, tone: 'bad' });
    expect(a.text).toContain('没有通过验证');
  });

  it('distinguishes not found from not loaded yet', () => {
    expect(receiptAnswer(query, null, false)).toMatchObject({ found: false, tone: 'bad' });
    const loading = receiptAnswer(query, null, true);
    expect(loading).toMatchObject({ found: false, tone: 'warn' });
    expect(loading.text).toContain('还在载入');
  });

  it('explains a malformed code and an empty box', () => {
    expect(receiptAnswer({ kind: 'invalid' }, null, false)).toMatchObject({ found: false, tone: 'bad' });
    expect(receiptAnswer({ kind: 'empty' }, null, true)).toMatchObject({ found: false, tone: 'warn' });
  });

  it('answers in English when switched', () => {
    setLang('en');
    expect(receiptAnswer(query, match, false).text).toBe('✓ Found: the ballot with receipt ABCD-EFGH is in round 1, record 17, verified.');
  });
});

describe('a receipt of the vectors chain, typed loosely', () => {
  it('is found in its round at its seq by the verifier', async () => {
    const { verifier } = await verifiedVectors();
    for (const seq of [17, 18, 19, 30, 31, 32]) {
      const code = receiptCode(fromHex(vectors.chain[seq]!.hash));
      const typed = code.toLowerCase().replace('-', ' ');
      const q = normalizeReceiptQuery(typed);
      expect(q).toEqual({ kind: 'code', value: code });
      if (q.kind !== 'code') continue;
      const m = verifier.findReceipt(q.value);
      expect(m).toMatchObject({ seq, round: seq < 26 ? 1 : 2, verified: true });
      expect(receiptAnswer(q, m, false).found).toBe(true);
    }
  });

  it('is not found when it is no ballot (a check-in record hash)', async () => {
    const { verifier } = await verifiedVectors();
    const q = normalizeReceiptQuery(vectors.chain[7]!.hash);
    expect(q.kind).toBe('hash');
    if (q.kind !== 'hash') return;
    expect(verifier.findReceipt(q.value)).toBeNull();
    expect(receiptAnswer(q, null, false).found).toBe(false);
  });
});
