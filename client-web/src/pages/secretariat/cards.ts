// Credential cards (DESIGN.md §2): one per member with the check-in code and the QR code of the
// tablet link that carries it, and one for the chair with the chair code and the console's
// address (never the chair code in a URL: docs/PROTOCOL.md §9). Also the codes as CSV for the
// secretariat's safe.

import { csvField } from './csv';

export type RouteUrl = (page: string, params: Record<string, string>) => string;

export interface Card {
  kind: 'member' | 'chair';
  /** The data-testid of the card: `card-<memberId>` or `card-chair`. */
  testId: string;
  memberId: string | null;
  name: string;
  seat: string;
  scrutineer: boolean;
  /** The code as people read it: XXXX-XXXX-XXXX. */
  code: string;
  /** What the QR code holds (members) or the address to open (chair). */
  url: string;
}

export interface CardMember {
  id: string;
  name: string;
  seat: string;
  scrutineer: boolean;
}

/** The code in groups of four, whatever separators the server or a person used. Codes are
 *  Crockford base32, so this only upper-cases and regroups. */
export function displayCredential(code: string): string {
  const bare = code.replace(/[-\s]/g, '').toUpperCase();
  const groups: string[] = [];
  for (let i = 0; i < bare.length; i += 4) groups.push(bare.slice(i, i + 4));
  return groups.join('-');
}

export function memberCard(session: string, member: CardMember, code: string, urlFor: RouteUrl): Card {
  const shown = displayCredential(code);
  return {
    kind: 'member',
    testId: `card-${member.id}`,
    memberId: member.id,
    name: member.name,
    seat: member.seat,
    scrutineer: member.scrutineer,
    code: shown,
    url: urlFor('tablet', { session, member: member.id, code: shown }),
  };
}

export function chairCard(session: string, chairCode: string, urlFor: RouteUrl): Card {
  return {
    kind: 'chair',
    testId: 'card-chair',
    memberId: null,
    name: '',
    seat: '',
    scrutineer: false,
    code: displayCredential(chairCode),
    url: urlFor('chair', { session }),
  };
}

/** The chair's card first, then one card per member in roster order. A member without a code
 *  is an error: a missing card would only be noticed at the door. */
export function allCards(session: string, chairCode: string, members: CardMember[], codes: Map<string, string>, urlFor: RouteUrl): Card[] {
  const cards = [chairCard(session, chairCode, urlFor)];
  for (const m of members) {
    const code = codes.get(m.id);
    if (code === undefined) throw new Error(`no code for member ${m.id}`);
    cards.push(memberCard(session, m, code, urlFor));
  }
  return cards;
}

// A spreadsheet runs a cell starting with = + - @ (or a tab/CR) as a formula; a roster name must
// never become one in the secretariat's copy.
function safeCell(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

/** The codes as CSV (UTF-8 with BOM, so spreadsheets read the Chinese names), CRLF lines:
 *  session, role, member, name, seat, code, link. */
export function codesCsv(session: string, cards: Card[]): string {
  const header = ['session', 'role', 'member', 'name', 'seat', 'code', 'url'];
  const lines = [header.join(',')];
  for (const c of cards) {
    const role = c.kind === 'chair' ? 'chair' : c.scrutineer ? 'scrutineer' : 'member';
    lines.push([session, role, c.memberId ?? '', c.name, c.seat, c.code, c.url].map(safeCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function codesFileName(session: string, date: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : 'session';
  return `pingyi-codes-${day}-${session.slice(0, 8)}.csv`;
}
