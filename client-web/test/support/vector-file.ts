// The shared test vectors in the repository's tests/vectors/ (DESIGN.md §6), read from wherever a
// test file stands: each reader states the file's shape as far as it reads it, since the C++
// generator, not this code, decides what the file holds.
/// <reference types="node" />
import { readFileSync } from 'node:fs';

/** tests/vectors/<name>, as a URL (for reading and, when a test regenerates a file, writing). */
export function vectorFileUrl(name: string): URL {
  return new URL(`../../../tests/vectors/${name}`, import.meta.url);
}

/** tests/vectors/<name>, parsed; `unknown` until the caller says what it expects of it. */
export function readVectorFile(name: string): unknown {
  const text = readFileSync(vectorFileUrl(name), 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`tests/vectors/${name} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
