// A chain file checked from node (for the lead's scripts; no command line of its own):
//   import { verifyFile } from './test/verify/verify-file';
//   const { verifier } = await verifyFile('chain.jsonl');
//   if (verifier.failure) … else verifier.rounds() …
// The file is the JSONL of GET /api/sessions/{id}/chain; bytes that are not UTF-8 are refused.
import { readFile } from 'node:fs/promises';
import { sodiumReady } from '../../src/crypto';
import type { ChainVerifier } from '../../src/verify/chain-verifier';
import { verifyChainText } from '../../src/verify/chain-file';

export async function verifyFile(path: string): Promise<{ verifier: ChainVerifier }> {
  await sodiumReady();
  const bytes = await readFile(path);
  // fatal: a line that is not UTF-8 is no line the server wrote (and would hash differently
  // once decoded with replacement characters).
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  return verifyChainText(text);
}
