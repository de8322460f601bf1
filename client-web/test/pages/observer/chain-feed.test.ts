// The feed (src/net/chain-feed.ts) keeps the records of /observe in seq order, exactly as received:
// repeats after a reconnect are dropped, a gap is reported so that the page subscribes again from
// `next`; a line's header is read without parsing the line.
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../../src/crypto/sodium';
import { ChainFeed, parseRecordPush, readRecordHeader } from '../../../src/net/chain-feed';
import { failureText } from '../../../src/verify/failure-text';
import { chainLines, vectors, verifiedVectors } from '../fixtures';

beforeAll(async () => {
  await sodiumReady();
});

const push = (seq: number) => ({ seq, line: chainLines[seq]!, sig: vectors.chain[seq]!.head_sig });

describe('parseRecordPush', () => {
  it('reads a record push and nothing else', () => {
    expect(parseRecordPush({ type: 'record', ...push(3) })).toEqual(push(3));
    expect(parseRecordPush({ type: 'record', seq: 3, line: 'x' })).toEqual({ seq: 3, line: 'x' });
    expect(parseRecordPush({ type: 'progress', round: 1 })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: -1, line: 'x' })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: 1.5, line: 'x' })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: 1, line: 7 })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: 1, line: 'x', sig: 5 })).toBeNull();
  });
});

describe('readRecordHeader', () => {
  it('reads seq, time and type from the start of every vectors line', () => {
    chainLines.forEach((line, seq) => {
      const parsed = JSON.parse(line) as { seq: number; time: string; type: string };
      expect(readRecordHeader(line)).toEqual({ seq, time: parsed.time, type: parsed.type });
    });
  });

  it('reads nothing from a line that does not start as a record', () => {
    expect(readRecordHeader('not json')).toEqual({ seq: null, time: '', type: '' });
    expect(readRecordHeader('{"prev":"00","seq":1}')).toEqual({ seq: null, time: '', type: '' });
  });
});

describe('ChainFeed', () => {
  it('appends in order, drops repeats and reports gaps', () => {
    const feed = new ChainFeed();
    expect(feed.next).toBe(0);
    expect(feed.accept(push(0))).toBe('appended');
    expect(feed.accept(push(1))).toBe('appended');
    expect(feed.accept(push(1))).toBe('repeat');
    expect(feed.accept(push(0))).toBe('repeat');
    expect(feed.accept(push(3))).toBe('gap');
    expect(feed.next).toBe(2);
    expect(feed.accept(push(2))).toBe('appended');
    expect(feed.next).toBe(3);
  });

  it('reports a repeated seq with another line as a conflict, keeping the first', () => {
    const feed = new ChainFeed();
    feed.accept(push(0));
    feed.accept(push(1));
    expect(feed.accept({ ...push(1), line: chainLines[2]! })).toBe('conflict');
    expect(feed.line(1)).toBe(chainLines[1]);
    expect(feed.next).toBe(2);
  });

  it('keeps every line and signature exactly as received', () => {
    const feed = new ChainFeed();
    for (let seq = 0; seq < chainLines.length; seq++) feed.accept(push(seq));
    expect(feed.linesUpTo(chainLines.length)).toEqual(chainLines);
    expect(feed.linesUpTo(5)).toEqual(chainLines.slice(0, 5));
    expect(feed.line(17)).toBe(chainLines[17]);
    expect(feed.sig(17)).toBe(vectors.chain[17]!.head_sig);
    expect(feed.records(38)).toEqual([push(38), push(39)]);
    expect(feed.records(5, 7)).toEqual([push(5), push(6)]);
  });
});

describe('a conflicting repeat handed to the verifier', () => {
  it('is reported as two chains at that seq, and nothing is claimed after it', async () => {
    const feed = new ChainFeed();
    for (let seq = 0; seq < chainLines.length; seq++) feed.accept(push(seq));
    const other = chainLines[12]!.replace('"present":5', '"present":4');
    expect(feed.accept({ seq: 12, line: other })).toBe('conflict');
    const { verifier } = await verifiedVectors();
    const error = verifier.checkRepeat(12, other);
    expect(error).toMatchObject({ seq: 12, code: 'BROKEN_LINK', field: 'hash' });
    expect(verifier.failure).toEqual(error);
    expect(failureText(error!, 'round_opened').where).toBe('第 12 条记录（round_opened）');
    expect(verifier.checkRepeat(13, chainLines[13]!)).toBeNull();
  });
});
