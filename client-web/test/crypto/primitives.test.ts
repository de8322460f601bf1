// Bytes, codes, signatures and messages, tokens, trustees and shares: the behaviour the vector
// files do not pin (refusals, bindings, round trips).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Bytes,
  DeterministicRng,
  IDENTITY,
  basePoint,
  blind,
  blindEvaluate,
  checkinMessage,
  comparisonCode,
  concat,
  crockford,
  decryptionShare,
  deriveKeyPair,
  displayCode,
  displayRecoveryCode,
  electionKey,
  equalBytes,
  finalizeToken,
  fromHex,
  hashToGroupVoprf,
  headMessage,
  i2osp,
  isEd25519PublicKey,
  lp,
  mul,
  mulBase,
  newRecoveryCode,
  normalizeRecoveryCode,
  normalizeTypedCode,
  randomScalar,
  receiptCode,
  signDetached,
  signKeyPair,
  sodiumReady,
  systemRng,
  toHex,
  tokenInput,
  tokenRequestMessage,
  trusteeProof,
  trusteeSecret,
  unblind,
  utf8,
  verifyDecryptionShare,
  verifyDetached,
  verifyProof,
  verifyTrusteeProof,
  votedMessage,
} from '../../src/crypto';
import { codeOf } from '../support/crypto';

let sid: Bytes;
let rng: DeterministicRng;

beforeAll(async () => {
  await sodiumReady();
  rng = new DeterministicRng(sha(1));
  sid = rng.bytes(32);
});

function sha(n: number): Bytes {
  return new Uint8Array(32).fill(n);
}

