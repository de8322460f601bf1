// The receipt lookup box: what a voter types, made into what the verifier looks up. A receipt's
// short code is the first 5 bytes of its hash in Crockford base32, XXXX-XXXX (DESIGN.md §3.6),
// typed loosely (lower case, spaces, I/L for 1, O for 0); the full receipt is the 64-hex hash.

import { displayCode, normalizeTypedCode } from '../../crypto/codes';
import { isCryptoError } from '../../crypto/errors';
import type { ReceiptMatch } from '../../verify/types';
import { to } from './strings';

export type ReceiptQuery =
  | { kind: 'code'; value: string }
  | { kind: 'hash'; value: string }
  | { kind: 'empty' }
  | { kind: 'invalid' };

const RECEIPT_CODE_CHARS = 8;

export function normalizeReceiptQuery(typed: string): ReceiptQuery {
  // Over-long input is someone pasting something else: refuse it before looking at it closely.
  if (typed.length > 256) return { kind: 'invalid' };
  const compact = typed.replace(/[\s-]/g, '');
  if (compact === '') return { kind: 'empty' };
  if (/^[0-9a-fA-F]{64}$/.test(compact)) return { kind: 'hash', value: compact.toLowerCase() };
  try {
    return { kind: 'code', value: displayCode(normalizeTypedCode(compact, RECEIPT_CODE_CHARS)) };
  } catch (e) {
    if (isCryptoError(e, 'invalid_code')) return { kind: 'invalid' };
    throw e;
  }
}

export interface ReceiptAnswer {
  found: boolean;
  tone: 'ok' | 'warn' | 'bad';
  text: string;
}

/** What the lookup says. `loading`: the chain has not all arrived and been verified yet, so a
 *  receipt not found may still come. */
export function receiptAnswer(query: ReceiptQuery, match: ReceiptMatch | null, loading: boolean): ReceiptAnswer {
  if (query.kind === 'empty') return { found: false, tone: 'warn', text: to('receipt_empty') };
  if (query.kind === 'invalid') return { found: false, tone: 'bad', text: to('receipt_invalid') };
  if (match === null) {
    return loading
      ? { found: false, tone: 'warn', text: to('receipt_not_found_loading', { query: query.value }) }
      : { found: false, tone: 'bad', text: to('receipt_not_found', { query: query.value }) };
  }
  if (!match.verified) {
    return { found: true, tone: 'bad', text: to('receipt_found_unverified', { code: match.code, round: match.round, seq: match.seq }) };
  }
  return { found: true, tone: 'ok', text: to('receipt_found', { code: match.code, round: match.round, seq: match.seq }) };
}
