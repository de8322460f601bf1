// The secretariat's reading of an existing session from its chain, on the vectors chain
// (tests/vectors/pingyi-v1.json): roster, presence, agenda, open round, adjournment.
import { describe, expect, it } from 'vitest';
import { ChainReadError, readManagedSession } from '../../../src/pages/secretariat/manage';
import { vectors } from '../../verify/vectors';

const lines = vectors.chain.map((c) => c.line);
const id = vectors.session.session_id;

describe('readManagedSession', () => {
  it('reads the whole vectors chain: five members present, two rounds, adjourned', () => {
    const s = readManagedSession(id, lines);
    expect(s.title).toBe('某县人大常委会2026年第十一次会议 述职评议');
    expect(s.date).toBe('2026-11-23');
    expect(s.members.map((m) => [m.id, m.name, m.scrutineer, m.present])).toEqual([
      ['m01', '张伟', true, true],
      ['m02', '王芳', true, true],
      ['m03', '李娜', false, true],
      ['m04', '刘洋', false, true],
      ['m05', '陈静', false, true],
    ]);
    expect(s.rounds).toEqual([
      { round: 1, title: '对政府组成部门的满意度测评', kind: 'evaluation' },
      { round: 2, title: '推选明年述职的部门负责人', kind: 'selection' },
    ]);
    expect(s.openRound).toBeNull();
    expect(s.adjourned).toBe(true);
    expect(s.length).toBe(lines.length);
  });

  it('follows the chain: before the check-ins nobody is present; after round_opened the round is open', () => {
    expect(readManagedSession(id, lines.slice(0, 7)).members.every((m) => !m.present)).toBe(true);
    const opened = readManagedSession(id, lines.slice(0, 13));
    expect(opened.openRound).toBe(1);
    expect(opened.adjourned).toBe(false);
    expect(readManagedSession(id, lines.slice(0, 21)).openRound).toBeNull();
  });

  it('marks a member absent after a check_out', () => {
    const out = JSON.stringify({ seq: lines.length, prev: '0'.repeat(64), time: '2026-11-23T09:01:00.000Z', type: 'check_out', member: 'm04' });
    const s = readManagedSession(id, [...lines.slice(0, 12), out]);
    expect(s.members.find((m) => m.id === 'm04')!.present).toBe(false);
    expect(s.members.find((m) => m.id === 'm03')!.present).toBe(true);
  });

  it('refuses an empty chain, a first record that is not genesis, and a line that is not JSON', () => {
    expect(() => readManagedSession(id, [])).toThrow(ChainReadError);
    expect(() => readManagedSession(id, lines.slice(1))).toThrow(/genesis/);
    expect(() => readManagedSession(id, [lines[0]!, '{not json'])).toThrow(/record 1: not JSON/);
    const stranger = JSON.stringify({ seq: 1, type: 'check_in', member: 'x99' });
    expect(() => readManagedSession(id, [lines[0]!, stranger])).toThrow(/not on the roster/);
  });
});
