// Reading a typed check-in code as the server does, and finding the member a code belongs to
// when the card carries only the code.
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../src/crypto/bytes';
import { normalizeTypedCode } from '../../../src/crypto/codes';
import { sha256 } from '../../../src/crypto/hash';
import { signKeyPairFromSeed } from '../../../src/crypto/sign';
import { sodiumReady } from '../../../src/crypto/sodium';
import { ApiError } from '../../../src/net/errors';
import type { Message } from '../../../src/net/socket';
import { checkGenesisLine, parseSessionId, probeCheckIn } from '../../../src/pages/tablet/checkin';
import { parseCheckinCode } from '../../../src/pages/tablet/checkin-code';
import { SID, V } from './fake-server';

beforeAll(async () => {
  await sodiumReady();
});

describe('parseCheckinCode', () => {
  it.each([
    ['XZEP-1N9F-CD75', 'XZEP1N9FCD75'],
    ['xzep 1n9f cd75', 'XZEP1N9FCD75'],
    ['tm1l-g2gq-jnt5', 'TM11G2GQJNT5'],
    ['QR7Z-AJIB-6TOM', 'QR7ZAJ1B6T0M'],
    ['ＸＺＥＰ－１Ｎ９Ｆ－ＣＤ７５', 'XZEP1N9FCD75'],
  ])('reads %s as %s, as the server would', (typed, code) => {
    expect(parseCheckinCode(typed)).toEqual({ ok: true, code });
    // The same reading as the crypto library's (which the server mirrors), full-width aside.
    if (!/[^\x00-\x7f]/.test(typed)) expect(normalizeTypedCode(typed, 12)).toBe(code);
  });
  it('says what is wrong with a code that cannot be right', () => {
    expect(parseCheckinCode('')).toEqual({ ok: false, reason: 'empty', length: 0 });
    expect(parseCheckinCode(' - ')).toEqual({ ok: false, reason: 'empty', length: 0 });
    expect(parseCheckinCode('XZEP-1N9F-CD7')).toEqual({ ok: false, reason: 'length', length: 11 });
    expect(parseCheckinCode('XZEP-1N9F-CD755')).toEqual({ ok: false, reason: 'length', length: 13 });
    expect(parseCheckinCode('XZEP-1N9F-CD7U')).toMatchObject({ ok: false, reason: 'chars' });
    expect(parseCheckinCode('XZEP-1N9F-CD7!')).toMatchObject({ ok: false, reason: 'chars' });
  });
});

describe('checkGenesisLine and parseSessionId', () => {
  it('returns the roster of the genesis whose hash is the session id', () => {
    expect(checkGenesisLine(SID, V.session.genesis_line)).toEqual(['m01', 'm02', 'm03', 'm04', 'm05']);
  });
  it('refuses a genesis of another session', () => {
    expect(() => checkGenesisLine('00'.repeat(32), V.session.genesis_line)).toThrow(ApiError);
    expect(() => checkGenesisLine(SID, '')).toThrow(ApiError);
  });
  it('accepts 64 hex digits only', () => {
    expect(parseSessionId(SID.toUpperCase())).toBe(SID);
    expect(parseSessionId(`${SID}0`)).toBeNull();
    expect(parseSessionId(null)).toBeNull();
  });
});

describe('probeCheckIn', () => {
  const owner = 'm04';
  // Any Ed25519 key: the fake server below decides by the member each signature is for.
  const devicePublicKey = '21952ad2799c2a56698fac75d8ab3a31a4f34ec4b9a1b3940603bb416816e770';
  const members = ['m01', 'm02', 'm03', 'm04', 'm05'];
  const sign = (m: string) => toHex(sha256(utf8(`sig for ${m}`))) + toHex(sha256(utf8(m)));

  /** A server whose code belongs to `owner`: other members' signatures do not verify. */
  function probe(refuse: string | null = null) {
    const tried: string[] = [];
    return {
      tried,
      connection: {
        hello: async (f: Message) => {
          const member = members.find((m) => sign(m) === f.sig)!;
          tried.push(member);
          if (refuse) throw new ApiError(refuse, 'refused');
          if (member !== owner) throw new ApiError('INVALID_SIGNATURE', "sig: is not the device key's check-in signature");
          return { ok: true, role: 'member', member, device: '77'.repeat(32), head: { seq: 9 } };
        },
        close: () => undefined,
      },
    };
  }

  it('tries the roster in order until the server accepts, and returns the member', async () => {
    const p = probe();
    const r = await probeCheckIn({ probe: p.connection, sessionId: SID, code: 'NETHFTEEGHRR', devicePublicKey, members, hint: null, sign });
    expect(r.member).toBe(owner);
    expect(p.tried).toEqual(['m01', 'm02', 'm03', 'm04']);
  });

  it('tries the member named in the address first', async () => {
    const p = probe();
    await probeCheckIn({ probe: p.connection, sessionId: SID, code: 'NETHFTEEGHRR', devicePublicKey, members, hint: 'm04', sign });
    expect(p.tried).toEqual(['m04']);
  });

  it('stops at the first refusal that is not a wrong signature (a wrong or spent code)', async () => {
    for (const code of ['UNAUTHORIZED', 'CODE_USED', 'NETWORK']) {
      const p = probe(code);
      await expect(probeCheckIn({ probe: p.connection, sessionId: SID, code: 'NETHFTEEGHRR', devicePublicKey, members, hint: null, sign })).rejects.toMatchObject({ code });
      expect(p.tried).toEqual(['m01']);
    }
  });

  it('says NOT_FOUND when no roster member is accepted', async () => {
    const p = probe();
    await expect(
      probeCheckIn({ probe: p.connection, sessionId: SID, code: 'NETHFTEEGHRR', devicePublicKey, members: ['m01', 'm02'], hint: null, sign }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('paces a long roster below the connection’s rate limit', async () => {
    const long = Array.from({ length: 160 }, (_, i) => `x${i}`);
    const sleeps: number[] = [];
    const tried: string[] = [];
    const r = await probeCheckIn({
      probe: {
        hello: async (f) => {
          tried.push(String(f.sig));
          if (f.sig !== 'x159') throw new ApiError('INVALID_SIGNATURE', 'no');
          return { member: 'x159' };
        },
        close: () => undefined,
      },
      sessionId: SID,
      code: 'NETHFTEEGHRR',
      devicePublicKey,
      members: long,
      hint: null,
      sign: (m) => m,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(r.member).toBe('x159');
    expect(tried).toHaveLength(160);
    expect(sleeps).toHaveLength(10);
  });

  it('refuses a reply naming another member than the one signed for', async () => {
    await expect(
      probeCheckIn({
        probe: { hello: async () => ({ member: 'm05' }), close: () => undefined },
        sessionId: SID,
        code: 'NETHFTEEGHRR',
        devicePublicKey,
        members,
        hint: null,
        sign,
      }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('signs what the server checks: the vectors’ check-in signature for the vectors’ device key', () => {
    const c = V.check_ins.find((x) => x.member === 'm03')!;
    expect(toHex(signKeyPairFromSeed(fromHex(c.device_seed, 32)).publicKey)).toBe(c.device_key);
  });
});
