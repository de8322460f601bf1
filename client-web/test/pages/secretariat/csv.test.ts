// The roster's CSV reader: quoting, BOM, line endings, line numbers, tab-separated paste, and the
// strict UTF-8 decoding of a file.
import { describe, expect, it } from 'vitest';
import { csvField, decodeCsvBytes, parseCsv } from '../../../src/pages/secretariat/csv';

describe('parseCsv', () => {
  it('splits plain rows and numbers them by line', () => {
    const t = parseCsv('m01,张伟,1,是\nm02,王芳,2,\n');
    expect(t.problems).toEqual([]);
    expect(t.rows).toEqual([
      { line: 1, fields: ['m01', '张伟', '1', '是'] },
      { line: 2, fields: ['m02', '王芳', '2', ''] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, numbering the next row after them', () => {
    const t = parseCsv('a,"x, y","say ""hi"""\n"multi\nline",b\nlast,row');
    expect(t.problems).toEqual([]);
    expect(t.rows).toEqual([
      { line: 1, fields: ['a', 'x, y', 'say "hi"'] },
      { line: 2, fields: ['multi\nline', 'b'] },
      { line: 4, fields: ['last', 'row'] },
    ]);
  });

  it('drops a UTF-8 BOM and treats CRLF, LF and lone CR as one line break each', () => {
    const t = parseCsv('\uFEFFid,name\r\nm01,张伟\rm02,王芳\r\n\r\nm03,李娜');
    expect(t.rows.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, 'id'],
      [2, 'm01'],
      [3, 'm02'],
      [5, 'm03'],
    ]);
    expect(t.rows[0]!.fields[0]).toBe('id'); // no BOM left on the first field
  });

  it('keeps a CRLF inside quotes as one line break and counts it once', () => {
    const t = parseCsv('"a\r\nb",c\r\nd,e');
    expect(t.rows).toEqual([
      { line: 1, fields: ['a\nb', 'c'] },
      { line: 3, fields: ['d', 'e'] },
    ]);
  });

  it('skips blank and whitespace-only lines but keeps a row of one empty quoted field', () => {
    const t = parseCsv('a\n\n   \n""\nb');
    expect(t.rows.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a']],
      [4, ['']],
      [5, ['b']],
    ]);
  });

  it('keeps empty fields between and after delimiters', () => {
    expect(parseCsv('a,,c,').rows[0]!.fields).toEqual(['a', '', 'c', '']);
  });

  it('reports an unterminated quote on the line it opens', () => {
    const t = parseCsv('m01,张伟\nm02,"王芳,2\nm03,李娜');
    expect(t.problems).toEqual([{ line: 2, code: 'unterminated_quote' }]);
    expect(t.rows[0]).toEqual({ line: 1, fields: ['m01', '张伟'] });
  });

  it('reports text after a closing quote and keeps the text', () => {
    const t = parseCsv('m01,"张"伟,1');
    expect(t.problems).toEqual([{ line: 1, code: 'text_after_quote' }]);
    expect(t.rows[0]!.fields).toEqual(['m01', '张伟', '1']);
  });

  it('ignores spaces after a closing quote', () => {
    const t = parseCsv('"a"  ,b');
    expect(t.problems).toEqual([]);
    expect(t.rows[0]!.fields).toEqual(['a', 'b']);
  });

  it('reads a tab-separated paste (a spreadsheet clipboard) as tab-separated', () => {
    const t = parseCsv('编号\t姓名\t座位\t监票人\nm01\t张伟, 主任\t1\t是');
    expect(t.delimiter).toBe('\t');
    expect(t.rows[1]!.fields).toEqual(['m01', '张伟, 主任', '1', '是']);
  });

  it('stays comma-separated when the first line holds a comma', () => {
    expect(parseCsv('a,b\tc').delimiter).toBe(',');
    expect(parseCsv('a,b\tc').rows[0]!.fields).toEqual(['a', 'b\tc']);
  });

  it('gives no rows for empty input', () => {
    expect(parseCsv('').rows).toEqual([]);
    expect(parseCsv('\uFEFF').rows).toEqual([]);
  });
});

describe('csvField', () => {
  it('quotes only what needs quoting and doubles quotes', () => {
    expect(csvField('张伟')).toBe('张伟');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
  });

  it('round-trips through parseCsv', () => {
    const values = ['plain', 'a,b', 'q"uote', 'line\nbreak', ''];
    const row = values.map(csvField).join(',');
    expect(parseCsv(row).rows[0]!.fields).toEqual(values);
  });
});

describe('decodeCsvBytes', () => {
  it('decodes UTF-8', () => {
    const r = decodeCsvBytes(new TextEncoder().encode('m01,张伟'));
    expect(r).toEqual({ ok: true, text: 'm01,张伟' });
  });

  it('refuses GBK bytes instead of turning names into replacement characters', () => {
    // "张伟" in GBK: D5 C5 CE B0.
    const r = decodeCsvBytes(new Uint8Array([0x6d, 0x30, 0x31, 0x2c, 0xd5, 0xc5, 0xce, 0xb0]));
    expect(r).toEqual({ ok: false, code: 'not_utf8' });
  });
});

describe('parseCsv with spaces around quotes', () => {
  it('treats spaces before an opening quote as outside the field', () => {
    const t = parseCsv('m01, "张伟, 主任" ,1');
    expect(t.problems).toEqual([]);
    expect(t.rows[0]!.fields).toEqual(['m01', '张伟, 主任', '1']);
  });

  it('keeps a quote inside an unquoted field as a character', () => {
    expect(parseCsv('m01,张"伟').rows[0]!.fields).toEqual(['m01', '张"伟']);
  });
});
