// Ed25519 (libsodium crypto_sign_*) and the messages a tablet and the server sign (DESIGN.md
// §2, §3.2, §3.6). Each message starts with its own domain tag, so a signature made for one
// purpose never verifies for another, and each carries the session id.
import { type Bytes, concat, i2osp, lp, utf8 } from './bytes';
import { CryptoError } from './errors';
import type { Rng } from './rng';
import { sodium } from './sodium';

export function signKeyPair(rng: Rng): { publicKey: Bytes; secretKey: Bytes } {
  const seed = rng.bytes(32);
  const kp = sodium().crypto_sign_seed_keypair(seed);
  sodium().memzero(seed);
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

// The key pair of a stored 32-byte seed (how a tablet keeps its device key).
export function signKeyPairFromSeed(seed: Bytes): { publicKey: Bytes; secretKey: Bytes } {
  if (seed.length !== 32) throw new CryptoError('bad_length', 'an Ed25519 seed is 32 bytes');
  const kp = sodium().crypto_sign_seed_keypair(seed);
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

export function signDetached(msg: Bytes, sk: Bytes): Bytes {
  if (sk.length !== 64) throw new CryptoError('bad_length', 'an Ed25519 secret key is 64 bytes');
  return sodium().crypto_sign_detached(msg, sk);
}

export function verifyDetached(sig: Bytes, msg: Bytes, pk: Bytes): boolean {
  if (sig.length !== 64 || !isEd25519PublicKey(pk)) return false;
  try {
    return sodium().crypto_sign_verify_detached(sig, msg, pk);
  } catch {
    return false;
  }
}

// As the server decodes device_key and vk: 32 bytes, not all zero, an Edwards point. Small-order
// and non-canonical keys are then refused by verification itself.
export function isEd25519PublicKey(pk: Bytes): boolean {
  if (!(pk instanceof Uint8Array) || pk.length !== 32) return false;
  let acc = 0;
  for (const octet of pk) acc |= octet;
  if (acc === 0) return false;
  return sodium().crypto_core_ed25519_is_valid_point(pk);
}

// lp() carries a two-byte length, so a longer member id could never be signed unambiguously.
function memberBytes(member: string): Bytes {
  const m = utf8(member);
  if (m.length > 0xffff) throw new CryptoError('out_of_range', 'member id too long');
  return m;
}

// §3.6 check_in: "pingyi-v1-checkin" ‖ session_id ‖ lp(member) ‖ device_key.
export function checkinMessage(sessionId: Bytes, member: string, deviceKey: Bytes): Bytes {
  return concat(utf8('pingyi-v1-checkin'), sessionId, lp(memberBytes(member)), deviceKey);
}

// §3.2 step 2: "pingyi-v1-token-request" ‖ session_id ‖ I2OSP(round, 4) ‖ B.
export function tokenRequestMessage(sessionId: Bytes, round: number, blinded: Bytes): Bytes {
  return concat(utf8('pingyi-v1-token-request'), sessionId, i2osp(round, 4), blinded);
}

// §3.2 step 4: "pingyi-v1-voted" ‖ session_id ‖ I2OSP(round, 4).
export function votedMessage(sessionId: Bytes, round: number): Bytes {
  return concat(utf8('pingyi-v1-voted'), sessionId, i2osp(round, 4));
}

// §3.6 signed head: "pingyi-v1-head" ‖ session_id ‖ I2OSP(seq, 8) ‖ hash.
export function headMessage(sessionId: Bytes, seq: number, hash: Bytes): Bytes {
  return concat(utf8('pingyi-v1-head'), sessionId, i2osp(seq, 8), hash);
}
