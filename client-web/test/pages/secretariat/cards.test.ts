// The credential card model: the tablet URL of each member's QR code (with the code), the chair's
// card (the console URL, never the chair code in it), the display form of codes, and the CSV.
import { describe, expect, it } from 'vitest';
import { allCards, chairCard, codesCsv, codesFileName, displayCredential, memberCard } from '../../../src/pages/secretariat/cards';
import { parseCsv } from '../../../src/pages/secretariat/csv';

const session = '1fa543957a1678b6881c90708a23caed4051056b780ae00742ae8c3ebf4c836b';
// The same shape as absoluteRouteUrl, with a fixed origin.
const urlFor = (page: string, params: Record<string, string>) => `https://vote.example/#/${page}?${new URLSearchParams(params).toString()}`;

const members = [
  { id: 'm01', name: '张伟', seat: '1', scrutineer: true },
  { id: 'm02', name: '王芳', seat: '2', scrutineer: false },
];
const codes = new Map([
  ['m01', 'XZEP-1N9F-CD75'],
  ['m02', '9spx fana 5ck5'],
]);

describe('displayCredential', () => {
  it('regroups a code in fours, upper case', () => {
    expect(displayCredential('XZEP-1N9F-CD75')).toBe('XZEP-1N9F-CD75');
    expect(displayCredential('xzep1n9fcd75')).toBe('XZEP-1N9F-CD75');
    expect(displayCredential(' 9spx fana 5ck5 ')).toBe('9SPX-FANA-5CK5');
  });
});

describe('cards', () => {
  it('puts the tablet URL with session and code in the member card', () => {
    const c = memberCard(session, members[0]!, 'XZEP-1N9F-CD75', urlFor);
    expect(c).toEqual({
      kind: 'member',
      testId: 'card-m01',
      memberId: 'm01',
      name: '张伟',
      seat: '1',
      scrutineer: true,
      code: 'XZEP-1N9F-CD75',
      url: `https://vote.example/#/tablet?session=${session}&member=m01&code=XZEP-1N9F-CD75`,
    });
  });

  it('gives the chair the console URL without the chair code', () => {
    const c = chairCard(session, 'bpbw8cqhv4fy', urlFor);
    expect(c.testId).toBe('card-chair');
    expect(c.code).toBe('BPBW-8CQH-V4FY');
    expect(c.url).toBe(`https://vote.example/#/chair?session=${session}`);
    expect(c.url).not.toMatch(/BPBW|bpbw/);
  });

  it('makes the chair card first, then one card per member in roster order, codes in display form', () => {
    const cards = allCards(session, 'BPBW-8CQH-V4FY', members, codes, urlFor);
    expect(cards.map((c) => [c.testId, c.code])).toEqual([
      ['card-chair', 'BPBW-8CQH-V4FY'],
      ['card-m01', 'XZEP-1N9F-CD75'],
      ['card-m02', '9SPX-FANA-5CK5'],
    ]);
    expect(new URL(cards[2]!.url.replace('#/tablet?', '?')).searchParams.get('code')).toBe('9SPX-FANA-5CK5');
  });

  it('refuses to make cards when a member has no code', () => {
    expect(() => allCards(session, 'BPBW-8CQH-V4FY', [...members, { id: 'm03', name: '李娜', seat: '3', scrutineer: false }], codes, urlFor)).toThrow(/m03/);
  });
});

describe('codesCsv', () => {
  it('writes a BOM, a header and one CRLF line per card that parse back', () => {
    const csv = codesCsv(session, allCards(session, 'BPBW-8CQH-V4FY', members, codes, urlFor));
    expect(csv.startsWith('\uFEFFsession,role,member,name,seat,code,url\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv).rows.map((r) => r.fields);
    expect(rows[1]).toEqual([session, 'chair', '', '', '', 'BPBW-8CQH-V4FY', `https://vote.example/#/chair?session=${session}`]);
    expect(rows[2]!.slice(1, 6)).toEqual(['scrutineer', 'm01', '张伟', '1', 'XZEP-1N9F-CD75']);
    expect(rows[3]!.slice(1, 6)).toEqual(['member', 'm02', '王芳', '2', '9SPX-FANA-5CK5']);
  });

  it('quotes commas and defuses spreadsheet formulas in names', () => {
    const csv = codesCsv(session, [memberCard(session, { id: 'm09', name: '=HYPERLINK("x")', seat: 'A,1', scrutineer: false }, 'XZEP1N9FCD75', urlFor)]);
    const row = parseCsv(csv).rows[1]!.fields;
    expect(row[3]).toBe(`'=HYPERLINK("x")`);
    expect(row[4]).toBe('A,1');
  });

  it('names the file after the date and the session', () => {
    expect(codesFileName(session, '2026-11-23')).toBe('pingyi-codes-2026-11-23-1fa54395.csv');
    expect(codesFileName(session, '十一月')).toBe('pingyi-codes-session-1fa54395.csv');
  });
});
