// Trustees and the election key (DESIGN.md §3.5), as crypto/src/trustee.cpp: a scrutineer's
// secret derived from a paper recovery code (so re-entering the code on any device restores
// the share), its public key with a proof of possession, and X = Σ X_t.
import { type Bytes, equalBytes, utf8 } from './bytes';
import { displayCode, normalizeTypedCode } from './codes';
import { CryptoError } from './errors';
import { IDENTITY, add, checkScalar, isIdentity, isZeroScalar, mul, mulBase, scalarAdd, scalarMul, sub } from './group';
import { challenge } from './hash';
import type { DleqProof } from './voprf';
import { type Rng, randomScalar } from './rng';
import { sodium } from './sodium';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_LENGTH = 20;
const MAX_LP_FIELD = 0xffff;

// One draw of 20 bytes, each reduced to 5 bits: 32 divides 256, so every character is uniform
// and the code holds exactly 100 bits.
export function newRecoveryCode(rng: Rng): string {
  const raw = rng.bytes(RECOVERY_CODE_LENGTH);
  let code = '';
  for (const octet of raw) code += ALPHABET[octet & 31]!;
  sodium().memzero(raw);
  return code;
}

export function normalizeRecoveryCode(typed: string): string {
  return normalizeTypedCode(typed, RECOVERY_CODE_LENGTH);
}

export function displayRecoveryCode(code: string): string {
  return displayCode(code);
}

function isCanonicalCode(code: string): boolean {
  if (code.length !== RECOVERY_CODE_LENGTH) return false;
  for (const ch of code) if (!ALPHABET.includes(ch)) return false;
  return true;
}

// x = HashToScalar(lp(session_id) ‖ lp(code), "pingyi-v1-trustee-key"). Only the canonical code
// is hashed: one as typed ("abcd-…") would silently give another key, so it is refused.
export function trusteeSecret(sessionId: Bytes, code: string): Bytes {
  if (sessionId.length !== 32) throw new CryptoError('bad_length', 'a session id is 32 bytes');
  if (!isCanonicalCode(code)) {
    throw new CryptoError('invalid_code', 'a recovery code is 20 Crockford characters: normalize it first');
  }
  const codeBytes = utf8(code);
  const x = challenge('trustee-key', [sessionId, codeBytes]);
  sodium().memzero(codeBytes);
  if (isZeroScalar(x)) throw new CryptoError('invalid_scalar', 'the code gives a zero key');
  return x;
}

function idBytes(id: string): Bytes | null {
  const b = utf8(id);
  return b.length > MAX_LP_FIELD ? null : b;
}

// c = HashToScalar(lp(session_id) ‖ lp(trustee_id) ‖ lp(X_t) ‖ lp(h), "pingyi-v1-trustee"):
// binding id and session stops a proof being replayed under another trustee or session.
function possessionChallenge(sessionId: Bytes, id: Bytes, key: Bytes, h: Bytes): Bytes {
  return challenge('trustee', [sessionId, id, key, h]);
}

// Schnorr proof of knowledge of x with X_t = x·G: w (non-zero, the only draw), h = w·G,
// s = w + c·x. Without it a trustee could publish X_t = Y − Σ(others' keys) and decrypt alone.
export function trusteeProof(sessionId: Bytes, trusteeId: string, x: Bytes, rng: Rng): { key: Bytes; proof: DleqProof } {
  checkScalar(x);
  if (isZeroScalar(x)) throw new CryptoError('invalid_scalar', 'a zero trustee secret');
  const id = idBytes(trusteeId);
  if (id === null) throw new CryptoError('out_of_range', 'trustee id too long');
  const key = mulBase(x);
  const w = randomScalar(rng);
  const c = possessionChallenge(sessionId, id, key, mulBase(w));
  const s = scalarAdd(w, scalarMul(c, x));
  sodium().memzero(w);
  return { key, proof: { c, s } };
}

// h = s·G − c·X_t, then the challenge must come back as c.
export function verifyTrusteeProof(sessionId: Bytes, trusteeId: string, key: Bytes, proof: DleqProof): boolean {
  const id = idBytes(trusteeId);
  if (id === null || isIdentity(key)) return false;
  try {
    checkScalar(proof.c);
    checkScalar(proof.s);
    const h = sub(mulBase(proof.s), mul(proof.c, key));
    return equalBytes(possessionChallenge(sessionId, id, key, h), proof.c);
  } catch (e) {
    if (e instanceof CryptoError) return false;
    throw e;
  }
}

// X = Σ X_t, the key sealed in election_key.
export function electionKey(trusteeKeys: Bytes[]): Bytes {
  let X = IDENTITY;
  for (const k of trusteeKeys) X = add(X, k);
  return X;
}
