// A whole downloaded chain (GET …/chain, application/x-ndjson) checked at once, on the calling
// thread: the observer's "verify a downloaded file" box and scripts. Requires
// `await sodiumReady()` beforehand.
import { ChainVerifier } from './chain-verifier';

/** The file's lines: LF or CRLF endings, a missing final newline accepted. An empty line is
 *  kept (a chain has none, and the verifier refuses it as BAD_JSON at its seq). */
export function chainLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Verifies every record of a chain file in order, up to the first that fails (nothing after it
 *  is trusted). The verifier holds the verdict: failure, length, session, rounds, receipts. */
export function verifyChainText(text: string): { verifier: ChainVerifier } {
  const verifier = new ChainVerifier();
  for (const line of chainLines(text)) {
    if (!verifier.push(line).ok) break;
  }
  return { verifier };
}
