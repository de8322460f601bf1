// RFC 9497 OPRF (mode 0x00) and VOPRF (mode 0x01) over ristretto255-SHA512, as the RFC
// specifies (§3.2 DeriveKeyPair, §3.3 protocols, §2.2 GenerateProof / VerifyProof /
// ComputeComposites), so that Appendix A.1's vectors pass byte for byte; and pingyi's one-time
// voting tokens on top of the VOPRF (DESIGN.md §3.2). The module-level functions are mode 0x01,
// the one pingyi uses; VoprfSuite serves both modes (the RFC's mode-0 vectors use it).
import { type Bytes, concat, equalBytes, i2osp, lp, utf8 } from './bytes';
import { CryptoError } from './errors';
import {
  IDENTITY,
  add,
  basePoint as generator,
  checkScalar,
  isIdentity,
  isZeroScalar,
  mul,
  mulBase,
  scalarInvert,
  scalarMul,
  scalarSub,
} from './group';
import { expandMessageXmd, hashToGroup, sha512 } from './hash';
import { type Rng, randomScalar } from './rng';
import { sodium } from './sodium';

export interface DleqProof {
  c: Bytes;
  s: Bytes;
}

// RFC 9497 length-prefixes inputs with two bytes, so a longer one cannot be encoded.
const MAX_INPUT = 0xffff;

function checkInput(input: Bytes, what: string): void {
  if (input.length > MAX_INPUT) throw new CryptoError('out_of_range', `${what} longer than 65,535 bytes`);
}


export class VoprfSuite {
  readonly mode: 0 | 1;
  readonly contextString: Bytes;
  readonly #groupDst: Bytes;
  readonly #scalarDst: Bytes;

  constructor(mode: 0 | 1) {
    this.mode = mode;
    // §3.1 / §4.1: "OPRFV1-" ‖ I2OSP(mode, 1) ‖ "-" ‖ "ristretto255-SHA512".
    this.contextString = concat(utf8('OPRFV1-'), i2osp(mode, 1), utf8('-ristretto255-SHA512'));
    this.#groupDst = concat(utf8('HashToGroup-'), this.contextString);
    this.#scalarDst = concat(utf8('HashToScalar-'), this.contextString);
  }

