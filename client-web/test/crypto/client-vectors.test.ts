/// <reference types="node" />
// Regenerates tests/vectors/pingyi-v1-client.json from its seed and fails if a single byte
// differs from the committed file, so the C++ test that checks the file always checks what this
// code makes. PINGYI_WRITE_VECTORS=1 writes the file instead:
//   cd client-web && PINGYI_WRITE_VECTORS=1 npx vitest run test/crypto/client-vectors.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { readVectorFile, vectorFileUrl } from '../support/vector-file';
import { CLIENT_VECTORS_FILE, CLIENT_VECTORS_PATH, clientVectorsText } from './client-vectors';

const file = vectorFileUrl(CLIENT_VECTORS_FILE);

beforeAll(async () => {
  await sodiumReady();
});

describe(CLIENT_VECTORS_PATH, () => {
  it('is reproducible from its seed', () => {
    const text = clientVectorsText();
    // Twice in one process: nothing but the seeds goes into it.
    expect(clientVectorsText()).toBe(text);
    if (process.env.PINGYI_WRITE_VECTORS === '1') {
      writeFileSync(file, text);
      return;
    }
    expect(existsSync(file), `${CLIENT_VECTORS_PATH} is missing: run with PINGYI_WRITE_VECTORS=1`).toBe(true);
    expect(readFileSync(file, 'utf8') === text,
      `${CLIENT_VECTORS_PATH} differs from what the code makes: if the change is meant, rewrite it with PINGYI_WRITE_VECTORS=1 and let the C++ test check it`).toBe(true);
  });

  it('has the sections of pingyi-v1.json, and the rounds the brief names', () => {
    const doc = JSON.parse(clientVectorsText()) as Record<string, unknown>;
    const cpp = readVectorFile('pingyi-v1.json') as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(Object.keys(cpp));
    expect((doc.rng as { master_seed: string }).master_seed).not.toBe((cpp.rng as { master_seed: string }).master_seed);
    const rounds = doc.rounds as { kind: string; contests: { options: number; min: number; max: number }[];
      ballots: { choices: number[][] }[]; decryption_seeds: unknown[] }[];
    expect(rounds.map((r) => r.kind)).toEqual(['evaluation', 'motion', 'selection']);
    expect(rounds[0]!.contests.map((c) => c.options)).toEqual([3, 3, 3]);
    expect(rounds[2]!.contests[0]).toMatchObject({ options: 4, min: 0, max: 2 });
    expect(rounds[2]!.ballots.map((b) => b.choices[0]!.reduce((a, v) => a + v, 0))).toContain(0);
    for (const r of rounds) {
      expect(r.ballots.length).toBeGreaterThan(2);
      expect(r.decryption_seeds.length).toBe(3);
    }
    expect((doc.invalid as { ballots: unknown[] }).ballots.length).toBeGreaterThan(10);
  });
});
