// Where randomness comes from: the OS CSPRNG in production, and a seeded, documented stream in
// tests and the cross-implementation vectors, identical to the C++ deterministic_random
// (crypto/include/pingyi/crypto/random.hpp): draw i (0, 1, 2 …) of n bytes is
// randombytes_buf_deterministic(n, SHA-512(seed ‖ I2OSP(i, 8))[0..32]); each call is one draw.
import { type Bytes, concat, i2osp } from './bytes';
import { CryptoError } from './errors';
import { sha512 } from './hash';
import { sodium } from './sodium';

export interface Rng {
  bytes(n: number): Bytes;
}

export const systemRng: Rng = {
  bytes(n: number): Bytes {
    return sodium().randombytes_buf(n);
  },
};

function isZero(s: Bytes): boolean {
  let acc = 0;
  for (const octet of s) acc |= octet;
  return acc === 0;
}

// One 64-byte draw reduced mod ℓ, drawn again on zero (as the C++ scalar::random_non_zero).
export function randomScalar(rng: Rng): Bytes {
  for (;;) {
    const wide = rng.bytes(64);
    const s = sodium().crypto_core_ristretto255_scalar_reduce(wide);
    sodium().memzero(wide);
    if (!isZero(s)) return s;
  }
}

export class DeterministicRng implements Rng {
  readonly #seed: Bytes;
  #counter = 0n;

  constructor(seed: Bytes) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) {
      throw new CryptoError('bad_length', 'a DeterministicRng seed is 32 bytes');
    }
    this.#seed = seed.slice();
  }

  get draws(): number {
    return Number(this.#counter);
  }

  bytes(n: number): Bytes {
    if (!Number.isInteger(n) || n < 0) throw new CryptoError('out_of_range', 'draw length');
    const digest = sha512(concat(this.#seed, i2osp(this.#counter, 8)));
    this.#counter += 1n;
    return sodium().randombytes_buf_deterministic(n, digest.subarray(0, 32));
  }
}
