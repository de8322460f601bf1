// Where things are in a JSON text: offsets as line:column, JSON.parse's messages in the formats
// of the engines a secretariat uses, and the line of the value at a path.
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, locatePath, mapJsonSource, positionAt, syntaxErrorPosition } from '../../../src/pages/secretariat/json-source';

describe('positionAt', () => {
  it('counts LF, CRLF and a lone CR as one line break each, and columns in characters', () => {
    const text = 'ab\ncd\r\nef\rgh';
    expect(positionAt(text, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(text, 3)).toEqual({ line: 2, column: 1 });
    expect(positionAt(text, 5)).toEqual({ line: 2, column: 3 }); // on the CR of the CRLF
    expect(positionAt(text, 7)).toEqual({ line: 3, column: 1 });
    expect(positionAt(text, 10)).toEqual({ line: 4, column: 1 });
    expect(positionAt(text, 99)).toEqual({ line: 4, column: 3 }); // clamped to the end
  });

  it('counts a Chinese character as one column, and a character outside the BMP as one too', () => {
    expect(positionAt('{"名": x}', 6)).toEqual({ line: 1, column: 7 });
    expect(positionAt('"𠀋x"', 3)).toEqual({ line: 1, column: 3 });
  });
});

describe('syntaxErrorPosition', () => {
  const text = '{\n  "a": 1\n  "b": 2\n}';

  it.each([
    ['Chromium 156 (V8 with line and column)', "Expected ',' or '}' after property value in JSON at position 13 (line 3 column 3)"],
    ['Node 20 (V8, position only)', "Expected ',' or '}' after property value in JSON at position 13"],
    ['Firefox', "JSON.parse: expected ',' or '}' after property value in object at line 3 column 3 of the JSON data"],
  ])('reads %s', (_engine, message) => {
    expect(syntaxErrorPosition(message, text)).toEqual({ line: 3, column: 3 });
  });

  it('reads the message of the JSON.parse running these tests', () => {
    let message = '';
    try {
      JSON.parse(text);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(syntaxErrorPosition(message, text)).toEqual({ line: 3, column: 3 });
  });

  it('places "Unexpected end of JSON input" at the end of the text', () => {
    expect(syntaxErrorPosition('Unexpected end of JSON input', '{\n  "a": [1,\n')).toEqual({ line: 3, column: 1 });
  });

  it("returns null for V8's message without a position, in both its short and its elided form", () => {
    expect(syntaxErrorPosition(`Unexpected token '}', "{"a": }" is not valid JSON`, '{"a": }')).toBeNull();
    expect(syntaxErrorPosition(`Unexpected token 'x', ..."e":"张伟"}, x ]}" is not valid JSON`, '…')).toBeNull();
  });

  it('counts the position in a text with Chinese before it as characters', () => {
    const t = '{"title": "会议",\n "x": ]}';
    expect(syntaxErrorPosition('Unexpected token in JSON at position 22', t)).toEqual({ line: 2, column: 7 });
  });
});

describe('mapJsonSource', () => {
  const text = ['{', '  "title": "会议",', '  "members": [', '    {"id": "m01", "name": "张伟"},', '    {"id": "m\\"02", "name": "王芳"}', '  ],', '  "quorum": {"num": 1, "den": 2}', '}'].join('\n');

  it('finds the line of every value by its path, in a pretty-printed file', () => {
    const map = mapJsonSource(text);
    expect(map.duplicates).toEqual([]);
    expect(locatePath(text, map, 'title')).toEqual({ line: 2, column: 12 });
    expect(locatePath(text, map, 'members[0].name')).toEqual({ line: 4, column: 27 });
    expect(locatePath(text, map, 'members[1].id')).toEqual({ line: 5, column: 12 });
    expect(locatePath(text, map, 'members[1].name')).toEqual({ line: 5, column: 29 });
    expect(locatePath(text, map, 'quorum.den')).toEqual({ line: 7, column: 31 });
  });

  it('falls back to the nearest enclosing value for a path that is not there', () => {
    const map = mapJsonSource(text);
    expect(locatePath(text, map, 'members[1].seat')).toEqual({ line: 5, column: 5 });
    expect(locatePath(text, map, 'rounds')).toEqual({ line: 1, column: 1 });
  });

  it('finds the same values in a file on one line, and keys written with escapes', () => {
    const one = '{"t\\u0069tle":"x","members":[{"id":"m01"}]}';
    const map = mapJsonSource(one);
    expect(map.values.get('title')).toBe(14);
    expect(map.values.get('members[0].id')).toBe(35);
  });

  it('lists a key repeated in one object, at the second one', () => {
    const t = '{\n  "title": "a",\n  "members": [{"id": "m01", "id": "m02"}],\n  "title": "b"\n}';
    const map = mapJsonSource(t);
    expect(map.duplicates.map((d) => [d.path, positionAt(t, d.offset).line])).toEqual([
      ['members[0].id', 3],
      ['title', 4],
    ]);
  });

  it.each([
    ['{"a": }', 6],
    ['{"a":tru}', 8],
    ['{"a": 1,}', 8],
    ['[1 2]', 3],
    ['{"a": "x\ny"}', 8],
    ['{"a": 01}', 7],
    ['{} x', 3],
    ['{"a": "\\q"}', 8],
  ])('throws at the first character that is not JSON: %j', (bad, offset) => {
    expect(() => JSON.parse(bad)).toThrow(SyntaxError);
    let caught: unknown = null;
    try {
      mapJsonSource(bad);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(JsonSyntaxError);
    expect((caught as JsonSyntaxError).offset).toBe(offset);
  });
});
