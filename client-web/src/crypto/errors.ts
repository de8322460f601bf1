// The one error type of the browser's cryptography. Its code is stable, so callers branch on it
// (and map it to a protocol error) instead of parsing messages. Messages never carry secrets.

export type CryptoErrorCode =
  | 'bad_hex'
  | 'bad_length'
  | 'invalid_point'
  | 'invalid_scalar'
  | 'invalid_proof'
  | 'invalid_signature'
  | 'invalid_code'
  | 'out_of_range';

export class CryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

export function isCryptoError(e: unknown, code?: CryptoErrorCode): e is CryptoError {
  return e instanceof CryptoError && (code === undefined || e.code === code);
}
