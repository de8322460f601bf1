// tests/vectors/pingyi-v1.json, made by the C++ pingyi-vectors (server/tools/vectors_main.cpp):
// every randomised value is REPRODUCED here from its seed with DeterministicRng, byte for byte,
// and every proof and signature verified; every `invalid` entry is refused with its error; the
// chain's line hashes, links and head signatures are checked.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Bytes,
  type ContestSpec,
  type CryptoErrorCode,
  CryptoError,
  DeterministicRng,
  add,
  ballotDigest,
  ballotFromJson,
  ballotToJson,
  blind,
  blindEvaluate,
  combineShares,
  comparisonCode,
  concat,
  decryptionShare,
  deriveKeyPair,
  displayRecoveryCode,
  electionKey,
  expandMessageXmd,
  finalizeToken,
  fromHex,
  hashToGroup,
  hashToGroupVoprf,
  hashToScalar,
  checkinMessage,
  headMessage,
  IDENTITY,
  lineHash,
  mulBase,
  newRecoveryCode,
  normalizeRecoveryCode,
  pointFromHex,
  proveToken,
  randomScalar,
  receiptCode,
  recoverCount,
  scalarFromHex,
  sha256,
  signDetached,
  signKeyPair,
  sodiumReady,
  toHex,
  tokenInput,
  tokenRequestMessage,
  trusteeProof,
  trusteeSecret,
  utf8,
  verifyBallot,
  verifyDecryptionShare,
  verifyDetached,
  verifyHead,
  verifyProof,
  verifyTokenProof,
  verifyTrusteeProof,
  votedMessage,
  basePoint,
  buildBallot,
} from '../../src/crypto';
import { readVectorFile } from '../support/vector-file';

// The file's shape, as far as this test reads it.
interface Proof { c: string; s: string }
interface Range { c: string[]; s: string[] }
interface Cast {
  round: number;
  vk: string;
  token: string;
  contests: { id: string; selections: { alpha: string; beta: string; proof: Range }[]; limit_proof: Range }[];
  sig: string;
}
interface VectorFile {
  rng: { master_seed: string };
  hashing: {
    expand_message_xmd_sha512: { msg: string; dst: string; len: number; output: string }[];
    hash_to_group: { msg: string; dst_hex: string; point: string }[];
    challenge: { msg: string; dst: string; scalar: string }[];
  };
  codes: {
    short_codes: { hash: string; receipt_code: string; comparison_code: string }[];
    recovery_code_entry: { typed: string; normalized: string | null }[];
  };
  session: {
    server_key_seed: string;
    server_key: string;
    token_key: { seed: string; info: string; sk: string; pk: string };
    genesis_line: string;
    session_id: string;
  };
  trustees: {
    server_x: string;
    server_key: string;
    scrutineers: { id: string; code_seed: string; code: string; code_display: string; x: string; key: string;
      proof_seed: string }[];
    election_key: string;
  };
  check_ins: { member: string; device_seed: string; device_key: string; message: string; sig: string }[];
  invalid: {
    points: { hex: string; error: string }[];
    identity: string;
    scalars: { hex: string; error: string }[];
    ballots_round: number;
    ballots: { defect: string; cast: Cast; error: string; field: string }[];
  };
  rounds: {
    round: number;
    contests: ContestSpec[];
    tokens: { member: string; ephemeral_seed: string; vk: string; input: string; blind_seed: string; blind: string;
      blinded: string; request_message: string; request_sig: string; issue_seed: string; evaluated: string;
      proof: Proof; token: string }[];
    ballots: { member: string; choices: number[][]; ballot_seed: string; token_proof_seed: string; cast: Cast;
      digest: string; token_point: string; token_proof: Proof; receipt: { seq: number; hash: string; sig: string };
      receipt_code: string }[];
    voted_messages: { message: string };
    closed_hash: string;
    comparison_code: string;
    decryption_seeds: { trustee: string; share_seed: string }[];
    counts: { id: string; counts: number[] }[];
  }[];
  chain: { line: string; hash: string; head_sig: string }[];
}

