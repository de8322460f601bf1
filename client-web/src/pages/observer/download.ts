// The chain download: the verified lines, byte for byte as the server wrote and hashed them, one
// per line with a final newline (as GET /api/sessions/{id}/chain serves them), and the signed
// head of the last one in the form pingyi-verify --head reads (docs/VERIFYING.md).

export function chainFileName(session: string): string {
  return `pingyi-${session}.jsonl`;
}

export function headFileName(session: string): string {
  return `pingyi-${session}-head.json`;
}

/** The file's content. A line holding a newline would break the one-record-per-line format; the
 *  verifier never accepts one, so meeting it here is a bug worth stopping for. */
export function chainFileText(lines: readonly string[]): string {
  for (const line of lines) {
    if (line.includes('\n')) throw new Error('a chain line contains a newline');
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Blob encodes strings as UTF-8, which is what the server's lines are: the bytes hashed. */
export function chainFileBlob(lines: readonly string[]): Blob {
  return new Blob([chainFileText(lines)], { type: 'application/x-ndjson' });
}

export interface SignedHead {
  seq: number;
  hash: string;
  sig: string;
}

export function headFileText(head: SignedHead): string {
  return `${JSON.stringify({ seq: head.seq, hash: head.hash, sig: head.sig })}\n`;
}
