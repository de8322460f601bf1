// The start page's list: entries read strictly from GET /api/sessions, newest first, each with the
// links of its four pages.
import { describe, expect, it } from 'vitest';
import { sessionEntries } from '../../../src/pages/start/model';
import { routeHref } from '../../../src/ui/router';

const a = '1fa543957a1678b6881c90708a23caed4051056b780ae00742ae8c3ebf4c836b';
const b = 'b'.repeat(64);
const c = 'c'.repeat(64);

describe('sessionEntries', () => {
  it('links each session to its projector, observer, chair console and tablet page', () => {
    const [e] = sessionEntries([{ session: a, title: '述职评议', committee: '某县人大常委会', date: '2026-11-23', length: 40 }], routeHref);
    expect(e).toEqual({
      session: a,
      title: '述职评议',
      committee: '某县人大常委会',
      date: '2026-11-23',
      records: 40,
      links: {
        projector: `#/projector?session=${a}`,
        observer: `#/observer?session=${a}`,
        chair: `#/chair?session=${a}`,
        tablet: `#/tablet?session=${a}`,
      },
    });
  });

  it('orders by date, newest first, then by title', () => {
    const list = sessionEntries(
      [
        { session: a, title: '乙', committee: '', date: '2026-01-05', length: 1 },
        { session: b, title: '甲', committee: '', date: '2026-11-23', length: 1 },
        { session: c, title: '甲', committee: '', date: '2026-01-05', length: 1 },
      ],
      routeHref,
    );
    expect(list.map((e) => e.session)).toEqual([b, c, a]);
  });

  it('leaves out entries that could not be linked or are malformed', () => {
    const list = sessionEntries(
      [
        { session: 'ABC', title: 't', committee: '', date: 'd', length: 1 },
        { session: a.toUpperCase(), title: 't', committee: '', date: 'd', length: 1 },
        { session: b, title: 7, committee: '', date: 'd', length: 1 },
        { session: c, title: 't', committee: '', date: 'd', length: -1 },
        null,
        'x',
        { session: a, title: 't', committee: '', date: 'd', length: 0 },
      ],
      routeHref,
    );
    expect(list.map((e) => e.session)).toEqual([a]);
  });

  it('gives an empty list for a reply that is not a list', () => {
    expect(sessionEntries(undefined, routeHref)).toEqual([]);
    expect(sessionEntries({}, routeHref)).toEqual([]);
  });
});
