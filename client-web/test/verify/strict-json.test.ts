// The strict JSON reader: what nlohmann::json (the C++ codec's parser) accepts, with each
// object's key order kept, a key twice refused, depth bounded, and numbers classified as nlohmann
// classifies them, so that the decoder can refuse 2.0, -0 and 2^64 as the C++ does.
import { describe, expect, it } from 'vitest';
import { Refusal } from '../../src/verify/refusal';
import { JsonNumber, JsonObject, type JsonValue, parseStrictJson } from '../../src/verify/strict-json';

function refused(text: string, depth = 8): { code: string; field: string } {
  try {
    parseStrictJson(text, depth);
  } catch (e) {
    if (e instanceof Refusal) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

function number(text: string): JsonNumber {
  const v = parseStrictJson(text, 8);
  if (!(v instanceof JsonNumber)) throw new Error('not a number');
  return v;
}

describe('parseStrictJson', () => {
  it('keeps the keys of an object in their order', () => {
    const o = parseStrictJson('{"b":1,"a":[true,false,null],"c":{"z":"x","y":"w"}}', 8) as JsonObject;
    expect(o.keys).toEqual(['b', 'a', 'c']);
    expect((o.get('c') as JsonObject).keys).toEqual(['z', 'y']);
    expect(o.get('a')).toEqual([true, false, null]);
  });

  it('refuses a key twice in one object, naming it, but not in two objects', () => {
    expect(refused('{"a":1,"b":2,"a":3}')).toEqual({ code: 'BAD_REQUEST', field: 'a' });
    const many = `{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')},"k7":0}`;
    expect(refused(many)).toEqual({ code: 'BAD_REQUEST', field: 'k7' });
    expect(() => parseStrictJson('[{"a":1},{"a":2}]', 8)).not.toThrow();
  });

  it('bounds the nesting (objects and arrays alike)', () => {
    expect(() => parseStrictJson('[[[[[[[[1]]]]]]]]', 8)).not.toThrow();
    expect(refused('[[[[[[[[[1]]]]]]]]]')).toEqual({ code: 'BAD_REQUEST', field: '' });
    expect(refused('{"a":{"b":{"c":1}}}', 2)).toEqual({ code: 'BAD_REQUEST', field: '' });
  });

  it('classifies numbers as nlohmann does', () => {
    expect(number('0').kind).toBe('unsigned');
    expect(number('18446744073709551615').kind).toBe('unsigned'); // 2^64 − 1
    expect(number('18446744073709551616').kind).toBe('float'); // 2^64
    expect(number('-0').kind).toBe('signed');
    expect(number('-9223372036854775808').kind).toBe('signed'); // −2^63
    expect(number('-9223372036854775809').kind).toBe('float');
    for (const f of ['2.0', '1e3', '1E+3', '-1.5e-2']) expect(number(f).kind).toBe('float');
    expect(number('9007199254740993').bigint()).toBe(9007199254740993n); // beyond 2^53, exact
  });

  it('reads strings with every escape, surrogate pairs included', () => {
    const v = parseStrictJson('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u4e2d\\ud83d\\ude00委"', 8);
    expect(v).toBe('a"b\\c/d\b\f\n\r\t\u00e9中😀委');
  });

  it('accepts whitespace between tokens and refuses text after the value', () => {
    const v = parseStrictJson(' \t\r\n{ "a" : [ 1 , 2 ] }\n', 8) as JsonObject;
    expect(v.get('a')).toEqual([new JsonNumber('1', 'unsigned'), new JsonNumber('2', 'unsigned')]);
    expect(refused('{"a":1} x')).toEqual({ code: 'BAD_JSON', field: '' });
  });

  it.each([
    ['empty', ''],
    ['a trailing comma', '{"a":1,}'],
    ['a leading zero', '[01]'],
    ['a bare fraction', '[.5]'],
    ['an exponent without digits', '[1e]'],
    ['a single-quoted string', "['a']"],
    ['a raw control character', '["a\u0001"]'],
    ['an unknown escape', '["\\x41"]'],
    ['a short \\u escape', '["\\u12"]'],
    ['a lone high surrogate escape', '["\\ud800"]'],
    ['a lone low surrogate escape', '["\\udc00"]'],
    ['a raw lone surrogate', '["\ud800"]'],
    ['an unterminated string', '["abc'],
    ['a key that is not a string', '{1:2}'],
    ['NaN', '[NaN]'],
    ['a comment', '[1 /* x */]'],
  ])('refuses %s as not JSON', (_name, text) => {
    expect(refused(text)).toEqual({ code: 'BAD_JSON', field: '' });
  });

  it('tells the values apart', () => {
    const v = parseStrictJson('{"s":"1","n":1,"t":true,"z":null,"a":[],"o":{}}', 8) as JsonObject;
    const kinds = v.values.map((x: JsonValue) => (x instanceof JsonNumber ? 'number' : x instanceof JsonObject ? 'object' : Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x));
    expect(kinds).toEqual(['string', 'number', 'boolean', 'null', 'array', 'object']);
  });
});