  hashToGroup(input: Bytes): Bytes {
    return hashToGroup(input, this.#groupDst);
  }

  hashToScalar(msg: Bytes): Bytes {
    return sodium().crypto_core_ristretto255_scalar_reduce(expandMessageXmd(msg, this.#scalarDst, 64));
  }

  // §3.2.1: skS = HashToScalar(seed ‖ lp(info) ‖ I2OSP(counter, 1), "DeriveKeyPair" ‖ ctx) for
  // counter = 0 … 255 until skS ≠ 0.
  deriveKeyPair(seed: Bytes, info: Bytes): { sk: Bytes; pk: Bytes } {
    if (seed.length !== 32) throw new CryptoError('bad_length', 'a DeriveKeyPair seed is 32 bytes');
    checkInput(info, 'info');
    const dst = concat(utf8('DeriveKeyPair'), this.contextString);
    const deriveInput = concat(seed, lp(info), new Uint8Array(1));
    try {
      for (let counter = 0; counter < 256; counter++) {
        deriveInput[deriveInput.length - 1] = counter;
        const sk = sodium().crypto_core_ristretto255_scalar_reduce(expandMessageXmd(deriveInput, dst, 64));
        if (!isZeroScalar(sk)) return { sk, pk: mulBase(sk) };
      }
    } finally {
      sodium().memzero(deriveInput);
    }
    throw new CryptoError('out_of_range', 'DeriveKeyPairError');
  }

  // §3.3.1 Blind with a given (non-zero) blind. The identity input element is the RFC's
  // InvalidInputError.
  blindWith(input: Bytes, blindScalar: Bytes): Bytes {
    checkInput(input, 'input');
    checkScalar(blindScalar);
    if (isZeroScalar(blindScalar)) throw new CryptoError('invalid_scalar', 'a zero blind');
    const element = this.hashToGroup(input);
    if (isIdentity(element)) throw new CryptoError('invalid_point', 'the input hashes to the identity');
    return mul(blindScalar, element);
  }

  // RandomScalar is non-zero: a zero blind has no inverse and would send the identity.
  blind(input: Bytes, rng: Rng): { blind: Bytes; blinded: Bytes } {
    checkInput(input, 'input');
    const b = randomScalar(rng);
    return { blind: b, blinded: this.blindWith(input, b) };
  }

  // §2.2.1 ComputeComposites(Fast) share their weights:
  //   seed = Hash(lp(Bm) ‖ lp("Seed-" ‖ contextString))
  //   d_i  = HashToScalar(lp(seed) ‖ I2OSP(i, 2) ‖ lp(C_i) ‖ lp(D_i) ‖ "Composite")
  #compositeWeights(B: Bytes, C: Bytes[], D: Bytes[]): Bytes[] {
    if (C.length === 0 || C.length !== D.length || C.length > 65536) {
      throw new CryptoError('bad_length', 'a batch needs equally long, non-empty lists');
    }
    const seed = sha512(concat(lp(B), lp(concat(utf8('Seed-'), this.contextString))));
    const composite = utf8('Composite');
    return C.map((c, i) =>
      this.hashToScalar(concat(lp(seed), i2osp(i, 2), lp(c), lp(D[i]!), composite)),
    );
  }

  computeComposites(B: Bytes, C: Bytes[], D: Bytes[]): { M: Bytes; Z: Bytes } {
    const d = this.#compositeWeights(B, C, D);
    let M = IDENTITY;
    let Z = IDENTITY;
    d.forEach((di, i) => {
      M = add(M, mul(di, C[i]!));
      Z = add(Z, mul(di, D[i]!));
    });
    return { M, Z };
  }

  computeCompositesFast(k: Bytes, B: Bytes, C: Bytes[], D: Bytes[]): { M: Bytes; Z: Bytes } {
    const d = this.#compositeWeights(B, C, D);
    let M = IDENTITY;
    d.forEach((di, i) => {
      M = add(M, mul(di, C[i]!));
    });
    return { M, Z: mul(k, M) };
  }

  // c = HashToScalar(lp(Bm) ‖ lp(M) ‖ lp(Z) ‖ lp(t2) ‖ lp(t3) ‖ "Challenge").
  #challenge(B: Bytes, M: Bytes, Z: Bytes, t2: Bytes, t3: Bytes): Bytes {
    return this.hashToScalar(concat(lp(B), lp(M), lp(Z), lp(t2), lp(t3), utf8('Challenge')));
  }

  // §2.2.1 GenerateProof: t2 = r·A, t3 = r·M, s = r − c·k. A zero r would reveal k.
  generateProof(k: Bytes, A: Bytes, B: Bytes, C: Bytes[], D: Bytes[], r: Bytes): DleqProof {
    checkScalar(r);
    if (isZeroScalar(r)) throw new CryptoError('invalid_scalar', 'a zero proof nonce');
    if (isIdentity(A) || isIdentity(B) || C.some(isIdentity) || D.some(isIdentity)) {
      throw new CryptoError('invalid_point', 'a DLEQ proof over the identity');
    }
    const { M, Z } = this.computeCompositesFast(k, B, C, D);
    const t2 = mul(r, A);
    const t3 = mul(r, M);
    const c = this.#challenge(B, M, Z, t2, t3);
    return { c, s: scalarSub(r, scalarMul(c, k)) };
  }

  // §2.2.2 VerifyProof: t2 = s·A + c·B, t3 = s·M + c·Z, and the challenge must come back as c.
  // False, never an exception, for anything wrong: a proof is either good or it is not.
  verifyProof(A: Bytes, B: Bytes, C: Bytes[], D: Bytes[], proof: DleqProof): boolean {
    try {
      checkScalar(proof.c);
      checkScalar(proof.s);
      if (isIdentity(A) || isIdentity(B) || C.some(isIdentity) || D.some(isIdentity)) return false;
      const { M, Z } = this.computeComposites(B, C, D);
      const t2 = add(mul(proof.s, A), mul(proof.c, B));
      const t3 = add(mul(proof.s, M), mul(proof.c, Z));
      return equalBytes(this.#challenge(B, M, Z, t2, t3), proof.c);
    } catch (e) {
      if (e instanceof CryptoError) return false;
      throw e;
    }
  }

  // §3.3.2 BlindEvaluate for a batch: each element times skS, one proof for all.
  blindEvaluate(sk: Bytes, pk: Bytes, blinded: Bytes[], rngOrR: Rng | Bytes): { evaluated: Bytes[]; proof: DleqProof } {
    if (blinded.length === 0) throw new CryptoError('bad_length', 'an empty batch');
    if (blinded.some(isIdentity)) throw new CryptoError('invalid_point', 'a blinded element is the identity');
    const r = rngOrR instanceof Uint8Array ? rngOrR : randomScalar(rngOrR);
    const evaluated = blinded.map((b) => mul(sk, b));
    return { evaluated, proof: this.generateProof(sk, generator(), pk, blinded, evaluated, r) };
  }

  // §3.3.1 Finalize: SHA-512(lp(input) ‖ lp(blind⁻¹·evaluated) ‖ "Finalize"). Mode 0x01 checks
  // the proof first (finalizeVerified).
  finalizeOutput(input: Bytes, blindScalar: Bytes, evaluated: Bytes): Bytes {
    checkInput(input, 'input');
    if (isIdentity(evaluated)) throw new CryptoError('invalid_point', 'the evaluated element is the identity');
    return this.#finalizeHash(input, mul(scalarInvert(checkScalar(blindScalar)), evaluated));
  }

  // §3.3.2 Finalize for a batch: VerifyProof(G, pkS, blinded, evaluated) once, then each output.
  finalizeVerified(inputs: Bytes[], blinds: Bytes[], blinded: Bytes[], evaluated: Bytes[], pk: Bytes,
    proof: DleqProof): Bytes[] {
    const m = inputs.length;
    if (m === 0 || blinds.length !== m || blinded.length !== m || evaluated.length !== m) {
      throw new CryptoError('bad_length', 'a batch needs equally long, non-empty lists');
    }
    if (!this.verifyProof(generator(), pk, blinded, evaluated, proof)) {
      throw new CryptoError('invalid_proof', 'the evaluation proof does not verify');
    }
    return inputs.map((input, i) => this.finalizeOutput(input, blinds[i]!, evaluated[i]!));
  }

  // §3.3.1 Evaluate: what the client would get through Blind, BlindEvaluate and Finalize.
  evaluate(sk: Bytes, input: Bytes): Bytes {
    checkInput(input, 'input');
    const element = this.hashToGroup(input);
    if (isIdentity(element)) throw new CryptoError('invalid_point', 'the input hashes to the identity');
    return this.#finalizeHash(input, mul(sk, element));
  }

  #finalizeHash(input: Bytes, element: Bytes): Bytes {
    return sha512(concat(lp(input), lp(element), utf8('Finalize')));
  }
}

const VOPRF = new VoprfSuite(1);

export function voprfSuite(): VoprfSuite {
  return VOPRF;
}

// DESIGN.md §3.2 step 1: "pingyi-v1-token" ‖ session_id ‖ I2OSP(round, 4) ‖ vk (raw bytes).
export function tokenInput(sessionId: Bytes, round: number, vk: Bytes): Bytes {
  if (sessionId.length !== 32) throw new CryptoError('bad_length', 'a session id is 32 bytes');
  if (vk.length !== 32) throw new CryptoError('bad_length', 'vk is 32 bytes');
  return concat(utf8('pingyi-v1-token'), sessionId, i2osp(round, 4), vk);
}

// HashToGroup with DST "HashToGroup-" ‖ contextString (mode 0x01): the token point T.
export function hashToGroupVoprf(input: Bytes): Bytes {
  return VOPRF.hashToGroup(input);
}

export function blind(input: Bytes, rng: Rng): { blind: Bytes; blinded: Bytes } {
  return VOPRF.blind(input, rng);
}

export function blindWith(input: Bytes, blindScalar: Bytes): Bytes {
  return VOPRF.blindWith(input, blindScalar);
}

export function verifyProof(pk: Bytes, A: Bytes, B: Bytes, C: Bytes[], D: Bytes[], proof: DleqProof): boolean {
  // The statement is log_A(B) = log_C[i](D[i]) with B the key: pk names the key the caller
  // trusts (pkT from genesis), so a proof under any other B is refused, not merely checked.
  if (!equalBytes(pk, B)) return false;
  return VOPRF.verifyProof(A, B, C, D, proof);
}

// N = blind⁻¹·Z, the token the tablet casts with its ballot.
export function unblind(blindScalar: Bytes, evaluated: Bytes): Bytes {
  if (isIdentity(evaluated)) throw new CryptoError('invalid_point', 'the evaluated element is the identity');
  return mul(scalarInvert(checkScalar(blindScalar)), evaluated);
}

// §3.2 step 2 on the tablet: the proof is checked against pkT from genesis before anything is
// unblinded, so a server that evaluated this member's request under another key (to tag the
// ballot) is caught here.
export function finalizeToken(input: Bytes, blindScalar: Bytes, blinded: Bytes, evaluated: Bytes,
  proof: DleqProof, pkT: Bytes): Bytes {
  if (isIdentity(pkT)) throw new CryptoError('invalid_point', 'the token key is the identity');
  if (isIdentity(blinded)) throw new CryptoError('invalid_point', 'the blinded element is the identity');
  if (isIdentity(evaluated)) throw new CryptoError('invalid_point', 'the evaluated element is the identity');
  if (!equalBytes(VOPRF.blindWith(input, blindScalar), blinded)) {
    throw new CryptoError('invalid_proof', 'the blinded element is not this input under this blind');
  }
  if (!VOPRF.verifyProof(generator(), pkT, [blinded], [evaluated], proof)) {
    throw new CryptoError('invalid_proof', 'the token proof does not verify against the token key');
  }
  return unblind(blindScalar, evaluated);
}

export function deriveKeyPair(seed: Bytes, info: Bytes): { sk: Bytes; pk: Bytes } {
  return VOPRF.deriveKeyPair(seed, info);
}

export function blindEvaluate(sk: Bytes, pk: Bytes, blinded: Bytes[], rng: Rng | Bytes): { evaluated: Bytes[]; proof: DleqProof } {
  return VOPRF.blindEvaluate(sk, pk, blinded, rng);
}

export function generateProof(k: Bytes, A: Bytes, B: Bytes, C: Bytes[], D: Bytes[], r: Bytes): DleqProof {
  return VOPRF.generateProof(k, A, B, C, D, r);
}

export function finalizeOutput(input: Bytes, blindScalar: Bytes, evaluated: Bytes): Bytes {
  return VOPRF.finalizeOutput(input, blindScalar, evaluated);
}

export function evaluate(sk: Bytes, input: Bytes): Bytes {
  return VOPRF.evaluate(sk, input);
}

// §3.2 step 3, any observer: VerifyProof(G, pkT, [T], [N]) for T = HashToGroup(input), the
// proof the server attaches to a ballot record.
export function verifyTokenProof(pkT: Bytes, sessionId: Bytes, round: number, vk: Bytes, token: Bytes,
  proof: DleqProof): boolean {
  if (isIdentity(pkT) || isIdentity(token)) return false;
  const T = VOPRF.hashToGroup(tokenInput(sessionId, round, vk));
  return VOPRF.verifyProof(generator(), pkT, [T], [token], proof);
}

// The server's side of step 3, for tests and vectors: GenerateProof(skT, G, pkT, [T], [N]).
export function proveToken(skT: Bytes, pkT: Bytes, T: Bytes, token: Bytes, rng: Rng): DleqProof {
  return VOPRF.generateProof(skT, generator(), pkT, [T], [token], randomScalar(rng));
}
