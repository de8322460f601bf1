// The libsodium pitfalls of DESIGN.md §3, each handled in src/crypto/group.ts: a zero scalar or
// the identity through mul / mulBase gives IDENTITY (libsodium throws); the identity is
// recognised by its bytes, never through is_valid_point; non-canonical encodings and scalars
// ≥ ℓ are refused.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Bytes,
  DeterministicRng,
  IDENTITY,
  add,
  basePoint,
  checkPoint,
  checkScalar,
  fromHex,
  isIdentity,
  mul,
  mulBase,
  pointFromHex,
  randomScalar,
  scalarAdd,
  scalarFromHex,
  scalarFromInt,
  scalarInvert,
  scalarMul,
  scalarNeg,
  scalarSub,
  sodium,
  sodiumReady,
  sub,
  toHex,
} from '../../src/crypto';
import { codeOf, L_HEX } from '../support/crypto';

const ZERO = new Uint8Array(32);
let rng: DeterministicRng;

beforeAll(async () => {
  await sodiumReady();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('scalar multiplication is identity-safe', () => {
  it('libsodium itself throws for a zero scalar (the pitfall is real)', () => {
    expect(() => sodium().crypto_scalarmult_ristretto255_base(ZERO)).toThrow();
    expect(() => sodium().crypto_scalarmult_ristretto255(ZERO, basePoint())).toThrow();
  });

  it('zero scalar times G is the identity', () => {
    expect(toHex(mulBase(ZERO))).toBe(toHex(IDENTITY));
  });

  it('zero scalar times a point is the identity', () => {
    rng = new DeterministicRng(new Uint8Array(32).fill(7));
    const P = mulBase(randomScalar(rng));
    expect(isIdentity(mul(ZERO, P))).toBe(true);
  });

  it('a scalar times the identity is the identity', () => {
    expect(isIdentity(mul(scalarFromInt(5), IDENTITY))).toBe(true);
  });

  it('an identity result is the identity, not an error (ℓ itself, never a reduced scalar)', () => {
    expect(isIdentity(mulBase(fromHex(L_HEX, 32)))).toBe(true);
    const P = mulBase(scalarFromInt(3));
    expect(isIdentity(mul(fromHex(L_HEX, 32), P))).toBe(true);
  });

  it('a non-point is still refused by mul (not mistaken for an identity result)', () => {
    const notAPoint = fromHex('0100000000000000000000000000000000000000000000000000000000000000', 32);
    expect(codeOf(() => mul(scalarFromInt(2), notAPoint))).toBe('invalid_point');
  });

  it('add and sub handle the identity on either side', () => {
    const G = basePoint();
    const twoG = mulBase(scalarFromInt(2));
    expect(toHex(add(IDENTITY, G))).toBe(toHex(G));
    expect(toHex(add(G, IDENTITY))).toBe(toHex(G));
    expect(toHex(sub(G, IDENTITY))).toBe(toHex(G));
    expect(isIdentity(sub(G, G))).toBe(true);
    expect(toHex(add(sub(IDENTITY, G), twoG))).toBe(toHex(G));
    expect(toHex(add(G, G))).toBe(toHex(twoG));
  });
});

describe('the identity is decided by its bytes, never by is_valid_point', () => {
  const whateverLibsodiumSays = [
    ['accepts it (1.0.18 and, as measured, libsodium.js 0.8.4)', true],
    ['rejects it', false],
  ] as const;
  for (const [what, answer] of whateverLibsodiumSays) {
    it(`when is_valid_point ${what}`, () => {
      const na = sodium();
      const original = na.crypto_core_ristretto255_is_valid_point.bind(na);
      const spy = vi.spyOn(na, 'crypto_core_ristretto255_is_valid_point')
        .mockImplementation((p: Uint8Array) => (isIdentity(p) ? answer : original(p)));
      expect(codeOf(() => checkPoint(IDENTITY))).toBe('invalid_point');
      expect(codeOf(() => pointFromHex('00'.repeat(32)))).toBe('invalid_point');
      expect(toHex(checkPoint(IDENTITY, { allowIdentity: true }))).toBe('00'.repeat(32));
      expect(toHex(checkPoint(basePoint()))).toBe(toHex(basePoint()));
      // The identity never reached libsodium's check at all.
      expect(spy.mock.calls.some(([p]) => isIdentity(p))).toBe(false);
    });
  }
});

describe('points from outside are canonical or refused', () => {
  // RFC 9496 §A.2 bad encodings (non-canonical field elements, negative, non-square …).
  const bad = [
    '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20',
    'c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562',
    '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ];
  it('refuses RFC 9496 bad encodings', () => {
    for (const hex of bad) expect(codeOf(() => pointFromHex(hex, { allowIdentity: true })), hex).toBe('invalid_point');
  });
  it('refuses encodings with bit 255 set: G, and the identity in disguise (libsodium 1.0.18 accepts both)', () => {
    const G = basePoint();
    G[31]! |= 0x80;
    expect(codeOf(() => checkPoint(G))).toBe('invalid_point');
    const identityHigh = new Uint8Array(32);
    identityHigh[31] = 0x80;
    expect(codeOf(() => checkPoint(identityHigh, { allowIdentity: true }))).toBe('invalid_point');
    expect(codeOf(() => mul(scalarFromInt(2), identityHigh))).toBe('invalid_point');
  });
  it('refuses wrong lengths and bad hex', () => {
    expect(codeOf(() => checkPoint(new Uint8Array(31)))).toBe('bad_length');
    expect(codeOf(() => pointFromHex('00'))).toBe('bad_length');
    expect(codeOf(() => pointFromHex('E2F2AE0A6ABC4E71A884A961C500515F58E30B6AA582DD8DB6A65945E08D2D76'))).toBe('bad_hex');
  });
});

describe('scalars from outside are below ℓ or refused', () => {
  it('refuses ℓ, ℓ + 1, 2^256 − 1 and accepts ℓ − 1', () => {
    expect(codeOf(() => scalarFromHex(L_HEX))).toBe('invalid_scalar');
    expect(codeOf(() => scalarFromHex('eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'))).toBe('invalid_scalar');
    expect(codeOf(() => scalarFromHex('ff'.repeat(32)))).toBe('invalid_scalar');
    const lMinus1 = 'ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010';
    expect(toHex(scalarFromHex(lMinus1))).toBe(lMinus1);
    expect(toHex(scalarAdd(scalarFromHex(lMinus1), scalarFromInt(1)))).toBe('00'.repeat(32));
  });
  it('a scalar with only the top byte over ℓ is refused (the comparison runs over every byte)', () => {
    expect(codeOf(() => checkScalar(fromHex('00'.repeat(31) + '11', 32)))).toBe('invalid_scalar');
    expect(toHex(checkScalar(fromHex('ff'.repeat(31) + '0f', 32)))).toBe('ff'.repeat(31) + '0f');
  });
  it('scalar_reduce is not a validity check: it maps ℓ to zero silently', () => {
    const wide = new Uint8Array(64);
    wide.set(fromHex(L_HEX, 32));
    expect(toHex(sodium().crypto_core_ristretto255_scalar_reduce(wide))).toBe('00'.repeat(32));
    expect(codeOf(() => checkScalar(fromHex(L_HEX, 32)))).toBe('invalid_scalar');
  });
});

describe('scalar arithmetic', () => {
  it('agrees with the group: (a + b)·G = a·G + b·G, (a·b)·G = a·(b·G), a·a⁻¹ = 1', () => {
    rng = new DeterministicRng(new Uint8Array(32).fill(9));
    const a = randomScalar(rng);
    const b = randomScalar(rng);
    expect(toHex(mulBase(scalarAdd(a, b)))).toBe(toHex(add(mulBase(a), mulBase(b))));
    expect(toHex(mulBase(scalarSub(a, b)))).toBe(toHex(sub(mulBase(a), mulBase(b))));
    expect(toHex(mulBase(scalarMul(a, b)))).toBe(toHex(mul(a, mulBase(b))));
    expect(toHex(scalarMul(a, scalarInvert(a)))).toBe(toHex(scalarFromInt(1)));
    expect(isIdentity(add(mulBase(a), mulBase(scalarNeg(a))))).toBe(true);
  });
  it('zero has no inverse', () => {
    expect(codeOf(() => scalarInvert(ZERO))).toBe('invalid_scalar');
  });
  it('scalarFromInt is little-endian and refuses negatives', () => {
    expect(toHex(scalarFromInt(258))).toBe('0201' + '00'.repeat(30));
    expect(codeOf(() => scalarFromInt(-1))).toBe('out_of_range');
    expect(codeOf(() => scalarFromInt(1.5))).toBe('out_of_range');
  });
});

describe('randomScalar', () => {
  it('is one 64-byte draw reduced, drawn again on zero', () => {
    let calls = 0;
    const zeroFirst = {
      bytes(n: number): Bytes {
        calls++;
        expect(n).toBe(64);
        return calls === 1 ? new Uint8Array(64) : new Uint8Array(64).fill(1);
      },
    };
    const s = randomScalar(zeroFirst);
    expect(calls).toBe(2);
    expect(isIdentity(s)).toBe(false);
  });
});
