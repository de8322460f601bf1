// Strings every page shares: the frame, connection states and the error catalogue of
// docs/PROTOCOL.md §7, so that an error is always explained in the reader's language.

import { defineStrings, getLang } from './i18n';

export const tc = defineStrings(
  {
    app_name: '评议',
    switch_lang: 'English',
    switch_lang_label: '切换到英文',
    offline: '网络已断开，正在重新连接…',
    connecting: '正在连接…',
    online: '已连接',
    cancel: '取消',
    confirm: '确定',
    retry: '重试',
    loading: '加载中…',
    no_scrutineers: '无监票人：投票秘密仅依赖服务器',
    session: '会议',
    unknown_error: '出现错误：{message}',
    'error.BAD_REQUEST': '请求有误',
    'error.UNAUTHORIZED': '凭证无效',
    'error.FORBIDDEN': '当前不允许此操作',
    'error.NOT_FOUND': '未找到',
    'error.QUORUM_NOT_MET': '到会人数未达法定人数',
    'error.ROUND_NOT_OPEN': '该轮投票未开始或已结束',
    'error.ALREADY_ISSUED': '本轮投票凭证已领取',
    'error.TOKEN_SPENT': '该投票凭证已使用',
    'error.INVALID_TOKEN': '投票凭证无效',
    'error.INVALID_POINT': '数据格式无效',
    'error.INVALID_PROOF': '证明校验失败',
    'error.INVALID_SIGNATURE': '签名校验失败',
    'error.DUPLICATE_CIPHERTEXT': '重复的密文',
    'error.CODE_USED': '此签到码已在另一台设备上使用，请联系会务组重置',
    'error.PAYLOAD_TOO_LARGE': '数据过大',
    'error.RATE_LIMITED': '请求过于频繁，请稍候',
    'error.INTERNAL': '服务器内部错误',
    'error.NETWORK': '网络连接失败',
  },
  {
    app_name: 'pingyi',
    switch_lang: '中文',
    switch_lang_label: 'Switch to Chinese',
    offline: 'Offline — reconnecting…',
    connecting: 'Connecting…',
    online: 'Connected',
    cancel: 'Cancel',
    confirm: 'Confirm',
    retry: 'Retry',
    loading: 'Loading…',
    no_scrutineers: 'No scrutineers: ballot secrecy rests on the server alone',
    session: 'Session',
    unknown_error: 'Something went wrong: {message}',
    'error.BAD_REQUEST': 'Bad request',
    'error.UNAUTHORIZED': 'Credential not recognised',
    'error.FORBIDDEN': 'Not allowed now',
    'error.NOT_FOUND': 'Not found',
    'error.QUORUM_NOT_MET': 'Quorum not met',
    'error.ROUND_NOT_OPEN': 'This round is not open',
    'error.ALREADY_ISSUED': 'A token was already issued for this round',
    'error.TOKEN_SPENT': 'This token has already been used',
    'error.INVALID_TOKEN': 'Invalid voting token',
    'error.INVALID_POINT': 'Malformed data',
    'error.INVALID_PROOF': 'A proof did not verify',
    'error.INVALID_SIGNATURE': 'A signature did not verify',
    'error.DUPLICATE_CIPHERTEXT': 'Duplicate ciphertext',
    'error.CODE_USED': 'This code was used on another device; ask the secretariat to reset it',
    'error.PAYLOAD_TOO_LARGE': 'Too large',
    'error.RATE_LIMITED': 'Too many requests; wait a moment',
    'error.INTERNAL': 'Server error',
    'error.NETWORK': 'Network failure',
  },
);

/** A person-readable explanation of an API error: the catalogue's text, then the server's
 *  message (which names the field) for the details. */
export function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const { code, message } = err as { code: string; message?: string };
    const key = `error.${code}` as Parameters<typeof tc>[0];
    const known = tc(key);
    const base = known === key ? code : known;
    if (!message) return base;
    return getLang() === 'zh' ? `${base}（${message}）` : `${base} (${message})`;
  }
  const text = err instanceof Error ? err.message : String(err);
  return tc('unknown_error', { message: text });
}
