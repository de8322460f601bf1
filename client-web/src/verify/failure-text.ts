// A verifier's refusal put into the reader's language, for every page that shows one (the
// observer, the projector): which record, which field, and why. The catalogue codes shared with
// the server are worded by describeError; the codes only the verifier raises are worded here.

import { describeError } from '../i18n/common';
import { defineStrings } from '../i18n/i18n';
import type { VerifyError } from './types';

const tf = defineStrings(
  {
    failure_where: '第 {seq} 条记录（{type}）',
    failure_where_untyped: '第 {seq} 条记录',
    code_BROKEN_LINK: '记录没有正确相连（编号、前一条的哈希或本条哈希不符）',
    code_BAD_HEAD_SIGNATURE: '服务器对链头的签名无效',
    code_BAD_JSON: '记录不是有效的 JSON',
  },
  {
    failure_where: 'record {seq} ({type})',
    failure_where_untyped: 'record {seq}',
    code_BROKEN_LINK: 'The records are not linked correctly (number, previous hash or hash differs)',
    code_BAD_HEAD_SIGNATURE: "The server's signature on the chain head is not valid",
    code_BAD_JSON: 'The record is not valid JSON',
  },
);

export interface FailureText {
  where: string;
  field: string;
  reason: string;
}

const VERIFIER_CODES: Record<string, Parameters<typeof tf>[0]> = {
  BROKEN_LINK: 'code_BROKEN_LINK',
  BAD_HEAD_SIGNATURE: 'code_BAD_HEAD_SIGNATURE',
  BAD_JSON: 'code_BAD_JSON',
};

/** A refusal in the reader's language: which record (with its type when known), which field,
 *  and why (the catalogue's words for the code, then the verifier's own message with the
 *  details). */
export function failureText(error: VerifyError, type: string | null): FailureText {
  const own = VERIFIER_CODES[error.code];
  const reason = own ? `${tf(own)}${error.message ? ` — ${error.message}` : ''}` : describeError({ code: error.code, message: error.message });
  return {
    where: type ? tf('failure_where', { seq: error.seq, type }) : tf('failure_where_untyped', { seq: error.seq }),
    field: error.field === '' ? '—' : error.field,
    reason,
  };
}
