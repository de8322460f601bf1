// Whole-file checks: verifyChainText as the observer's "verify a downloaded file" box uses it,
// and verifyFile, the node entry for scripts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { chainLines, verifyChainText } from '../../src/verify/chain-file';
import { verifyFile } from './verify-file';
import { vectorLines, vectors } from './vectors';

const L = vectorLines();
let dir = '';

beforeAll(async () => {
  await sodiumReady();
  dir = mkdtempSync(join(tmpdir(), 'pingyi-chain-file-'));
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('verifyChainText', () => {
  it('verifies the downloaded chain, LF or CRLF, with or without a final newline', () => {
    for (const text of [L.join('\n') + '\n', L.join('\r\n') + '\r\n', L.join('\n')]) {
      const { verifier } = verifyChainText(text);
      expect(verifier.failure).toBeNull();
      expect(verifier.length).toBe(L.length);
      expect(verifier.headHash).toBe(vectors.chain.at(-1)!.hash);
    }
  });

  it('stops at an empty line, at its seq', () => {
    const { verifier } = verifyChainText([...L.slice(0, 7), '', ...L.slice(7)].join('\n'));
    expect(verifier.failure).toMatchObject({ seq: 7, code: 'BAD_JSON' });
    expect(verifier.length).toBe(7);
  });

  it('reports an empty file as nothing verified', () => {
    const { verifier } = verifyChainText('');
    expect(verifier.failure).toBeNull();
    expect(verifier.length).toBe(0);
    expect(verifier.session()).toBeNull();
  });

  it('splits lines as the C++ split_lines does', () => {
    expect(chainLines('a\r\nb\nc')).toEqual(['a', 'b', 'c']);
    expect(chainLines('a\n\nb\n')).toEqual(['a', '', 'b']);
  });
});

describe('verifyFile', () => {
  it('verifies a chain file', async () => {
    const path = join(dir, 'chain.jsonl');
    writeFileSync(path, L.map((l) => `${l}\n`).join(''));
    const { verifier } = await verifyFile(path);
    expect(verifier.failure).toBeNull();
    expect(verifier.rounds().map((r) => r.status)).toEqual(['revealed', 'revealed']);
  });

  it('refuses a file that is not UTF-8', async () => {
    const path = join(dir, 'latin1.jsonl');
    writeFileSync(path, Buffer.concat([Buffer.from(L[0]!.slice(0, 40)), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    await expect(verifyFile(path)).rejects.toThrow(TypeError);
  });
});