describe('bytes', () => {
  it('hex is lower case both ways; upper case, odd length and wrong length are refused', () => {
    expect(toHex(Uint8Array.of(0, 0xab, 0xff))).toBe('00abff');
    expect(toHex(fromHex('00abff'))).toBe('00abff');
    expect(codeOf(() => fromHex('00ABFF'))).toBe('bad_hex');
    expect(codeOf(() => fromHex('abc'))).toBe('bad_hex');
    expect(codeOf(() => fromHex('0g'))).toBe('bad_hex');
    expect(codeOf(() => fromHex('abcd', 3))).toBe('bad_length');
  });
  it('I2OSP is big-endian and refuses what does not fit', () => {
    expect(toHex(i2osp(1, 4))).toBe('00000001');
    expect(toHex(i2osp(0xffff, 2))).toBe('ffff');
    expect(toHex(i2osp(2n ** 64n - 1n, 8))).toBe('ff'.repeat(8));
    expect(codeOf(() => i2osp(0x10000, 2))).toBe('out_of_range');
    expect(codeOf(() => i2osp(-1, 4))).toBe('out_of_range');
    expect(codeOf(() => i2osp(1.5, 4))).toBe('out_of_range');
  });
  it('lp prefixes two length bytes; concat and equalBytes', () => {
    expect(toHex(lp(utf8('委')))).toBe('0003e5a794');
    expect(toHex(concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).toBe('010203');
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });
});

describe('Crockford codes', () => {
  it('encodes big-endian five bits at a time, padding the last group', () => {
    expect(crockford(new Uint8Array(5))).toBe('00000000');
    expect(crockford(new Uint8Array(5).fill(0xff))).toBe('ZZZZZZZZ');
    expect(crockford(Uint8Array.of(0x08))).toBe('10');
    expect(displayCode('ABCDEFGH')).toBe('ABCD-EFGH');
    expect(receiptCode(new Uint8Array(32).fill(0xff))).toBe('ZZZZ-ZZZZ');
    expect(comparisonCode(new Uint8Array(32))).toBe('0000-0000-0000-0000');
  });
  it('normalizes what people type and refuses the rest', () => {
    expect(normalizeTypedCode('abcd-efgh', 8)).toBe('ABCDEFGH');
    expect(normalizeTypedCode(' il o0 ', 4)).toBe('1100');
    expect(codeOf(() => normalizeTypedCode('abcd-efgu', 8))).toBe('invalid_code');
    expect(codeOf(() => normalizeTypedCode('abcd-efg', 8))).toBe('invalid_code');
    expect(codeOf(() => normalizeTypedCode('abcd-efgh-j', 8))).toBe('invalid_code');
    expect(codeOf(() => normalizeTypedCode('abcd_efgh', 8))).toBe('invalid_code');
    expect(codeOf(() => normalizeTypedCode('ＡBCDEFGH', 8))).toBe('invalid_code');
  });
});

describe('Ed25519 and the signed messages', () => {
  it('signs and verifies; refuses another message, key or a bad key', () => {
    const kp = signKeyPair(rng);
    const msg = votedMessage(sid, 3);
    const sig = signDetached(msg, kp.secretKey);
    expect(verifyDetached(sig, msg, kp.publicKey)).toBe(true);
    expect(verifyDetached(sig, votedMessage(sid, 4), kp.publicKey)).toBe(false);
    expect(verifyDetached(sig, msg, signKeyPair(rng).publicKey)).toBe(false);
    expect(verifyDetached(sig.slice(1), msg, kp.publicKey)).toBe(false);
    expect(verifyDetached(sig, msg, new Uint8Array(32))).toBe(false);
    expect(isEd25519PublicKey(kp.publicKey)).toBe(true);
    expect(isEd25519PublicKey(new Uint8Array(32))).toBe(false);
    expect(isEd25519PublicKey(new Uint8Array(31).fill(1))).toBe(false);
  });
  it('builds each message with its own domain tag, the raw session id and I2OSP fields', () => {
    const key = new Uint8Array(32).fill(0xee);
    expect(toHex(checkinMessage(sid, 'm1', key))).toBe(toHex(concat(utf8('pingyi-v1-checkin'), sid, Uint8Array.of(0, 2), utf8('m1'), key)));
    expect(toHex(tokenRequestMessage(sid, 258, key))).toBe(toHex(concat(utf8('pingyi-v1-token-request'), sid, Uint8Array.of(0, 0, 1, 2), key)));
    expect(toHex(votedMessage(sid, 1))).toBe(toHex(concat(utf8('pingyi-v1-voted'), sid, Uint8Array.of(0, 0, 0, 1))));
    expect(toHex(headMessage(sid, 5, key))).toBe(toHex(concat(utf8('pingyi-v1-head'), sid, i2osp(5, 8), key)));
    expect(codeOf(() => votedMessage(sid, 2 ** 32))).toBe('out_of_range');
  });
  it('draws a key from the system source', () => {
    const a = signKeyPair(systemRng);
    const b = signKeyPair(systemRng);
    expect(equalBytes(a.publicKey, b.publicKey)).toBe(false);
  });
});

describe('tokens (DESIGN.md §3.2)', () => {
  it('the tablet unblinds N = skT·T after checking the proof against pkT', () => {
    const { sk, pk } = deriveKeyPair(sha(5), utf8('key'));
    const vk = signKeyPair(rng).publicKey;
    const input = tokenInput(sid, 1, vk);
    const b = blind(input, rng);
    const ev = blindEvaluate(sk, pk, [b.blinded], rng);
    const N = finalizeToken(input, b.blind, b.blinded, ev.evaluated[0]!, ev.proof, pk);
    expect(toHex(N)).toBe(toHex(mul(sk, hashToGroupVoprf(input))));
    expect(toHex(unblind(b.blind, ev.evaluated[0]!))).toBe(toHex(N));
    expect(verifyProof(pk, basePoint(), pk, [b.blinded], ev.evaluated, ev.proof)).toBe(true);
    // pk must be the B of the statement: a proof under another key is not a proof for pk.
    expect(verifyProof(deriveKeyPair(sha(9), utf8('key')).pk, basePoint(), pk, [b.blinded], ev.evaluated, ev.proof)).toBe(false);
    // Another key's evaluation (the server tagging a member) is refused.
    const other = deriveKeyPair(sha(6), utf8('key'));
    const tagged = blindEvaluate(other.sk, other.pk, [b.blinded], rng);
    expect(codeOf(() => finalizeToken(input, b.blind, b.blinded, tagged.evaluated[0]!, tagged.proof, pk))).toBe('invalid_proof');
    // A blinded element that is not this input under this blind is refused.
    const b2 = blind(input, rng);
    expect(codeOf(() => finalizeToken(input, b.blind, b2.blinded, ev.evaluated[0]!, ev.proof, pk))).toBe('invalid_proof');
    expect(codeOf(() => finalizeToken(input, b.blind, b.blinded, IDENTITY, ev.proof, pk))).toBe('invalid_point');
    expect(codeOf(() => blindEvaluate(sk, pk, [IDENTITY], rng))).toBe('invalid_point');
    expect(codeOf(() => blindEvaluate(sk, pk, [], rng))).toBe('bad_length');
  });
});

describe('trustees (DESIGN.md §3.5)', () => {
  it('draws a 20-character code that restores the same share when typed back', () => {
    const code = newRecoveryCode(rng);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{20}$/);
    const typed = displayRecoveryCode(code).toLowerCase().replace(/-/g, ' ');
    expect(normalizeRecoveryCode(typed)).toBe(code);
    expect(toHex(trusteeSecret(sid, normalizeRecoveryCode(typed)))).toBe(toHex(trusteeSecret(sid, code)));
    expect(toHex(trusteeSecret(sid, code))).not.toBe(toHex(trusteeSecret(sha(2), code)));
  });
  it('refuses a code that is not canonical instead of deriving another key', () => {
    expect(codeOf(() => trusteeSecret(sid, 'abcdefghjkmnpqrstvwx'))).toBe('invalid_code');
    expect(codeOf(() => trusteeSecret(sid, 'ABCD-EFGH-JKMN-PQRS-TVWX'))).toBe('invalid_code');
    expect(codeOf(() => trusteeSecret(sid, 'ABCDEFGHJKMNPQRSTVWU'))).toBe('invalid_code');
  });
  it('proves possession, bound to id, session and key', () => {
    const x = trusteeSecret(sid, newRecoveryCode(rng));
    const { key, proof } = trusteeProof(sid, 'm07', x, rng);
    expect(toHex(key)).toBe(toHex(mulBase(x)));
    expect(verifyTrusteeProof(sid, 'm07', key, proof)).toBe(true);
    expect(verifyTrusteeProof(sid, 'm08', key, proof)).toBe(false);
    expect(verifyTrusteeProof(sid, 'm07', mulBase(randomScalar(rng)), proof)).toBe(false);
    expect(verifyTrusteeProof(sid, 'm07', IDENTITY, proof)).toBe(false);
    const bad = { c: proof.c, s: proof.s.slice() };
    bad.s[3]! ^= 4;
    expect(verifyTrusteeProof(sid, 'm07', key, bad)).toBe(false);
    expect(toHex(electionKey([key]))).toBe(toHex(key));
    expect(toHex(electionKey([]))).toBe(toHex(IDENTITY));
  });
});

