// The admin token: kept in sessionStorage only, refused before sending when it could not be a
// header value, and the probe's answers explained.
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_KEY, AdminTokenStore, isTokenRefusal, normalizeAdminToken, probeOutcome } from '../../../src/pages/secretariat/admin-token';

function memoryStorage(): Storage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k: string) => data.get(k) ?? null,
    key: (i: number) => [...data.keys()][i] ?? null,
    removeItem: (k: string) => void data.delete(k),
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

describe('normalizeAdminToken', () => {
  it('trims and accepts printable ASCII', () => {
    const token = '3c9d0d6b0a1f4e2a8e7c5b9d1f3a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a';
    expect(normalizeAdminToken(`  ${token}\n`)).toEqual({ ok: true, token });
  });

  it('refuses an empty token and one with inner spaces or non-ASCII', () => {
    expect(normalizeAdminToken('   ')).toEqual({ ok: false, code: 'empty' });
    expect(normalizeAdminToken('abc def')).toEqual({ ok: false, code: 'bad_characters' });
    expect(normalizeAdminToken('abc\u00e9')).toEqual({ ok: false, code: 'bad_characters' });
    expect(normalizeAdminToken('abc\r\nX-Evil: 1')).toEqual({ ok: false, code: 'bad_characters' });
  });
});

describe('AdminTokenStore', () => {
  it('keeps the token under one key of the given storage and clears it', () => {
    const storage = memoryStorage();
    const store = new AdminTokenStore(storage);
    expect(store.get()).toBeNull();
    store.set('tok');
    expect(storage.data.get(ADMIN_TOKEN_KEY)).toBe('tok');
    expect(store.get()).toBe('tok');
    store.clear();
    expect(storage.data.size).toBe(0);
  });

  it('works without storage (blocked by the browser)', () => {
    const store = new AdminTokenStore(null);
    store.set('tok');
    expect(store.get()).toBeNull();
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const s2 = new AdminTokenStore(throwing);
    expect(() => s2.set('tok')).not.toThrow();
    expect(s2.get()).toBeNull();
    expect(() => s2.clear()).not.toThrow();
  });
});

describe('probe answers', () => {
  it('reads BAD_REQUEST as a valid token and the auth errors as what they are', () => {
    expect(probeOutcome('BAD_REQUEST', 'title: is missing')).toBe('valid');
    expect(probeOutcome('FORBIDDEN', 'Authorization: is not the admin token')).toBe('wrong_token');
    expect(probeOutcome('FORBIDDEN', 'the admin API is disabled on this server')).toBe('disabled');
    expect(probeOutcome('UNAUTHORIZED', 'Authorization: must be "Bearer <admin token>"')).toBe('no_token');
    expect(probeOutcome('NETWORK', 'Failed to fetch')).toBe('unreachable');
    expect(probeOutcome('INTERNAL', 'the server is stopping')).toBe('unreachable');
  });

  it('tells a token refusal from a phase refusal', () => {
    expect(isTokenRefusal('FORBIDDEN', 'Authorization: is not the admin token')).toBe(true);
    expect(isTokenRefusal('UNAUTHORIZED', 'Authorization: must be "Bearer <admin token>"')).toBe(true);
    expect(isTokenRefusal('FORBIDDEN', 'the admin API is disabled on this server')).toBe(true);
    expect(isTokenRefusal('FORBIDDEN', 'member: is not checked in')).toBe(false);
    expect(isTokenRefusal('NOT_FOUND', 'member: is not on the roster')).toBe(false);
  });
});
