// The observer's display models: overall status, the windowed record table (20,000 records never
// all in the page), row states, failures in the reader's language, and the per-round
// checks from what the browser verifier accepted of the vectors chain.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../src/crypto/bytes';
import { sha256 } from '../../../src/crypto/hash';
import { sodiumReady } from '../../../src/crypto/sodium';
import { setLang } from '../../../src/i18n/i18n';
import {
  type VerifiedChain,
  pageOfSeq,
  recordRows,
  roundChecks,
  rowState,
  tableWindow,
  verifyStatus,
} from '../../../src/pages/observer/model';
import { failureText } from '../../../src/verify/failure-text';
import { chainLines, vectorRound, vectorSession, vectors, verifiedVectors } from '../fixtures';

beforeAll(async () => {
  await sodiumReady();
});
afterEach(() => setLang('zh'));

const chainOf = (length: number, failure: VerifiedChain['failure'] = null): VerifiedChain => ({
  length,
  headHash: vectors.chain[length - 1]?.hash ?? null,
  failure,
  session: vectorSession(),
  rounds: [],
});

describe('verifyStatus', () => {
  it('runs while catching up, with progress in whole per cent of the listed length', () => {
    expect(verifyStatus(null, 0, false, null)).toEqual({ state: 'running', verified: 0, received: 0, total: 0, percent: 0 });
    expect(verifyStatus(chainOf(10), 25, false, 40)).toEqual({ state: 'running', verified: 10, received: 25, total: 40, percent: 25 });
    expect(verifyStatus(chainOf(39), 40, true, 40).percent).toBe(97);
  });

  it('is ok only when caught up and everything received is verified', () => {
    expect(verifyStatus(chainOf(40), 40, true, 40).state).toBe('ok');
    expect(verifyStatus(chainOf(40), 40, false, 40).state).toBe('running');
    expect(verifyStatus(chainOf(39), 40, true, 40).state).toBe('running');
  });

  it('counts records that arrived after the list was fetched', () => {
    expect(verifyStatus(chainOf(45), 45, true, 40)).toMatchObject({ state: 'ok', total: 45, percent: 100 });
  });

  it('is failed once anything failed', () => {
    const failure = { seq: 17, code: 'INVALID_PROOF', field: 'contests[0].selections[0].proof', message: 'x' };
    expect(verifyStatus(chainOf(17, failure), 40, true, 40)).toMatchObject({ state: 'failed', verified: 17 });
  });
});

describe('tableWindow', () => {
  it('shows one page of a 20,000-record chain, never the whole', () => {
    const w = tableWindow(20000, 250, 0);
    expect(w).toEqual({ page: 0, pages: 80, start: 0, end: 250 });
    expect(tableWindow(20000, 250, 79)).toEqual({ page: 79, pages: 80, start: 19750, end: 20000 });
    expect(tableWindow(20000, 250, 'last')).toEqual({ page: 79, pages: 80, start: 19750, end: 20000 });
  });

  it('clamps a page out of range and handles a short last page', () => {
    expect(tableWindow(20001, 250, 500)).toEqual({ page: 80, pages: 81, start: 20000, end: 20001 });
    expect(tableWindow(40, 250, -3)).toEqual({ page: 0, pages: 1, start: 0, end: 40 });
    expect(tableWindow(0, 250, 'last')).toEqual({ page: 0, pages: 1, start: 0, end: 0 });
  });

  it('finds the page of a seq', () => {
    expect(pageOfSeq(0, 250)).toBe(0);
    expect(pageOfSeq(249, 250)).toBe(0);
    expect(pageOfSeq(250, 250)).toBe(1);
    expect(tableWindow(20000, 250, pageOfSeq(12345, 250)).start).toBeLessThanOrEqual(12345);
  });

  it('refuses a page size that is not a positive integer', () => {
    expect(() => tableWindow(10, 0, 0)).toThrow(RangeError);
  });
});

describe('rowState and recordRows', () => {
  it('marks rows verified, failed, after the failure, and pending', () => {
    const failure = { seq: 20, code: 'BAD_REQUEST', field: 'sums', message: 'x' };
    expect(rowState(19, chainOf(20, failure))).toBe('ok');
    expect(rowState(20, chainOf(20, failure))).toBe('failed');
    expect(rowState(21, chainOf(20, failure))).toBe('unverified');
    expect(rowState(25, chainOf(20))).toBe('pending');
    expect(rowState(0, null)).toBe('pending');
  });

  it('gives each row of the window its seq, time, type and line hash', () => {
    const w = tableWindow(chainLines.length, 16, 1);
    const hashed: number[] = [];
    const rows = recordRows(w, (seq) => chainLines[seq], chainOf(20), (seq, line) => {
      hashed.push(seq);
      return toHex(sha256(utf8(line)));
    });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 16 }, (_, i) => 16 + i));
    expect(hashed).toEqual(rows.map((r) => r.seq)); // only the rows shown are hashed
    rows.forEach((r) => expect(r.hash).toBe(vectors.chain[r.seq]!.hash));
    expect(rows.find((r) => r.seq === 17)).toMatchObject({ type: 'ballot', time: '2026-11-23T09:00:25.500Z', state: 'ok' });
    expect(rows.find((r) => r.seq === 20)?.state).toBe('pending');
  });

  it('stops at the records that have arrived', () => {
    const rows = recordRows(tableWindow(50, 250, 0), (seq) => chainLines[seq], null, () => '');
    expect(rows).toHaveLength(chainLines.length);
  });
});

