// RFC 9497 Appendix A.1 (ristretto255-SHA512), every vector of both modes, batch 2 included:
// DeriveKeyPair, Blind with the given blind, BlindEvaluate with the given proof nonce (proof
// bytes equal), Finalize (proof verified first in mode 0x01) and Evaluate.
import { beforeAll, describe, expect, it } from 'vitest';
import { VoprfSuite, basePoint, concat, fromHex, mul, sodiumReady, toHex } from '../../src/crypto';
import { readVectorFile } from '../support/vector-file';

interface RfcVector {
  Batch: number;
  Blind: string;
  BlindedElement: string;
  EvaluationElement: string;
  Input: string;
  Output: string;
  Proof?: { proof: string; r: string };
}
interface RfcSuite {
  groupDST: string;
  keyInfo: string;
  mode: number;
  seed: string;
  skSm: string;
  pkSm?: string;
  vectors: RfcVector[];
}

const file = readVectorFile('rfc9497-ristretto255-sha512.json') as { suites: RfcSuite[] };

const list = (s: string): string[] => s.split(',');

// G, the RFC 9496 base point encoding: VerifyProof(G, pkS, …) is BlindEvaluate's statement.
const G_HEX = 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76';
let G: Uint8Array;

beforeAll(async () => {
  await sodiumReady();
  G = fromHex(G_HEX, 32);
  expect(toHex(basePoint())).toBe(G_HEX);
});

describe('RFC 9497 ristretto255-SHA512', () => {
  it('has both modes and a batch of two', () => {
    expect(file.suites.map((s) => s.mode).sort()).toEqual([0, 1]);
    expect(file.suites.some((s) => s.vectors.some((v) => v.Batch === 2))).toBe(true);
  });

  for (const suite of file.suites) {
    const mode = suite.mode === 0 ? 0 : 1;
    describe(`mode ${mode}`, () => {
      it('derives the key pair and uses the HashToGroup DST of the suite', () => {
        const s = new VoprfSuite(mode);
        expect(toHex(concat(new TextEncoder().encode('HashToGroup-'), s.contextString))).toBe(suite.groupDST);
        const kp = s.deriveKeyPair(fromHex(suite.seed, 32), fromHex(suite.keyInfo));
        expect(toHex(kp.sk)).toBe(suite.skSm);
        if (suite.pkSm !== undefined) expect(toHex(kp.pk)).toBe(suite.pkSm);
      });

      suite.vectors.forEach((v, n) => {
        it(`vector ${n + 1} (batch ${v.Batch})`, () => {
          const s = new VoprfSuite(mode);
          const { sk, pk } = s.deriveKeyPair(fromHex(suite.seed, 32), fromHex(suite.keyInfo));
          const inputs = list(v.Input).map((h) => fromHex(h));
          const blinds = list(v.Blind).map((h) => fromHex(h, 32));
          expect(inputs.length).toBe(v.Batch);

          const blinded = inputs.map((input, i) => s.blindWith(input, blinds[i]!));
          expect(blinded.map(toHex)).toEqual(list(v.BlindedElement));

          let evaluated: Uint8Array[];
          if (mode === 1) {
            const proofVector = v.Proof!;
            const ev = s.blindEvaluate(sk, pk, blinded, fromHex(proofVector.r, 32));
            evaluated = ev.evaluated;
            expect(toHex(concat(ev.proof.c, ev.proof.s))).toBe(proofVector.proof);
            const outputs = s.finalizeVerified(inputs, blinds, blinded, evaluated, pk, ev.proof);
            expect(outputs.map(toHex)).toEqual(list(v.Output));
            // The proof of the vector itself, parsed from its bytes, verifies; a flipped byte does not.
            const raw = fromHex(proofVector.proof, 64);
            const proof = { c: raw.slice(0, 32), s: raw.slice(32) };
            expect(s.verifyProof(G, pk, blinded, evaluated, proof)).toBe(true);
            const bad = { c: proof.c, s: proof.s.slice() };
            bad.s[0]! ^= 1;
            expect(s.verifyProof(G, pk, blinded, evaluated, bad)).toBe(false);
          } else {
            evaluated = blinded.map((b) => mul(sk, b));
            inputs.forEach((input, i) => {
              expect(toHex(s.finalizeOutput(input, blinds[i]!, evaluated[i]!))).toBe(list(v.Output)[i]);
            });
          }
          expect(evaluated.map(toHex)).toEqual(list(v.EvaluationElement));
          inputs.forEach((input, i) => {
            expect(toHex(s.evaluate(sk, input))).toBe(list(v.Output)[i]);
          });
        });
      });
    });
  }
});
