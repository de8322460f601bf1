// The chain download is the verified lines byte for byte, as the server serves them (one per
// line, final newline), so that pingyi-verify and any other verifier hash exactly what was
// verified here; and the signed head is in the form pingyi-verify --head reads.
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../src/crypto/bytes';
import { sha256 } from '../../../src/crypto/hash';
import { sodiumReady } from '../../../src/crypto/sodium';
import { chainFileBlob, chainFileName, chainFileText, headFileName, headFileText } from '../../../src/pages/observer/download';
import { chainLines as splitLines, verifyChainText } from '../../../src/verify/chain-file';
import { chainLines, sessionId, vectors } from '../fixtures';

beforeAll(async () => {
  await sodiumReady();
});

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('the chain download', () => {
  it('is every line’s UTF-8 bytes followed by a newline, nothing else', async () => {
    const expected = concatBytes(chainLines.flatMap((l) => [utf8(l), utf8('\n')]));
    const bytes = new Uint8Array(await chainFileBlob(chainLines).arrayBuffer());
    expect(bytes).toEqual(expected);
    expect(chainFileBlob(chainLines).type).toBe('application/x-ndjson');
  });

  it('splits back into lines whose hashes are the chain’s, and verifies whole', () => {
    const text = chainFileText(chainLines);
    const lines = splitLines(text);
    expect(lines).toEqual(chainLines);
    lines.forEach((line, seq) => expect(toHex(sha256(utf8(line)))).toBe(vectors.chain[seq]!.hash));
    const { verifier } = verifyChainText(text);
    expect(verifier.failure).toBeNull();
    expect(verifier.length).toBe(chainLines.length);
    expect(verifier.headHash).toBe(vectors.chain[chainLines.length - 1]!.hash);
  });

  it('holds only the verified prefix it is given', () => {
    const text = chainFileText(chainLines.slice(0, 12));
    expect(text.split('\n')).toHaveLength(13);
    expect(text.endsWith(`${chainLines[11]}\n`)).toBe(true);
    expect(chainFileText([])).toBe('');
  });

  it('refuses a line holding a newline rather than write a broken file', () => {
    expect(() => chainFileText(['{"seq":0}\n{"seq":1}'])).toThrow();
  });

  it('is named after the session', () => {
    expect(chainFileName(sessionId)).toBe(`pingyi-${sessionId}.jsonl`);
    expect(headFileName(sessionId)).toBe(`pingyi-${sessionId}-head.json`);
  });
});

describe('the signed head download', () => {
  it('is {seq, hash, sig} of the last verified record, and checks against the chain', () => {
    const seq = chainLines.length - 1;
    const head = { seq, hash: vectors.chain[seq]!.hash, sig: vectors.chain[seq]!.head_sig };
    const text = headFileText(head);
    expect(JSON.parse(text)).toEqual(head);
    expect(text.endsWith('\n')).toBe(true);
    const { verifier } = verifyChainText(chainFileText(chainLines));
    expect(verifier.checkHead(JSON.parse(text) as typeof head)).toBeNull();
    expect(verifier.checkHead({ ...head, hash: vectors.chain[seq - 1]!.hash })).not.toBeNull();
  });
});