describe('failureText', () => {
  it('names the record, the field and the catalogue reason, in Chinese and English', () => {
    const err = { seq: 18, code: 'INVALID_PROOF', field: 'contests[1].selections[0].proof', message: 'does not verify' };
    expect(failureText(err, 'ballot')).toEqual({
      where: '第 18 条记录（ballot）',
      field: 'contests[1].selections[0].proof',
      reason: '证明校验失败（does not verify）',
    });
    setLang('en');
    expect(failureText(err, 'ballot')).toEqual({
      where: 'record 18 (ballot)',
      field: 'contests[1].selections[0].proof',
      reason: 'A proof did not verify (does not verify)',
    });
  });

  it("explains the verifier's own codes in words", () => {
    expect(failureText({ seq: 5, code: 'BROKEN_LINK', field: 'prev', message: 'differs' }, 'round').reason).toBe(
      '记录没有正确相连（编号、前一条的哈希或本条哈希不符） — differs',
    );
    expect(failureText({ seq: 5, code: 'BAD_HEAD_SIGNATURE', field: 'sig', message: '' }, null)).toEqual({
      where: '第 5 条记录',
      field: 'sig',
      reason: '服务器对链头的签名无效',
    });
    expect(failureText({ seq: 0, code: 'BAD_JSON', field: '', message: 'x' }, null).field).toBe('—');
  });
});

describe('roundChecks on the verified vectors chain', () => {
  it('are ok for both rounds, with the counts recomputed from the ballots equal to the result', async () => {
    const { snapshot } = await verifiedVectors();
    const checks = roundChecks(snapshot);
    expect(checks.map((c) => [c.round, c.state, c.status])).toEqual([
      [1, 'ok', 'revealed'],
      [2, 'ok', 'revealed'],
    ]);
    const [r1, r2] = checks;
    expect(r1).toMatchObject({ present: 5, tokens: 4, ballots: 3, declared: 3, undeclaredRecomputed: 0, undeclaredRecorded: 0, sumsVerified: true, decryptions: 3, trustees: 3 });
    expect(r1!.contests.map((c) => [c.id, c.recomputed, c.recorded, c.match])).toEqual([
      ['d1', [2, 1, 0], [2, 1, 0], true],
      ['d2', [1, 1, 1], [1, 1, 1], true],
    ]);
    expect(r2!.contests[0]).toMatchObject({ id: 's1', recomputed: [1, 3, 1, 0], match: true });
  });

  it('are running while a round is open or decrypting, pending before it opens', async () => {
    const { snapshot } = await verifiedVectors(22);
    expect(roundChecks(snapshot).map((c) => c.state)).toEqual(['running', 'pending']);
    const r1 = roundChecks(snapshot)[0]!;
    expect(r1.undeclaredRecomputed).toBe(0);
    expect(r1.undeclaredRecorded).toBeNull();
    expect(r1.contests[0]!.recomputed).toBeNull();
  });

  it('claim nothing once a record failed', async () => {
    const { snapshot } = await verifiedVectors(undefined, {
      corrupt: (line, seq) => (seq === 33 ? line.replace('"ballots":3', '"ballots":2') : line),
    });
    expect(snapshot.failure?.seq).toBe(33);
    expect(roundChecks(snapshot).map((c) => c.state)).toEqual(['failed', 'failed']);
  });

  it('fail a round whose recorded counts differ from the recomputed ones', () => {
    const round = vectorRound(1, 'revealed');
    const tampered = { ...round, counts: [[1, 2, 0], [1, 1, 1]] };
    const checks = roundChecks({ ...chainOf(26), rounds: [tampered] });
    expect(checks[0]!.state).toBe('failed');
    expect(checks[0]!.contests[0]!.match).toBe(false);
  });

  it('recompute undeclared from the declarations, positive and negative', () => {
    const round = vectorRound(1, 'revealed');
    const more = roundChecks({ ...chainOf(26), rounds: [{ ...round, voted: ['m01', 'm02'] }] })[0]!;
    expect(more.undeclaredRecomputed).toBe(1);
    const fewer = roundChecks({ ...chainOf(26), rounds: [{ ...round, voted: ['m01', 'm02', 'm03', 'm04'] }] })[0]!;
    expect(fewer.undeclaredRecomputed).toBe(-1);
  });
});
