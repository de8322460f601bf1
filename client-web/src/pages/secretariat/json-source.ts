// Where things are in a JSON text, so that a problem in a session file names the line a person
// opens in an editor: a JSON.parse failure's position as line:column, and the line of the value
// at a path ("members[3].name") in a file JSON.parse has accepted.

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based, in characters (code points) from the start of the line. */
  column: number;
}

/** The line and column of a UTF-16 offset. CRLF, LF and a lone CR each end a line, as in the
 *  CSV reader; the column counts code points, as editors do. */
export function positionAt(text: string, offset: number): SourcePosition {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line += 1;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const c = text.charCodeAt(i);
    // The second half of a surrogate pair is part of the character before it.
    if (!(c >= 0xdc00 && c <= 0xdfff && i > lineStart && isHighSurrogate(text.charCodeAt(i - 1)))) column += 1;
  }
  return { line, column };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * Where JSON.parse stopped, read from its message. The engines say it differently:
 * - V8 in Chromium (≥ 117): "… in JSON at position 13 (line 3 column 3)"
 * - V8 in Node 20: "… in JSON at position 13"
 * - V8, both: "Unexpected end of JSON input" (the end of the text), and
 *   `Unexpected token 'x', "…" is not valid JSON` with no position at all
 * - Firefox: "JSON.parse: … at line 3 column 3 of the JSON data"
 * Returns null when the message gives no position; the caller then finds it another way.
 */
export function syntaxErrorPosition(message: string, text: string): SourcePosition | null {
  const position = /\bat position (\d+)/.exec(message);
  if (position) return positionAt(text, Number(position[1]));
  const lineColumn = /\bline (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  if (/Unexpected end of JSON input/.test(message)) return positionAt(text, text.length);
  return null;
}

/** "members" + 3 → "members[3]"; "" + "title" → "title"; "quorum" + "num" → "quorum.num". */
export function pathIndex(base: string, i: number): string {
  return `${base}[${i}]`;
}
export function pathKey(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

export interface JsonSourceMap {
  /** The offset where each value starts, by path ("" is the document). */
  values: Map<string, number>;
  /** Keys that appear twice in one object: the path of the second one and its offset. */
  duplicates: { path: string; offset: number }[];
}

/** Where a JSON text stops being JSON (a UTF-16 offset). */
export class JsonSyntaxError extends Error {
  constructor(readonly offset: number) {
    super(`not valid JSON at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Reads a JSON text (RFC 8259, the grammar of JSON.parse) and records where each value starts,
 * by path; exact for any layout, pretty-printed or not. JSON.parse keeps the last of two equal
 * keys without a word, so the walk also lists them (the server refuses them). Throws a
 * JsonSyntaxError at the first character that is not JSON: that is how a syntax error is
 * placed when JSON.parse's message says nowhere.
 */
export function mapJsonSource(text: string): JsonSourceMap {
  const values = new Map<string, number>();
  const duplicates: { path: string; offset: number }[] = [];
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(i);
  };
  const expect = (c: string) => {
    if (text[i] !== c) fail();
    i += 1;
  };

  const space = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      i += 1;
    }
  };
  // A string starting at i (the opening quote); returns its value.
  const string = (): string => {
    expect('"');
    let out = '';
    for (;;) {
      if (i >= text.length) fail();
      const c = text[i]!;
      if (c === '"') {
        i += 1;
        return out;
      }
      if (c.charCodeAt(0) < 0x20) fail();
      if (c !== '\\') {
        out += c;
        i += 1;
        continue;
      }
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        i += 1;
        fail();
      }
    }
  };
  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const number = () => {
    numberPattern.lastIndex = i;
    const m = numberPattern.exec(text);
    if (!m) fail();
    i += m![0].length;
  };
  const literal = (word: string) => {
    for (const c of word) expect(c);
  };
  // Recursive: a session file nests six levels; a pathological one overflows the stack, which
  // the caller catches.
  const value = (path: string): void => {
    space();
    values.set(path, i);
    const c = text[i];
    if (c === '{') {
      i += 1;
      const seen = new Set<string>();
      space();
      if (text[i] === '}') {
        i += 1;
        return;
      }
      for (;;) {
        space();
        const keyAt = i;
        const key = string();
        const at = pathKey(path, key);
        if (seen.has(key)) duplicates.push({ path: at, offset: keyAt });
        seen.add(key);
        space();
        expect(':');
        // With a duplicate, JSON.parse keeps the last value: so does the map.
        value(at);
        space();
        if (text[i] === '}') {
          i += 1;
          return;
        }
        expect(',');
      }
    }
    if (c === '[') {
      i += 1;
      space();
      if (text[i] === ']') {
        i += 1;
        return;
      }
      for (let k = 0; ; k++) {
        value(pathIndex(path, k));
        space();
        if (text[i] === ']') {
          i += 1;
          return;
        }
        expect(',');
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  value('');
  space();
  if (i < text.length) fail();
  return { values, duplicates };
}

/** The position of the value at `path`, or of the nearest enclosing value that exists (a missing
 *  field is reported where its object starts); null when nothing of the path is found. */
export function locatePath(text: string, map: JsonSourceMap, path: string): SourcePosition | null {
  let p = path;
  for (;;) {
    const offset = map.values.get(p);
    if (offset !== undefined) return positionAt(text, offset);
    if (p === '') return null;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut <= 0 ? '' : p.slice(0, cut);
  }
}
