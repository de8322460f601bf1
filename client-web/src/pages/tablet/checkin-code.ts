// A typed check-in code read as the server reads it (docs/PROTOCOL.md §2): lower case is
// upper-cased, dashes and spaces dropped, I and L read as 1, O as 0; 12 Crockford characters.
// The tablet says what is wrong before sending, so a member is not told "code not right" for
// a character typed twice.

export const CHECKIN_CODE_LENGTH = 12;

export type CodeCheck =
  | { ok: true; code: string }
  | { ok: false; reason: 'empty' | 'chars' | 'length'; length: number };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Full-width forms (ＡＢＣ１２３, the full-width dash and space) come from Chinese input methods;
// they are the same characters to the person typing them.
function halfWidth(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xff01 && cp <= 0xff5e) return String.fromCodePoint(cp - 0xfee0);
  if (cp === 0x3000) return ' ';
  if (ch === '—' || ch === '–' || ch === '－') return '-';
  return ch;
}

export function parseCheckinCode(typed: string): CodeCheck {
  let out = '';
  let bad = false;
  for (const raw of typed.slice(0, 200)) {
    const ch = halfWidth(raw).toUpperCase();
    if (ch === '-' || ch === ' ' || ch === '\t') continue;
    const c = ch === 'I' || ch === 'L' ? '1' : ch === 'O' ? '0' : ch;
    if (!CROCKFORD.includes(c) || c.length !== 1) bad = true;
    out += c;
  }
  if (out.length === 0) return { ok: false, reason: 'empty', length: 0 };
  if (bad) return { ok: false, reason: 'chars', length: out.length };
  if (out.length !== CHECKIN_CODE_LENGTH) return { ok: false, reason: 'length', length: out.length };
  return { ok: true, code: out };
}
