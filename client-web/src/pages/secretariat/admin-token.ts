// The admin token in this tab only: sessionStorage (gone when the tab closes), never
// localStorage and never the URL (docs/PROTOCOL.md §9). A token with a space or a control
// character inside could not travel in an Authorization header, so it is refused before sending.

export const ADMIN_TOKEN_KEY = 'pingyi.admin-token';

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export type TokenCheck = { ok: true; token: string } | { ok: false; code: 'empty' | 'bad_characters' };

export function normalizeAdminToken(typed: string): TokenCheck {
  const token = typed.trim();
  if (token === '') return { ok: false, code: 'empty' };
  // Printable ASCII without spaces: what a header value can carry unchanged.
  if (!/^[\x21-\x7e]+$/.test(token)) return { ok: false, code: 'bad_characters' };
  return { ok: true, token };
}

export class AdminTokenStore {
  constructor(private readonly storage: StorageLike | null) {}

  get(): string | null {
    try {
      return this.storage?.getItem(ADMIN_TOKEN_KEY) ?? null;
    } catch {
      return null;
    }
  }

  set(token: string): void {
    try {
      this.storage?.setItem(ADMIN_TOKEN_KEY, token);
    } catch {
      // Storage refused (private mode): the token lives in memory for this page only.
    }
  }

  clear(): void {
    try {
      this.storage?.removeItem(ADMIN_TOKEN_KEY);
    } catch {
      // Nothing stored, nothing to clear.
    }
  }
}

/** The harmless admin call: POST /api/sessions with an empty object. The server checks the token
 *  before the body (server/net/src/service.cpp create_session), so a right token gets
 *  BAD_REQUEST ("title: …") and creates nothing; a wrong one FORBIDDEN, none UNAUTHORIZED. */
export const TOKEN_PROBE_BODY: Record<string, never> = {};

export type ProbeOutcome = 'valid' | 'wrong_token' | 'no_token' | 'disabled' | 'unreachable';

/** What the probe's error code says about the token. */
export function probeOutcome(code: string, message: string): ProbeOutcome {
  if (code === 'BAD_REQUEST') return 'valid';
  if (code === 'UNAUTHORIZED') return 'no_token';
  if (code === 'FORBIDDEN') return /admin API/i.test(message) ? 'disabled' : 'wrong_token';
  return 'unreachable';
}

/** Whether an admin call's error is about the token itself (so the secretariat must sign in
 *  again), rather than about the request (FORBIDDEN is also the answer to an action its phase
 *  does not allow, e.g. checking out a member who is not checked in). */
export function isTokenRefusal(code: string, message: string): boolean {
  if (code === 'UNAUTHORIZED') return true;
  return code === 'FORBIDDEN' && (message.startsWith('Authorization') || /admin API/i.test(message));
}