type Json = Record<string, unknown>;

const v = readVectorFile('pingyi-v1.json') as VectorFile;

const records = v.chain.map((c) => JSON.parse(c.line) as Json);
const recordsOf = (type: string): Json[] => records.filter((r) => r.type === type);

// The C++ generator's item streams: seed = SHA-256(master_seed ‖ UTF-8 label).
function itemSeed(label: string): Bytes {
  return sha256(concat(fromHex(v.rng.master_seed, 32), utf8(label)));
}
function itemRng(label: string, recordedSeed?: string): DeterministicRng {
  const seed = itemSeed(label);
  if (recordedSeed !== undefined) expect(toHex(seed)).toBe(recordedSeed);
  return new DeterministicRng(seed);
}

const h = (hex: string): Bytes => fromHex(hex);
const proofOf = (p: Proof) => ({ c: h(p.c), s: h(p.s) });
const proofHex = (p: { c: Bytes; s: Bytes }): Proof => ({ c: toHex(p.c), s: toHex(p.s) });

function expectCryptoError(f: () => unknown, codes: CryptoErrorCode[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    expect(codes).toContain((e as CryptoError).code);
    return;
  }
  throw new Error('expected a CryptoError');
}

// The C++ catalogue's invalid_encoding is split in two here: bad hex, or the wrong length.
function tsCodes(cppError: string): CryptoErrorCode[] {
  if (cppError === 'invalid_encoding') return ['bad_hex', 'bad_length'];
  return [cppError as CryptoErrorCode];
}

let sid: Bytes;
let serverSecret: Bytes;
let tokenSk: Bytes;
let tokenPk: Bytes;
let X: Bytes;
const trusteeSecrets = new Map<string, Bytes>();
const trusteeKeys = new Map<string, Bytes>();
const deviceSecrets = new Map<string, Bytes>();

beforeAll(async () => {
  await sodiumReady();
  sid = h(v.session.session_id);
});

describe('pingyi-v1.json: the rng section', () => {
  it('has the master seed SHA-256("pingyi-v1 test vectors")', () => {
    expect(toHex(sha256(utf8('pingyi-v1 test vectors')))).toBe(v.rng.master_seed);
  });
});

describe('pingyi-v1.json: hashing', () => {
  it('expand_message_xmd with SHA-512', () => {
    expect(v.hashing.expand_message_xmd_sha512.length).toBeGreaterThan(0);
    for (const x of v.hashing.expand_message_xmd_sha512) {
      expect(toHex(expandMessageXmd(h(x.msg), utf8(x.dst), x.len))).toBe(x.output);
    }
  });
  it('HashToGroup with the VOPRF DST', () => {
    for (const x of v.hashing.hash_to_group) {
      expect(toHex(hashToGroup(h(x.msg), h(x.dst_hex)))).toBe(x.point);
      expect(toHex(hashToGroupVoprf(h(x.msg)))).toBe(x.point);
    }
  });
  it('pingyi challenges', () => {
    for (const x of v.hashing.challenge) {
      expect(toHex(hashToScalar(h(x.msg), utf8(x.dst)))).toBe(x.scalar);
    }
  });
});

describe('pingyi-v1.json: codes', () => {
  it('receipt and comparison codes', () => {
    for (const x of v.codes.short_codes) {
      expect(receiptCode(h(x.hash))).toBe(x.receipt_code);
      expect(comparisonCode(h(x.hash))).toBe(x.comparison_code);
    }
  });
  it('recovery code entry, refused ones included', () => {
    for (const x of v.codes.recovery_code_entry) {
      if (x.normalized === null) expectCryptoError(() => normalizeRecoveryCode(x.typed), ['invalid_code']);
      else expect(normalizeRecoveryCode(x.typed)).toBe(x.normalized);
    }
  });
});

