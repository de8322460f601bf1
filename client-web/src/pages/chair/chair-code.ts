// The chair code for this tab: typed once, kept in sessionStorage under the session's id so that
// a reload reconnects, and never put in the URL (docs/PROTOCOL.md §9). It is checked locally for
// form (12 Crockford characters, §2) so that a slip is caught before the server is asked.

import { normalizeTypedCode } from '../../crypto/codes';

export const CHAIR_CODE_LENGTH = 12;

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export type ChairCodeCheck = { ok: true; code: string } | { ok: false; code: 'empty' | 'invalid' };

export function checkChairCode(typed: string): ChairCodeCheck {
  if (typed.trim() === '') return { ok: false, code: 'empty' };
  try {
    const bare = normalizeTypedCode(typed.trim(), CHAIR_CODE_LENGTH);
    return { ok: true, code: `${bare.slice(0, 4)}-${bare.slice(4, 8)}-${bare.slice(8)}` };
  } catch {
    return { ok: false, code: 'invalid' };
  }
}

export function chairCodeKey(session: string): string {
  return `pingyi.chair-code.${session}`;
}

export class ChairCodeStore {
  constructor(
    private readonly storage: StorageLike | null,
    private readonly session: string,
  ) {}

  get(): string | null {
    try {
      const stored = this.storage?.getItem(chairCodeKey(this.session)) ?? null;
      if (stored === null) return null;
      const check = checkChairCode(stored);
      return check.ok ? check.code : null;
    } catch {
      return null;
    }
  }

  set(code: string): void {
    try {
      this.storage?.setItem(chairCodeKey(this.session), code);
    } catch {
      // Not kept across a reload; the console still works in this page.
    }
  }

  clear(): void {
    try {
      this.storage?.removeItem(chairCodeKey(this.session));
    } catch {
      // Nothing to clear.
    }
  }
}

const SESSION_ID = /^[0-9a-f]{64}$/;

export function isSessionId(s: string | null): s is string {
  return s !== null && SESSION_ID.test(s);
}
