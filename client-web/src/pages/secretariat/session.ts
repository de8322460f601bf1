// The session-creation request (docs/PROTOCOL.md §4 POST /api/sessions) built from the form, the
// imported roster and the agenda, and the reply read back strictly: its codes are shown once and
// printed, so a reply missing one member's code must be noticed here, not at the door.

import { isWellFormed, MAX_TEXT_BYTES, utf8Length, type Roster } from './roster';
import { parseUint, type RoundSpec } from './rounds';

export interface SessionDraft {
  title: string;
  committee: string;
  date: string;
  quorumNum: string;
  quorumDen: string;
}

export interface SessionRequest {
  title: string;
  committee: string;
  date: string;
  members: { id: string; name: string; seat: string }[];
  scrutineers: string[];
  rounds: RoundSpec[];
  quorum: { num: number; den: number };
}

export type SessionField = 'title' | 'committee' | 'date' | 'quorumNum' | 'quorumDen' | 'roster' | 'rounds';

export type SessionErrorCode =
  | 'required'
  | 'too_long'
  | 'bad_text'
  | 'bad_date'
  | 'not_integer'
  | 'too_large'
  | 'positive'
  | 'quorum_not_below_one'
  | 'roster_missing'
  | 'roster_problems'
  | 'too_many_rounds';

export interface SessionError {
  field: SessionField;
  code: SessionErrorCode;
  params: Record<string, string | number>;
}

export const MAX_ROUNDS = 1000;

/** Today's date in the secretariat's own time zone, as `<input type="date">` wants it. */
export function todayIso(now: Date = new Date()): string {
  const y = String(now.getFullYear()).padStart(4, '0');
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function defaultSessionDraft(now: Date = new Date()): SessionDraft {
  return { title: '', committee: '', date: todayIso(now), quorumNum: '1', quorumDen: '2' };
}

export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function text(field: SessionField, value: string, errors: SessionError[]): void {
  if (value === '') errors.push({ field, code: 'required', params: {} });
  else if (!isWellFormed(value)) errors.push({ field, code: 'bad_text', params: {} });
  else if (utf8Length(value) > MAX_TEXT_BYTES) errors.push({ field, code: 'too_long', params: { max: MAX_TEXT_BYTES } });
}

/** The quorum as the server takes it: 0 < num < den (present·den > members·num; with num = den
 *  not even a full house would be a quorum). */
export function checkQuorum(numText: string, denText: string, errors: SessionError[]): { num: number; den: number } | null {
  const read = (text: string, field: 'quorumNum' | 'quorumDen'): number | null => {
    const v = parseUint(text);
    if (!v.ok) {
      errors.push({ field, code: v.code === 'required' || v.code === 'too_large' ? v.code : 'not_integer', params: {} });
      return null;
    }
    if (v.value === 0) {
      errors.push({ field, code: 'positive', params: {} });
      return null;
    }
    return v.value;
  };
  const num = read(numText, 'quorumNum');
  const den = read(denText, 'quorumDen');
  if (num === null || den === null) return null;
  if (num >= den) {
    errors.push({ field: 'quorumNum', code: 'quorum_not_below_one', params: {} });
    return null;
  }
  return { num, den };
}

export type SessionBuild = { ok: true; body: SessionRequest } | { ok: false; errors: SessionError[] };

export function buildSessionRequest(draft: SessionDraft, roster: Roster | null, rounds: RoundSpec[]): SessionBuild {
  const errors: SessionError[] = [];
  const title = draft.title.trim();
  const committee = draft.committee.trim();
  const date = draft.date.trim();
  text('title', title, errors);
  text('committee', committee, errors);
  if (date === '') errors.push({ field: 'date', code: 'required', params: {} });
  else if (!isRealDate(date)) errors.push({ field: 'date', code: 'bad_date', params: {} });
  const quorum = checkQuorum(draft.quorumNum, draft.quorumDen, errors);
  if (!roster) errors.push({ field: 'roster', code: 'roster_missing', params: {} });
  else if (roster.problems.length > 0) {
    errors.push({ field: 'roster', code: 'roster_problems', params: { count: roster.problems.length } });
  }
  if (rounds.length > MAX_ROUNDS) errors.push({ field: 'rounds', code: 'too_many_rounds', params: { max: MAX_ROUNDS } });
  if (errors.length > 0 || !roster || !quorum) return { ok: false, errors };
  return {
    ok: true,
    body: {
      title,
      committee,
      date,
      members: roster.members.map((m) => ({ id: m.id, name: m.name, seat: m.seat })),
      scrutineers: roster.members.filter((m) => m.scrutineer).map((m) => m.id),
      rounds,
      quorum,
    },
  };
}

export interface CreatedSession {
  session: string;
  chairCode: string;
  /** member id → check-in code, for every member of the roster. */
  codes: Map<string, string>;
}

export class ReplyError extends Error {
  constructor(readonly field: string) {
    super(`the server's reply is missing or malformed: ${field}`);
    this.name = 'ReplyError';
  }
}

const SESSION_ID = /^[0-9a-f]{64}$/;

/** Reads POST /api/sessions' reply; every member sent must have a code. Codes never appear in
 *  the error (it may be logged or shown). */
export function parseCreated(reply: Record<string, unknown>, memberIds: string[]): CreatedSession {
  const session = reply.session;
  if (typeof session !== 'string' || !SESSION_ID.test(session)) throw new ReplyError('session');
  const chair = reply.chair_code;
  if (typeof chair !== 'string' || chair === '') throw new ReplyError('chair_code');
  const raw = reply.codes;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ReplyError('codes');
  const codes = new Map<string, string>();
  for (const id of memberIds) {
    const code = (raw as Record<string, unknown>)[id];
    if (typeof code !== 'string' || code === '') throw new ReplyError(`codes.${id}`);
    codes.set(id, code);
  }
  return { session, chairCode: chair, codes };
}

/** POST …/members/{member}/reset's reply: the member's new check-in code. */
export function parseResetReply(reply: Record<string, unknown>, member: string): string {
  if (reply.member !== member) throw new ReplyError('member');
  const code = reply.code;
  if (typeof code !== 'string' || code === '') throw new ReplyError('code');
  return code;
}

/** A path segment for a member id (UTF-8, percent-encoded as docs/PROTOCOL.md §1 says). */
export function memberPath(session: string, member: string, action: 'reset' | 'check_out'): string {
  return `/api/sessions/${session}/members/${encodeURIComponent(member)}/${action}`;
}
