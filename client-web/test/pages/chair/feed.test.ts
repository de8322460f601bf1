// The chair's record feed and chair code: pushes in seq order, repeats dropped, a gap detected,
// the resume seq for the next hello; the chair code checked for form and kept per session.
import { describe, expect, it } from 'vitest';
import { ChairCodeStore, chairCodeKey, checkChairCode, isSessionId } from '../../../src/pages/chair/chair-code';
import { parseRecordPush, RecordFeed } from '../../../src/pages/chair/feed';

const push = (seq: number) => ({ seq, line: `{"seq":${seq}}`, sig: 'ab'.repeat(64) });

describe('RecordFeed', () => {
  it('accepts records in order from 0 and resumes after the last one', () => {
    const f = new RecordFeed();
    expect(f.next).toBe(0);
    expect(f.take(push(0))).toBe('accepted');
    expect(f.take(push(1))).toBe('accepted');
    expect(f.next).toBe(2);
  });

  it('drops a repeat (a resumed connection overlapping) and reports a gap without moving on', () => {
    const f = new RecordFeed();
    f.take(push(0));
    f.take(push(1));
    expect(f.take(push(1))).toBe('repeat');
    expect(f.take(push(0))).toBe('repeat');
    expect(f.take(push(3))).toBe('gap');
    expect(f.next).toBe(2);
    expect(f.take(push(2))).toBe('accepted');
  });
});

describe('parseRecordPush', () => {
  it('reads a record push', () => {
    expect(parseRecordPush({ type: 'record', ...push(4) })).toEqual(push(4));
  });

  it('refuses other pushes and malformed ones', () => {
    expect(parseRecordPush({ type: 'progress', round: 1 })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: -1, line: '{}', sig: '' })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: 1.5, line: '{}', sig: '' })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: 1, line: {}, sig: '' })).toBeNull();
    expect(parseRecordPush({ type: 'record', seq: 1, line: '{}' })).toBeNull();
  });
});

describe('checkChairCode', () => {
  it('accepts the code as typed: lower case, spaces, no dashes, I/L/O read as 1/1/0', () => {
    expect(checkChairCode('BPBW-8CQH-V4FY')).toEqual({ ok: true, code: 'BPBW-8CQH-V4FY' });
    expect(checkChairCode(' bpbw 8cqh v4fy ')).toEqual({ ok: true, code: 'BPBW-8CQH-V4FY' });
    expect(checkChairCode('bpbw8cqhv4fy')).toEqual({ ok: true, code: 'BPBW-8CQH-V4FY' });
    expect(checkChairCode('OIL0-0000-0000')).toEqual({ ok: true, code: '0110-0000-0000' });
  });

  it('refuses an empty code, a wrong length and characters outside Crockford base32', () => {
    expect(checkChairCode('  ')).toEqual({ ok: false, code: 'empty' });
    expect(checkChairCode('BPBW-8CQH-V4F')).toEqual({ ok: false, code: 'invalid' });
    expect(checkChairCode('BPBW-8CQH-V4FYZ')).toEqual({ ok: false, code: 'invalid' });
    expect(checkChairCode('BPBW-8CQH-V4FU')).toEqual({ ok: false, code: 'invalid' });
    expect(checkChairCode('BPBW_8CQH_V4FY')).toEqual({ ok: false, code: 'invalid' });
  });
});

describe('ChairCodeStore', () => {
  const storage = () => {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
  };
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);

  it('keeps one code per session and forgets it', () => {
    const s = storage();
    const storeA = new ChairCodeStore(s, a);
    storeA.set('BPBW-8CQH-V4FY');
    expect(s.data.get(chairCodeKey(a))).toBe('BPBW-8CQH-V4FY');
    expect(new ChairCodeStore(s, b).get()).toBeNull();
    expect(new ChairCodeStore(s, a).get()).toBe('BPBW-8CQH-V4FY');
    storeA.clear();
    expect(storeA.get()).toBeNull();
  });

  it('ignores a stored value that is not a chair code', () => {
    const s = storage();
    s.setItem(chairCodeKey(a), 'garbage');
    expect(new ChairCodeStore(s, a).get()).toBeNull();
  });
});

describe('isSessionId', () => {
  it('accepts 64 lower-case hex only', () => {
    expect(isSessionId('1fa543957a1678b6881c90708a23caed4051056b780ae00742ae8c3ebf4c836b')).toBe(true);
    expect(isSessionId('1FA543957A1678B6881C90708A23CAED4051056B780AE00742AE8C3EBF4C836B')).toBe(false);
    expect(isSessionId('1fa5')).toBe(false);
    expect(isSessionId(null)).toBe(false);
  });
});
