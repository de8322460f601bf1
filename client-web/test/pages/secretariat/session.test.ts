// The session-creation request body (docs/PROTOCOL.md §4 POST /api/sessions), its errors, and
// the strict reading of the reply whose codes are shown once.
import { describe, expect, it } from 'vitest';
import { parseRoster } from '../../../src/pages/secretariat/roster';
import { buildRound, defaultDraft } from '../../../src/pages/secretariat/rounds';
import {
  buildSessionRequest,
  defaultSessionDraft,
  memberPath,
  parseCreated,
  parseResetReply,
  ReplyError,
  todayIso,
  type SessionDraft,
} from '../../../src/pages/secretariat/session';

const roster = parseRoster('编号,姓名,座位,监票人\nm01,张伟,1,是\nm02,王芳,2,是\nm03,李娜,3,\nm04,刘洋,4,否\nm05,陈静,5,');

function draft(fields: Partial<SessionDraft> = {}): SessionDraft {
  return { title: '某县人大常委会2026年第十一次会议 述职评议', committee: '某县人民代表大会常务委员会', date: '2026-11-23', quorumNum: '1', quorumDen: '2', ...fields };
}

describe('buildSessionRequest', () => {
  it('builds the body of docs/PROTOCOL.md §4 from the form, the roster and the agenda', () => {
    const evaluation = buildRound({ ...defaultDraft('evaluation'), title: '对政府组成部门的满意度测评', contests: '县教育局\n县卫生健康局' });
    const selection = buildRound({ ...defaultDraft('selection'), title: '推选明年述职的部门负责人', contests: '周明\n吴刚\n郑丽\n孙强', min: '0', max: '2' });
    if (!evaluation.ok || !selection.ok) throw new Error('the rounds should build');
    const b = buildSessionRequest(draft(), roster, [evaluation.round, selection.round]);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(JSON.parse(JSON.stringify(b.body))).toEqual({
      title: '某县人大常委会2026年第十一次会议 述职评议',
      committee: '某县人民代表大会常务委员会',
      date: '2026-11-23',
      members: [
        { id: 'm01', name: '张伟', seat: '1' },
        { id: 'm02', name: '王芳', seat: '2' },
        { id: 'm03', name: '李娜', seat: '3' },
        { id: 'm04', name: '刘洋', seat: '4' },
        { id: 'm05', name: '陈静', seat: '5' },
      ],
      scrutineers: ['m01', 'm02'],
      rounds: [
        {
          title: '对政府组成部门的满意度测评',
          kind: 'evaluation',
          contests: [
            { id: 'e1', title: '县教育局', options: ['满意', '基本满意', '不满意'], min: 1, max: 1 },
            { id: 'e2', title: '县卫生健康局', options: ['满意', '基本满意', '不满意'], min: 1, max: 1 },
          ],
          rule: { pass_grades: 2, weights: [100, 60, 0] },
        },
        {
          title: '推选明年述职的部门负责人',
          kind: 'selection',
          contests: [{ id: 's1', title: '推选明年述职的部门负责人', options: ['周明', '吴刚', '郑丽', '孙强'], min: 0, max: 2 }],
          rule: { num: 1, den: 2, inclusive: false },
        },
      ],
      quorum: { num: 1, den: 2 },
    });
  });

  it('sends an empty agenda and no scrutineers when there are none', () => {
    const b = buildSessionRequest(draft({ quorumNum: '2', quorumDen: '3' }), parseRoster('m01,张伟\nm02,王芳'), []);
    expect(b.ok && b.body.rounds).toEqual([]);
    expect(b.ok && b.body.scrutineers).toEqual([]);
    expect(b.ok && b.body.quorum).toEqual({ num: 2, den: 3 });
  });

  it('refuses a quorum that is not 0 < num < den', () => {
    const codes = (num: string, den: string) => {
      const b = buildSessionRequest(draft({ quorumNum: num, quorumDen: den }), roster, []);
      return b.ok ? [] : b.errors.map((e) => [e.field, e.code]);
    };
    expect(codes('1', '2')).toEqual([]);
    expect(codes('2', '2')).toEqual([['quorumNum', 'quorum_not_below_one']]);
    expect(codes('3', '2')).toEqual([['quorumNum', 'quorum_not_below_one']]);
    expect(codes('0', '2')).toEqual([['quorumNum', 'positive']]);
    expect(codes('1', '0')).toEqual([['quorumDen', 'positive']]);
    expect(codes('', 'x')).toEqual([
      ['quorumNum', 'required'],
      ['quorumDen', 'not_integer'],
    ]);
    expect(codes('1', '99999999999')).toEqual([['quorumDen', 'too_large']]);
  });

  it('refuses a missing roster, a roster with problems, and empty or bad fields', () => {
    const bad = buildSessionRequest(draft({ title: ' ', committee: '', date: '2026-02-30' }), parseRoster('m01,,1'), []);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => [e.field, e.code])).toEqual([
      ['title', 'required'],
      ['committee', 'required'],
      ['date', 'bad_date'],
      ['roster', 'roster_problems'],
    ]);
    const none = buildSessionRequest(draft(), null, []);
    expect(!none.ok && none.errors.map((e) => [e.field, e.code])).toEqual([['roster', 'roster_missing']]);
  });

  it('trims the title, committee and date', () => {
    const b = buildSessionRequest(draft({ title: '  会议  ', committee: ' 委员会 ', date: ' 2026-01-05 ' }), roster, []);
    expect(b.ok && [b.body.title, b.body.committee, b.body.date]).toEqual(['会议', '委员会', '2026-01-05']);
  });
});