describe('pingyi-v1.json: session keys and genesis', () => {
  it('reproduces the server signing key, the token key, the genesis nonce and the session id', () => {
    const server = signKeyPair(itemRng('server-signing-key'));
    expect(toHex(server.secretKey.slice(0, 32))).toBe(v.session.server_key_seed);
    expect(toHex(server.publicKey)).toBe(v.session.server_key);
    serverSecret = server.secretKey;

    const tk = v.session.token_key;
    expect(toHex(sha256(utf8('pingyi-v1 token key seed')))).toBe(tk.seed);
    expect(toHex(utf8('pingyi token key'))).toBe(tk.info);
    const kp = deriveKeyPair(h(tk.seed), h(tk.info));
    expect(toHex(kp.sk)).toBe(tk.sk);
    expect(toHex(kp.pk)).toBe(tk.pk);
    tokenSk = kp.sk;
    tokenPk = kp.pk;

    const genesis = records[0]!;
    expect(v.chain[0]!.line).toBe(v.session.genesis_line);
    expect(genesis.nonce).toBe(toHex(itemRng('genesis-nonce').bytes(32)));
    expect(genesis.server_key).toBe(v.session.server_key);
    expect(genesis.token_key).toBe(tk.pk);
    expect(toHex(lineHash(v.session.genesis_line))).toBe(v.session.session_id);
  });
});

describe('pingyi-v1.json: trustees', () => {
  it('reproduces every trustee key and proof of possession, and the election key', () => {
    const serverX = randomScalar(itemRng('trustee-server-key'));
    expect(toHex(serverX)).toBe(v.trustees.server_x);
    expect(toHex(mulBase(serverX))).toBe(v.trustees.server_key);
    trusteeSecrets.set('server', serverX);

    for (const s of v.trustees.scrutineers) {
      const code = newRecoveryCode(itemRng(`recovery-code-${s.id}`, s.code_seed));
      expect(code).toBe(s.code);
      expect(displayRecoveryCode(code)).toBe(s.code_display);
      expect(normalizeRecoveryCode(s.code_display.toLowerCase())).toBe(code);
      const x = trusteeSecret(sid, code);
      expect(toHex(x)).toBe(s.x);
      expect(toHex(mulBase(x))).toBe(s.key);
      trusteeSecrets.set(s.id, x);
    }

    const trusteeRecords = recordsOf('trustee');
    expect(trusteeRecords.map((r) => r.id)).toEqual(['server', ...v.trustees.scrutineers.map((s) => s.id)]);
    for (const r of trusteeRecords) {
      const id = r.id as string;
      const recorded = v.trustees.scrutineers.find((s) => s.id === id);
      const made = trusteeProof(sid, id, trusteeSecrets.get(id)!, itemRng(`trustee-proof-${id}`, recorded?.proof_seed));
      expect(toHex(made.key)).toBe(r.key);
      expect(proofHex(made.proof)).toEqual(r.proof);
      expect(verifyTrusteeProof(sid, id, made.key, made.proof)).toBe(true);
      // Bound to the id and the session: not valid for another trustee or session.
      expect(verifyTrusteeProof(sid, `${id}x`, made.key, made.proof)).toBe(false);
      expect(verifyTrusteeProof(sha256(sid), id, made.key, made.proof)).toBe(false);
      trusteeKeys.set(id, made.key);
    }

    X = electionKey([...trusteeKeys.values()]);
    expect(toHex(X)).toBe(v.trustees.election_key);
    expect(recordsOf('election_key')[0]!.key).toBe(toHex(X));
  });
});

