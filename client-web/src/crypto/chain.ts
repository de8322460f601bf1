// Chain hashing and signed heads (DESIGN.md §3.6): a line's hash is SHA-256 of its exact UTF-8
// bytes (without the newline), never of re-serialised JSON; a head is the server's Ed25519
// signature over "pingyi-v1-head" ‖ session_id ‖ I2OSP(seq, 8) ‖ hash.
import type { Bytes } from './bytes';
import { utf8 } from './bytes';
import { sha256 } from './hash';
import { headMessage, verifyDetached } from './sign';

export function lineHash(line: string): Bytes {
  return sha256(utf8(line));
}

export function verifyHead(serverKey: Bytes, sessionId: Bytes, seq: number, hash: Bytes, sig: Bytes): boolean {
  return verifyDetached(sig, headMessage(sessionId, seq, hash), serverKey);
}