describe('dates', () => {
  it('defaults to today in local time, zero-padded', () => {
    expect(todayIso(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
    expect(defaultSessionDraft(new Date(2026, 10, 23))).toEqual({ title: '', committee: '', date: '2026-11-23', quorumNum: '1', quorumDen: '2' });
  });
});

describe('parseCreated', () => {
  const reply = {
    ok: true,
    session: '1fa543957a1678b6881c90708a23caed4051056b780ae00742ae8c3ebf4c836b',
    chair_code: 'BPBW-8CQH-V4FY',
    codes: { m01: 'XZEP-1N9F-CD75', m02: '9SPX-FANA-5CK5' },
  };

  it('reads the session, the chair code and one code per member', () => {
    const c = parseCreated(reply, ['m01', 'm02']);
    expect(c.session).toBe(reply.session);
    expect(c.chairCode).toBe('BPBW-8CQH-V4FY');
    expect([...c.codes]).toEqual([
      ['m01', 'XZEP-1N9F-CD75'],
      ['m02', '9SPX-FANA-5CK5'],
    ]);
  });

  it('refuses a reply missing a member code, or with a malformed session id, naming the field but no code', () => {
    expect(() => parseCreated(reply, ['m01', 'm02', 'm03'])).toThrow(ReplyError);
    let caught: unknown = null;
    try {
      parseCreated(reply, ['m01', 'm03']);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ReplyError);
    expect((caught as ReplyError).field).toBe('codes.m03');
    expect((caught as Error).message).not.toContain('XZEP');
    expect(() => parseCreated({ ...reply, session: 'ABC' }, ['m01'])).toThrow(/session/);
    expect(() => parseCreated({ ...reply, chair_code: 7 }, ['m01'])).toThrow(/chair_code/);
    expect(() => parseCreated({ ...reply, codes: [] }, ['m01'])).toThrow(/codes/);
  });
});

describe('member calls', () => {
  it('percent-encodes a member id in the path', () => {
    expect(memberPath('ab', '张伟', 'reset')).toBe('/api/sessions/ab/members/%E5%BC%A0%E4%BC%9F/reset');
    expect(memberPath('ab', 'm/1', 'check_out')).toBe('/api/sessions/ab/members/m%2F1/check_out');
  });

  it('reads the reset reply for the member asked', () => {
    expect(parseResetReply({ ok: true, member: 'm02', code: '27SM-JE42-G7YK' }, 'm02')).toBe('27SM-JE42-G7YK');
    expect(() => parseResetReply({ ok: true, member: 'm03', code: '27SM-JE42-G7YK' }, 'm02')).toThrow(/member/);
    expect(() => parseResetReply({ ok: true, member: 'm02' }, 'm02')).toThrow(/code/);
  });
});
