// A small CSV reader for rosters (RFC 4180 with the habits of spreadsheet exports): quoted fields
// may hold commas, line breaks and doubled quotes; CRLF, LF and lone CR all end a row; a UTF-8
// BOM is dropped. Rows keep the line they start on, so that every problem names its line.

export interface CsvRow {
  /** 1-based physical line on which the row starts. */
  line: number;
  fields: string[];
}

export type CsvProblemCode = 'unterminated_quote' | 'text_after_quote';

export interface CsvProblem {
  line: number;
  code: CsvProblemCode;
}

export interface CsvTable {
  rows: CsvRow[];
  problems: CsvProblem[];
  /** ',' for CSV; '\t' when the text is tab-separated (what a spreadsheet puts on the clipboard). */
  delimiter: ',' | '\t';
}

export type DecodedText = { ok: true; text: string } | { ok: false; code: 'not_utf8' };

/** A file's bytes as text. Strict UTF-8: a roster saved as GBK (the default of many Chinese
 *  spreadsheet programs) would otherwise turn every name into replacement characters. */
export function decodeCsvBytes(bytes: Uint8Array): DecodedText {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, code: 'not_utf8' };
  }
}

// A pasted table from a spreadsheet is tab-separated; a CSV file is comma-separated. The first
// non-empty line decides: tabs and no comma there means tab-separated.
function detectDelimiter(text: string): ',' | '\t' {
  const first = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}

export function parseCsv(input: string): CsvTable {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];

  let line = 1;
  let rowLine = 1;
  let fields: string[] = [];
  let field = '';
  let quotedRow = false; // a row of one empty quoted field ("") is not a blank line
  let i = 0;

  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    const blank = fields.length === 1 && fields[0]!.trim() === '' && !quotedRow;
    if (!blank) rows.push({ line: rowLine, fields });
    fields = [];
    quotedRow = false;
  };
  // Consumes a line break at i (CRLF counts once) and returns true, or returns false.
  const lineBreak = (): boolean => {
    const c = text[i];
    if (c === '\r') {
      i += text[i + 1] === '\n' ? 2 : 1;
    } else if (c === '\n') {
      i += 1;
    } else {
      return false;
    }
    line += 1;
    return true;
  };

  while (i < text.length) {
    if (text[i] === '"' && field.trim() === '') {
      // A quoted field: runs to the next lone quote; "" inside is one quote. Spaces before the
      // opening quote (`m01, "张伟, 主任"`, as people type) are not part of it.
      field = '';
      quotedRow = true;
      const startLine = line;
      i += 1;
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          closed = true;
          break;
        }
        if (c === '\r' || c === '\n') {
          lineBreak();
          field += '\n';
          continue;
        }
        field += c;
        i += 1;
      }
      if (!closed) {
        problems.push({ line: startLine, code: 'unterminated_quote' });
        break;
      }
      // After the closing quote only a delimiter or the end of the row may follow; anything else
      // is kept (so that nothing typed is lost) and reported, since its meaning is a guess.
      let after = '';
      while (i < text.length && text[i] !== delimiter && text[i] !== '\r' && text[i] !== '\n') {
        after += text[i];
        i += 1;
      }
      if (after.trim() !== '') {
        field += after;
        problems.push({ line, code: 'text_after_quote' });
      }
      if (i >= text.length) break;
    }
    const c = text[i]!;
    if (c === delimiter) {
      endField();
      i += 1;
    } else if (lineBreak()) {
      endRow();
      rowLine = line;
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== '' || fields.length > 0 || quotedRow) endRow();
  return { rows, problems, delimiter };
}

/** One CSV field, quoted when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