describe('pingyi-v1.json: check-ins', () => {
  it('reproduces every device key, message and signature', () => {
    const lines = recordsOf('check_in');
    expect(lines.length).toBe(v.check_ins.length);
    v.check_ins.forEach((c, n) => {
      const device = signKeyPair(itemRng(`device-${c.member}`));
      expect(toHex(device.secretKey.slice(0, 32))).toBe(c.device_seed);
      expect(toHex(device.publicKey)).toBe(c.device_key);
      const msg = checkinMessage(sid, c.member, device.publicKey);
      expect(toHex(msg)).toBe(c.message);
      const sig = signDetached(msg, device.secretKey);
      expect(toHex(sig)).toBe(c.sig);
      expect(verifyDetached(sig, msg, device.publicKey)).toBe(true);
      expect(verifyDetached(sig, checkinMessage(sid, `${c.member}0`, device.publicKey), device.publicKey)).toBe(false);
      expect(lines[n]).toMatchObject({ member: c.member, device_key: c.device_key, sig: c.sig });
      deviceSecrets.set(c.member, device.secretKey);
    });
  });
});

describe('pingyi-v1.json: rounds', () => {
  it('has two rounds', () => {
    expect(v.rounds.map((r) => r.round)).toEqual([1, 2]);
  });

  for (const [n, round] of v.rounds.entries()) {
    describe(`round ${n + 1}`, () => {
      const tokens = new Map<string, { ske: Bytes; vk: Bytes; N: Bytes }>();

      it('reproduces every token: ephemeral key, blind, request signature, evaluation, proof, N', () => {
        const tokenRecords = recordsOf('token').filter((r) => r.round === round.round);
        expect(tokenRecords.length).toBe(round.tokens.length);
        round.tokens.forEach((t, i) => {
          const label = `round-${round.round}-${t.member}`;
          const eph = signKeyPair(itemRng(`ephemeral-${label}`, t.ephemeral_seed));
          expect(toHex(eph.publicKey)).toBe(t.vk);
          const input = tokenInput(sid, round.round, eph.publicKey);
          expect(toHex(input)).toBe(t.input);
          const b = blind(input, itemRng(`blind-${label}`, t.blind_seed));
          expect(toHex(b.blind)).toBe(t.blind);
          expect(toHex(b.blinded)).toBe(t.blinded);
          const reqMsg = tokenRequestMessage(sid, round.round, b.blinded);
          expect(toHex(reqMsg)).toBe(t.request_message);
          const reqSig = signDetached(reqMsg, deviceSecrets.get(t.member)!);
          expect(toHex(reqSig)).toBe(t.request_sig);
          const ev = blindEvaluate(tokenSk, tokenPk, [b.blinded], itemRng(`issue-${label}`, t.issue_seed));
          expect(toHex(ev.evaluated[0]!)).toBe(t.evaluated);
          expect(proofHex(ev.proof)).toEqual(t.proof);
          expect(verifyProof(tokenPk, basePoint(), tokenPk, [b.blinded], ev.evaluated, ev.proof)).toBe(true);
          const N = finalizeToken(input, b.blind, b.blinded, ev.evaluated[0]!, ev.proof, tokenPk);
          expect(toHex(N)).toBe(t.token);
          // A proof under another key (a server tagging this member) is refused.
          expectCryptoError(
            () => finalizeToken(input, b.blind, b.blinded, ev.evaluated[0]!, ev.proof, mulBase(randomScalar(itemRng('x')))),
            ['invalid_proof'],
          );
          expect(tokenRecords[i]).toMatchObject({
            member: t.member, blinded: t.blinded, request_sig: t.request_sig, evaluated: t.evaluated, proof: t.proof,
          });
          tokens.set(t.member, { ske: eph.secretKey, vk: eph.publicKey, N });
        });
      });

      it('reproduces every ballot, its digest, token proof and receipt, and verifies it', () => {
        const ballotRecords = recordsOf('ballot').filter((r) => r.round === round.round);
        expect(ballotRecords.length).toBe(round.ballots.length);
        round.ballots.forEach((bv, i) => {
          const label = `round-${round.round}-${bv.member}`;
          const tok = tokens.get(bv.member)!;
          const choices = bv.choices.map((c) => c.flatMap((x, k) => (x === 1 ? [k] : [])));
          const b = buildBallot({
            sessionId: sid, round: round.round, electionKey: X, contests: round.contests, choices,
            vk: tok.vk, ske: tok.ske, token: tok.N, rng: itemRng(`ballot-${label}`, bv.ballot_seed),
          });
          expect(ballotToJson(b)).toEqual(bv.cast);
          expect(toHex(ballotDigest(sid, b.round, b.vk, b.contests))).toBe(bv.digest);
          const parsed = ballotFromJson(bv.cast);
          expect(verifyBallot(sid, X, round.contests, parsed)).toEqual({ ok: true });

          const T = hashToGroupVoprf(tokenInput(sid, round.round, b.vk));
          expect(toHex(T)).toBe(bv.token_point);
          const tp = proveToken(tokenSk, tokenPk, T, b.token, itemRng(`token-proof-${label}`, bv.token_proof_seed));
          expect(proofHex(tp)).toEqual(bv.token_proof);
          expect(verifyTokenProof(tokenPk, sid, round.round, b.vk, b.token, tp)).toBe(true);
          expect(verifyTokenProof(tokenPk, sid, round.round + 1, b.vk, b.token, tp)).toBe(false);

          const { seq, hash, sig } = bv.receipt;
          expect(v.chain[seq]!.hash).toBe(hash);
          expect(toHex(signDetached(headMessage(sid, seq, h(hash)), serverSecret))).toBe(sig);
          expect(receiptCode(h(hash))).toBe(bv.receipt_code);
          const { type: _t, seq: _s, prev: _p, time: _m, token_proof, ...body } = records[seq]!;
          expect(body).toEqual(bv.cast);
          expect(token_proof).toEqual(bv.token_proof);
          expect(records[seq]).toEqual(ballotRecords[i]);
        });
      });

      it('reproduces the declarations, the sums, every decryption share and the counts', () => {
        const closedSeq = records.findIndex((r) => r.type === 'round_closed' && r.round === round.round);
        const closed = records[closedSeq]!;
        expect(v.chain[closedSeq]!.hash).toBe(round.closed_hash);
        expect(comparisonCode(h(round.closed_hash))).toBe(round.comparison_code);

        const vmsg = votedMessage(sid, round.round);
        expect(toHex(vmsg)).toBe(round.voted_messages.message);
        const voted = closed.voted as { member: string; sig: string }[];
        expect(voted.map((d) => d.member)).toEqual(round.ballots.map((b) => b.member).sort());
        for (const d of voted) {
          expect(toHex(signDetached(vmsg, deviceSecrets.get(d.member)!))).toBe(d.sig);
        }

        // Σα, Σβ per option over the round's ballots.
        const sums = round.contests.map((spec, k) =>
          Array.from({ length: spec.options }, (_, i) => {
            let A = IDENTITY;
            let B = IDENTITY;
            for (const bv of round.ballots) {
              const sel = bv.cast.contests[k]!.selections[i]!;
              A = add(A, h(sel.alpha));
              B = add(B, h(sel.beta));
            }
            return { A, B };
          }),
        );
        expect(closed.sums).toEqual(round.contests.map((spec, k) => ({
          id: spec.id, options: sums[k]!.map((s) => ({ alpha: toHex(s.A), beta: toHex(s.B) })),
        })));

        const decRecords = records.filter((r) => r.type === 'decryption' && r.round === round.round);
        expect(decRecords.map((r) => r.trustee)).toEqual(round.decryption_seeds.map((d) => d.trustee));
        const shares = round.contests.map((spec) => Array.from({ length: spec.options }, () => [] as Bytes[]));
        round.decryption_seeds.forEach((d, t) => {
          const rng = itemRng(`decrypt-round-${round.round}-${d.trustee}`, d.share_seed);
          const recorded = decRecords[t]!.shares as { id: string; options: { share: string; proof: Proof }[] }[];
          round.contests.forEach((spec, k) => {
            for (let i = 0; i < spec.options; i++) {
              const ctx = {
                sessionId: sid, closedHash: h(round.closed_hash), round: round.round, contestId: spec.id, option: i,
                trusteeId: d.trustee, trusteeKey: trusteeKeys.get(d.trustee)!,
              };
              const A = sums[k]![i]!.A;
              const made = decryptionShare(ctx, trusteeSecrets.get(d.trustee)!, A, rng);
              expect(recorded[k]!.id).toBe(spec.id);
              expect({ share: toHex(made.share), proof: proofHex(made.proof) }).toEqual(recorded[k]!.options[i]);
              expect(verifyDecryptionShare(ctx, A, made.share, made.proof)).toBe(true);
              expect(verifyDecryptionShare({ ...ctx, option: i + 1 }, A, made.share, made.proof)).toBe(false);
              shares[k]![i]!.push(made.share);
            }
          });
        });

        const counts = round.contests.map((spec, k) => ({
          id: spec.id,
          counts: sums[k]!.map((s, i) => recoverCount(combineShares(s.B, shares[k]![i]!), round.ballots.length)),
        }));
        expect(counts).toEqual(round.counts);
        const result = records.find((r) => r.type === 'result' && r.round === round.round)!;
        expect((result.contests as { counts: number[] }[]).map((c) => c.counts)).toEqual(round.counts.map((c) => c.counts));
      });
    });
  }
});

