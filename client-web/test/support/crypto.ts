// What the crypto tests share: the catalogue code a call is refused with, and the group order.
import { CryptoError } from '../../src/crypto';

/** The CryptoError code `f` throws, or 'no error'; any other exception is the test's failure. */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
  return 'no error';
}

/** ℓ = 2^252 + 27742317777372353535851937790883648493, the ristretto255 group order, as 32
 *  little-endian bytes in hex: the smallest scalar encoding that must be refused. */
export const L_HEX = 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010';
