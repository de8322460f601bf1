// The roster picker: finding one's own name by name, seat or id as it is typed, the order of what
// is found, how much is drawn at once, and the choice surviving a change of search.
import { describe, expect, it } from 'vitest';
import { PICKER_LIMIT, type RosterEntry, indexRoster, normalizeSearch, pickerView, searchRoster } from '../../../src/pages/tablet/picker';

const ROSTER: RosterEntry[] = [
  { id: 'm01', name: '张伟', seat: '1' },
  { id: 'm02', name: '王芳', seat: '2' },
  { id: 'm03', name: '李娜', seat: '3' },
  { id: 'm12', name: '张小明', seat: '12' },
  { id: 'm112', name: '刘洋', seat: '112' },
  { id: 'm120', name: 'Li Na', seat: '120' },
  { id: 'x7', name: '陈静', seat: '' },
];
const index = indexRoster(ROSTER);
const ids = (entries: readonly { id: string }[]) => entries.map((e) => e.id);

/** A roster of n members, seats 1…n, for the limits of a long list. */
function longRoster(n: number): RosterEntry[] {
  return Array.from({ length: n }, (_, i) => ({ id: `m${String(i + 1).padStart(4, '0')}`, name: `委员${i + 1}`, seat: String(i + 1) }));
}

describe('normalizeSearch', () => {
  it.each([
    ['  Li  Na ', 'li na'],
    ['ＬＩ　ＮＡ', 'li na'],
    ['１２', '12'],
    ['李娜', '李娜'],
  ])('reads %j as %j', (typed, normal) => {
    expect(normalizeSearch(typed)).toBe(normal);
  });
});

describe('searchRoster', () => {
  it.each([
    ['a name', '李娜', ['m03']],
    ['part of a name', '张', ['m01', 'm12']],
    ['a seat', '3', ['m03']],
    ['an id', 'x7', ['x7']],
    ['a Latin name in any case, with or without its space', 'lina', ['m120']],
    ['Latin words in either order', 'na li', ['m120']],
    ['full-width digits from a Chinese input method', '１１２', ['m112']],
    ['nothing', '赵', []],
  ])('finds by %s', (_, query, expected) => {
    expect(ids(searchRoster(index, query))).toEqual(expected);
  });

  it('puts a seat typed in full before the seats that start with it, before those that contain it', () => {
    // "12": seat 12 (and id m12, the same member) exactly; 120 and 112 start or contain it.
    expect(ids(searchRoster(index, '12'))).toEqual(['m12', 'm120', 'm112']);
    expect(ids(searchRoster(index, '1'))).toEqual(['m01', 'm12', 'm112', 'm120']);
  });

  it('needs every word: "张 12" is one member, not all the 张 and all the 12s', () => {
    expect(ids(searchRoster(index, '张 12'))).toEqual(['m12']);
  });

  it('matches everyone in roster order when the search is empty or blank', () => {
    expect(ids(searchRoster(index, ''))).toEqual(ids(ROSTER));
    expect(ids(searchRoster(index, ' 　'))).toEqual(ids(ROSTER));
  });
});

describe('pickerView', () => {
  it('lists a short roster in full before anything is typed, with nothing chosen', () => {
    const v = pickerView(index, '', null);
    expect(v).toMatchObject({ state: 'list', total: ROSTER.length, hidden: 0, selected: null });
    expect(ids(v.shown)).toEqual(ids(ROSTER));
  });

  it('filters as the member types', () => {
    expect(ids(pickerView(index, '张', null).shown)).toEqual(['m01', 'm12']);
    expect(ids(pickerView(index, '张小', null).shown)).toEqual(['m12']);
    expect(pickerView(index, '张小红', null)).toMatchObject({ state: 'none', shown: [], query: '张小红' });
  });

  it('asks for a search before listing a long roster, and draws at most PICKER_LIMIT names', () => {
    const long = indexRoster(longRoster(3000));
    const idle = pickerView(long, '', null);
    expect(idle).toMatchObject({ state: 'type', total: 3000, shown: [], hidden: 0 });
    // "委员1" is in 1,111 names (1, 10–19, 100–199, 1000–1999).
    const broad = pickerView(long, '委员1', null);
    expect(broad.state).toBe('list');
    expect(broad.shown).toHaveLength(PICKER_LIMIT);
    expect(broad.shown.length + broad.hidden).toBe(1111);
    expect(broad.shown[0]!.id).toBe('m0001');
    // Seat 2999 exactly: one member, first.
    expect(ids(pickerView(long, '2999', null).shown)[0]).toBe('m2999');
  });

  it('keeps the chosen member while the search changes, even when the search hides them', () => {
    const v = pickerView(index, '张', 'm03');
    expect(v.selected).toEqual({ id: 'm03', name: '李娜', seat: '3' });
    expect(ids(v.shown)).not.toContain('m03');
    expect(pickerView(index, '', 'm03').selected?.id).toBe('m03');
  });

  it('chooses no one for an id the roster does not have', () => {
    expect(pickerView(index, '', 'm99').selected).toBeNull();
  });

  it('shows the id only where name and seat are another member’s too', () => {
    const twins = indexRoster([
      { id: 'a1', name: '王芳', seat: '' },
      { id: 'a2', name: '王芳', seat: '' },
      { id: 'a3', name: '王芳', seat: '8' },
      { id: 'a4', name: '李娜', seat: '' },
    ]);
    const shown = pickerView(twins, '', null).shown;
    expect(shown.map((o) => [o.id, o.showId])).toEqual([
      ['a1', true],
      ['a2', true],
      ['a3', false],
      ['a4', false],
    ]);
  });
});
