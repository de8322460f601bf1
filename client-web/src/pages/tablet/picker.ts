// Choosing one's own name from the roster before typing a check-in code. The check-in signature
// covers the member id (DESIGN.md §3.6 check_in) and a typed code does not say whose it is, so
// the member says who they are: they search the genesis roster by name, seat or id and tap
// their name. Pure functions of the roster, the search text and the choice; the controller holds
// the state and the view only draws what pickerView returns.

/** A member as genesis lists them (DESIGN.md §3.6: members [{id, name, seat}], all strings). */
export interface RosterEntry {
  id: string;
  name: string;
  seat: string;
}

/** The roster with each entry's search keys worked out once, not at every keystroke. */
export interface RosterIndex {
  readonly entries: readonly RosterEntry[];
  readonly keys: readonly { name: string; compactName: string; seat: string; id: string }[];
  /** Ids of members whose name and seat are both another member's too. */
  readonly ambiguous: ReadonlySet<string>;
}

/** A name drawn as a button: with its id when name and seat alone would not tell two apart. */
export interface PickerOption extends RosterEntry {
  showId: boolean;
}

/** At most this many names are drawn at once: a long roster is narrowed by typing, and the code
 *  field below the list stays a short scroll away, even at 200% zoom. */
export const PICKER_LIMIT = 30;

/**
 * Text as the search compares it: NFKC folds the full-width letters and digits that Chinese input
 * methods produce (ＡＢ１２ → ab12) and compatibility forms; lower case so that "li na" finds
 * "Li Na"; runs of white space (including the ideographic space) become one space.
 */
export function normalizeSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

export function indexRoster(entries: readonly RosterEntry[]): RosterIndex {
  const seen = new Map<string, string[]>();
  for (const e of entries) {
    const key = JSON.stringify([normalizeSearch(e.name), normalizeSearch(e.seat)]);
    seen.set(key, [...(seen.get(key) ?? []), e.id]);
  }
  const ambiguous = new Set([...seen.values()].filter((ids) => ids.length > 1).flat());
  return {
    entries,
    ambiguous,
    keys: entries.map((e) => {
      const name = normalizeSearch(e.name);
      return { name, compactName: name.replace(/ /g, ''), seat: normalizeSearch(e.seat), id: normalizeSearch(e.id) };
    }),
  };
}

// How well one search word fits one field: 0 the whole field, 1 its start, 2 inside it.
function fit(field: string, word: string): number | null {
  if (field === word) return 0;
  if (field.startsWith(word)) return 1;
  return field.includes(word) ? 2 : null;
}

/**
 * The roster entries matching `query`, best first: every word of the query must be found in the
 * name, the seat or the id (a name typed with or without its spaces); entries whose fields equal
 * the words come before those that start with them, before those that merely contain them, so
 * that seat "12" is above seats 112 and 120. Equal fits keep the roster's order. An empty query
 * matches everyone, in roster order.
 */
export function searchRoster(index: RosterIndex, query: string): RosterEntry[] {
  const words = normalizeSearch(query).split(' ').filter((w) => w !== '');
  if (words.length === 0) return [...index.entries];
  const scored: { entry: RosterEntry; score: number; at: number }[] = [];
  index.keys.forEach((k, at) => {
    let score = 0;
    for (const word of words) {
      let best: number | null = null;
      for (const field of [k.name, k.compactName, k.seat, k.id]) {
        const f = fit(field, word);
        if (f !== null && (best === null || f < best)) best = f;
      }
      if (best === null) return;
      score += best;
    }
    scored.push({ entry: index.entries[at]!, score, at });
  });
  scored.sort((a, b) => a.score - b.score || a.at - b.at);
  return scored.map((s) => s.entry);
}

export interface PickerView {
  /** The search text as the member typed it. */
  query: string;
  /** Members on the roster. */
  total: number;
  /** The names to draw as buttons. */
  shown: PickerOption[];
  /** Further matches not drawn: the member should type more to narrow the list. */
  hidden: number;
  /** `list`: names are shown; `type`: the roster is too long to list without a search; `none`:
   *  nothing matches the search. */
  state: 'list' | 'type' | 'none';
  /** The chosen member, or null. */
  selected: RosterEntry | null;
}

/** What the picker shows for a search and a choice. A chosen member stays chosen while the
 *  search changes: the list is a way to find a name, not the choice itself. */
export function pickerView(index: RosterIndex, query: string, selectedId: string | null, limit = PICKER_LIMIT): PickerView {
  const selected = selectedId === null ? null : (index.entries.find((e) => e.id === selectedId) ?? null);
  const searching = normalizeSearch(query) !== '';
  const base = { query, total: index.entries.length, selected };
  if (!searching && index.entries.length > limit) return { ...base, shown: [], hidden: 0, state: 'type' };
  const matches = searchRoster(index, query);
  if (matches.length === 0) return { ...base, shown: [], hidden: 0, state: 'none' };
  const shown = matches.slice(0, limit).map((e) => ({ ...e, showId: index.ambiguous.has(e.id) }));
  return { ...base, shown, hidden: Math.max(0, matches.length - limit), state: 'list' };
}