describe('decryption shares (DESIGN.md §3.4)', () => {
  it('verify for an identity sum, and not under another context', () => {
    const x = randomScalar(rng);
    const ctx = { sessionId: sid, closedHash: sha(7), round: 1, contestId: 'd1', option: 2, trusteeId: 'server',
      trusteeKey: mulBase(x) };
    const zero = decryptionShare(ctx, x, IDENTITY, rng);
    expect(toHex(zero.share)).toBe(toHex(IDENTITY));
    expect(verifyDecryptionShare(ctx, IDENTITY, zero.share, zero.proof)).toBe(true);
    const A = mulBase(randomScalar(rng));
    const sh = decryptionShare(ctx, x, A, rng);
    expect(verifyDecryptionShare(ctx, A, sh.share, sh.proof)).toBe(true);
    expect(verifyDecryptionShare({ ...ctx, closedHash: sha(8) }, A, sh.share, sh.proof)).toBe(false);
    expect(verifyDecryptionShare({ ...ctx, round: 2 }, A, sh.share, sh.proof)).toBe(false);
    expect(verifyDecryptionShare({ ...ctx, contestId: 'd2' }, A, sh.share, sh.proof)).toBe(false);
    expect(verifyDecryptionShare({ ...ctx, trusteeId: 'm01' }, A, sh.share, sh.proof)).toBe(false);
    expect(verifyDecryptionShare(ctx, A, mulBase(x), sh.proof)).toBe(false);
    expect(verifyDecryptionShare({ ...ctx, trusteeKey: IDENTITY }, A, sh.share, sh.proof)).toBe(false);
    expect(codeOf(() => decryptionShare(ctx, randomScalar(rng), A, rng))).toBe('invalid_scalar');
  });
});
