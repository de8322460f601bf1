// The two verifiers on the same tampered chains (DESIGN.md §6: the C++ and TypeScript code MUST
// agree): every chain of the tamper catalogue is checked by pingyi-verify (the C++ fold) and by
// the browser's, which must stop at the same seq with the same code and field. The browser's own
// codes for linkage and for text that is not JSON are the C++ BAD_REQUEST; the checks only the
// browser makes (key order) are listed, and there the C++ must accept the chain.
//
// Needs a built pingyi-verify: $PINGYI_VERIFY, or build/release's. Without one the comparison is
// skipped (and says so); tamper.test.ts checks the browser verifier alone either way.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sodiumReady } from '../../src/crypto';
import { primeCache, verify } from './chain-kit';
import { type Case, type DecodeCase, catalogue, decodeCases, invalidBallotCases } from './tamper-cases';
import { vectorLines } from './vectors';

const binary = process.env.PINGYI_VERIFY ?? fileURLToPath(new URL('../../../build/release/server/tools/pingyi-verify', import.meta.url));
const available = existsSync(binary);

let dir = '';

beforeAll(async () => {
  await sodiumReady();
  primeCache();
  dir = mkdtempSync(join(tmpdir(), 'pingyi-agreement-'));
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface CppFailure {
  seq: number;
  type: string;
  code: string;
  field: string;
  message: string;
}

interface CppRun {
  failure: CppFailure | null;
  jsonAborted: boolean; // --json died (see the test below); the verdict then comes from the text report
}

function runVerify(file: string, args: string[]): ReturnType<typeof spawnSync> & { stdout: string } {
  const run = spawnSync(binary, [file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.error) throw run.error;
  return run as ReturnType<typeof spawnSync> & { stdout: string };
}

function cppVerify(lines: string[]): CppRun {
  const file = join(dir, 'chain.jsonl');
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  const run = runVerify(file, ['--json', '--threads', '1']);
  if (run.signal === null) return { failure: (JSON.parse(run.stdout) as { failure: CppFailure | null }).failure, jsonAborted: false };
  // The text report: "✗ verification failed at record N (type)", then "  CODE field: message".
  const text = runVerify(file, ['--lang', 'en', '--threads', '1']).stdout;
  const at = /verification failed at record (\d+) \(([^)]*)\)\n\s+([A-Z_]+) /.exec(text);
  if (at === null) return { failure: null, jsonAborted: true };
  return { failure: { seq: Number(at[1]), type: at[2]!, code: at[3]!, field: '(not in the text report)', message: text }, jsonAborted: true };
}

function asCpp(code: string): string {
  return code === 'BROKEN_LINK' || code === 'BAD_JSON' ? 'BAD_REQUEST' : code;
}

const all: DecodeCase[] = [...catalogue, ...decodeCases, ...invalidBallotCases()];

describe.skipIf(!available)(`pingyi-verify (${binary}) and the browser verifier`, () => {
  it.each(all.map((c) => [c.name, c] as const))('agree on: %s', (_name, c: Case) => {
    const lines = c.lines();
    const browser = verify(lines).failure;
    expect(browser).toMatchObject({ seq: c.seq, code: c.code, field: c.field });
    const run = cppVerify(lines);
    const cpp = run.failure;
    expect(run.jsonAborted, 'pingyi-verify --json aborted').toBe(false);
    expect(cpp, 'pingyi-verify accepted the chain').not.toBeNull();
    if (run.jsonAborted) {
      expect({ seq: cpp!.seq, code: cpp!.code }).toEqual({ seq: browser!.seq, code: asCpp(browser!.code) });
      return;
    }
    expect({ seq: cpp!.seq, code: cpp!.code, field: cpp!.field }, cpp!.message).toEqual({
      seq: browser!.seq,
      code: asCpp(browser!.code),
      field: browser!.field,
    });
  });

  it('agree that the vector chain verifies', () => {
    expect(verify(vectorLines()).failure).toBeNull();
    expect(cppVerify(vectorLines())).toEqual({ failure: null, jsonAborted: false });
  });

  // Found by this comparison: nlohmann's parse error for a lone surrogate escape quoted the
  // bytes it read, which are not UTF-8, and dumping the --json report then threw, so
  // pingyi-verify aborted. The C++ parser's messages are now printable ASCII.
  it('pingyi-verify --json reports a line with a lone surrogate escape instead of aborting', () => {
    const c = decodeCases.find((x) => x.name === 'a lone surrogate escape')!;
    expect(cppVerify(c.lines()).jsonAborted).toBe(false);
  });
});

if (!available) {
  describe('pingyi-verify', () => {
    it.skip(`not built at ${binary}: set PINGYI_VERIFY to compare the two verifiers`, () => {});
  });
}