describe('pingyi-v1.json: invalid inputs', () => {
  it('refuses every bad point encoding with its error', () => {
    for (const p of v.invalid.points) {
      expectCryptoError(() => pointFromHex(p.hex), tsCodes(p.error));
      expectCryptoError(() => pointFromHex(p.hex, { allowIdentity: true }), tsCodes(p.error));
    }
  });
  it('decodes the identity only where it is allowed', () => {
    expectCryptoError(() => pointFromHex(v.invalid.identity), ['invalid_point']);
    expect(toHex(pointFromHex(v.invalid.identity, { allowIdentity: true }))).toBe(v.invalid.identity);
  });
  it('refuses every scalar at or above the group order', () => {
    for (const s of v.invalid.scalars) expectCryptoError(() => scalarFromHex(s.hex), tsCodes(s.error));
  });
  it('refuses every tampered ballot with the error and field the C++ verifier names', () => {
    const specs = v.rounds.find((r) => r.round === v.invalid.ballots_round)!.contests;
    expect(v.invalid.ballots.length).toBeGreaterThan(10);
    for (const bad of v.invalid.ballots) {
      const b = ballotFromJson(bad.cast);
      expect({ defect: bad.defect, ...verifyBallot(sid, X, specs, b) })
        .toEqual({ defect: bad.defect, ok: false, error: bad.error, field: bad.field });
    }
  });
});

describe('pingyi-v1.json: the chain', () => {
  it('checks every line hash, link, seq and signed head', () => {
    const serverKey = h(v.session.server_key);
    let prev = '0'.repeat(64);
    v.chain.forEach((c, seq) => {
      const hash = lineHash(c.line);
      expect(toHex(hash)).toBe(c.hash);
      expect(records[seq]!.seq).toBe(seq);
      expect(records[seq]!.prev).toBe(prev);
      expect(verifyHead(serverKey, sid, seq, hash, h(c.head_sig))).toBe(true);
      expect(toHex(signDetached(headMessage(sid, seq, hash), serverSecret))).toBe(c.head_sig);
      expect(verifyHead(serverKey, sid, seq + 1, hash, h(c.head_sig))).toBe(false);
      prev = c.hash;
    });
    expect(records.at(-1)!.type).toBe('adjourned');
  });
});
