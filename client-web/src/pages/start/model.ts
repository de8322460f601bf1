// The start page's list: the sessions of GET /api/sessions, each with the links of its pages
// (docs/PROTOCOL.md §9). The server's list is read strictly: an entry without a 64-hex session id
// could not be linked, and is left out rather than shown broken.

import type { RouteUrl } from '../secretariat/cards';

export interface SessionEntry {
  session: string;
  title: string;
  committee: string;
  date: string;
  records: number;
  links: { projector: string; observer: string; chair: string; tablet: string };
}

const SESSION_ID = /^[0-9a-f]{64}$/;

/** The valid entries of the reply, newest date first (then title), with their page links. */
export function sessionEntries(raw: unknown, href: RouteUrl): SessionEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: SessionEntry[] = [];
  for (const item of raw) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    const { session, title, committee, date, length } = o;
    if (typeof session !== 'string' || !SESSION_ID.test(session)) continue;
    if (typeof title !== 'string' || typeof committee !== 'string' || typeof date !== 'string') continue;
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) continue;
    out.push({
      session,
      title,
      committee,
      date,
      records: length,
      links: {
        projector: href('projector', { session }),
        observer: href('observer', { session }),
        chair: href('chair', { session }),
        tablet: href('tablet', { session }),
      },
    });
  }
  // ISO dates sort as text; a date the secretariat typed otherwise still sorts deterministically.
  out.sort((a, b) => (a.date === b.date ? a.title.localeCompare(b.title, 'zh-CN') : a.date < b.date ? 1 : -1));
  return out;
}
