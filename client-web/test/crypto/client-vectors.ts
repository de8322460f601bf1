// The browser side's cross-implementation vectors (DESIGN.md §6: "shared test vectors generated
// by each side and checked by the other"): tests/vectors/pingyi-v1-client.json, made here with
// the TypeScript code from a fixed master seed (not the C++ file's) and checked by the C++ tests
// tests/unit/crypto/client_vectors_test.cpp and vectors_test.cpp (which reads every
// pingyi-v1*.json). The file has the schema of the C++ pingyi-v1.json, so the same checks apply
// to both, plus sections of its own; every randomised value comes from a DeterministicRng with a
// recorded seed, so the C++ side can both verify each proof and signature and reproduce each
// value. It plays a whole session on a chain of real records (genesis, key ceremony, check-ins,
// an evaluation round of 3 targets × 3 grades, a motion, a selection of 0 … 2 of 4, tokens,
// ballots, declarations, sums, decryption, results), so pingyi-verify can check it as well.
// client-vectors.test.ts regenerates the file and fails on any difference.
import {
  type Ballot,
  type Bytes,
  type ContestBallot,
  type ContestSpec,
  type CryptoErrorCode,
  type DleqProof,
  type RangeProof,
  type ShareContext,
  CryptoError,
  DeterministicRng,
  IDENTITY,
  add,
  ballotDigest,
  ballotToJson,
  basePoint,
  blind,
  blindEvaluate,
  buildBallot,
  challenge,
  checkinMessage,
  combineShares,
  comparisonCode,
  concat,
  crockford,
  decryptionShare,
  deriveKeyPair,
  displayRecoveryCode,
  electionKey,
  expandMessageXmd,
  finalizeToken,
  hashToGroup,
  hashToGroupVoprf,
  hashToScalar,
  headMessage,
  lineHash,
  mulBase,
  newRecoveryCode,
  normalizeRecoveryCode,
  normalizeTypedCode,
  pointFromHex,
  proveToken,
  randomScalar,
  receiptCode,
  recoverCount,
  scalarAdd,
  scalarFromHex,
  scalarFromInt,
  sha256,
  sha512,
  signDetached,
  signKeyPair,
  toHex,
  tokenInput,
  tokenRequestMessage,
  trusteeProof,
  trusteeSecret,
  utf8,
  verifyBallot,
  verifyDecryptionShare,
  verifyDetached,
  verifyTokenProof,
  verifyTrusteeProof,
  votedMessage,
} from '../../src/crypto';

export const CLIENT_VECTORS_FILE = 'pingyi-v1-client.json';
export const CLIENT_VECTORS_PATH = `tests/vectors/${CLIENT_VECTORS_FILE}`;

// A different master seed from the C++ file's SHA-256("pingyi-v1 test vectors").
const MASTER_LABEL = 'pingyi-v1 client test vectors';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// Item streams as the C++ generator's: seed = SHA-256(master_seed ‖ UTF-8 label).
class Items {
  readonly master: Bytes = sha256(utf8(MASTER_LABEL));

  rng(label: string): { seed: Bytes; rng: DeterministicRng } {
    const seed = sha256(concat(this.master, utf8(label)));
    return { seed, rng: new DeterministicRng(seed) };
  }
}

// The generator stops rather than write a vector its own implementation does not accept.
function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`client vectors: ${what} does not verify`);
}

const hex = toHex;
const proofJson = (p: DleqProof): JsonObject => ({ c: hex(p.c), s: hex(p.s) });

// The chain being written, as the server writes it: compact JSON, keys in the order of
// docs/RECORDS.md, hashed as written; times 1.5 s apart from a fixed start.
class ChainWriter {
  readonly lines: string[] = [];
  #prev = '0'.repeat(64);

  append(type: string, body: JsonObject): string {
    const seq = this.lines.length;
    const ms = seq * 1500;
    const total = 14 * 3600 + Math.floor(ms / 1000);
    const two = (n: number): string => String(n).padStart(2, '0');
    const time = `2026-11-23T${two(Math.floor(total / 3600))}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}.`
      + `${String(ms % 1000).padStart(3, '0')}Z`;
    const line = JSON.stringify({ seq, prev: this.#prev, time, type, ...body });
    this.#prev = hex(lineHash(line));
    this.lines.push(line);
    return line;
  }
}

function hashingVectors(): JsonObject {
  const xmd: Json[] = [];
  // The second DST is 272 bytes: RFC 9380 §5.3.3 hashes it first.
  for (const dst of ['pingyi-v1-client-test', 'pingyi-v1-client-'.repeat(16)]) {
    for (const msg of ['', 'abc', '评议 pingyi', 'a'.repeat(300)]) {
      for (const len of [1, 32, 64, 65, 200]) {
        xmd.push({ msg: hex(utf8(msg)), dst, len, output: hex(expandMessageXmd(utf8(msg), utf8(dst), len)) });
      }
    }
  }
  const groupDst = concat(utf8('HashToGroup-OPRFV1-'), Uint8Array.of(1), utf8('-ristretto255-SHA512'));
  const h2g: Json[] = [];
  const h2s: Json[] = [];
  for (const msg of ['', 'abc', '委员会 client']) {
    const m = utf8(msg);
    h2g.push({ msg: hex(m), dst_hex: hex(groupDst), point: hex(hashToGroup(m, groupDst)) });
    for (const name of ['range', 'decrypt', 'trustee', 'trustee-key']) {
      const dst = `pingyi-v1-${name}`;
      h2s.push({ msg: hex(m), dst, scalar: hex(hashToScalar(m, utf8(dst))) });
    }
  }
  // challenge(name, fields) = HashToScalar(lp(f1) ‖ lp(f2) ‖ …, "pingyi-v1-" ‖ name): the
  // length prefixes make ["a", "bc"] and ["ab", "c"] different.
  const transcripts: Json[] = [];
  const fieldSets: Bytes[][] = [[], [new Uint8Array(0)], [utf8('a'), utf8('bc')], [utf8('ab'), utf8('c')],
    [new Uint8Array(32).fill(0xaa), utf8('县卫生健康局'), new Uint8Array(300).fill(1)]];
  for (const name of ['range', 'decrypt', 'trustee']) {
    for (const fields of fieldSets) {
      transcripts.push({ name, fields: fields.map(hex), scalar: hex(challenge(name, fields)) });
    }
  }
  const sha2: Json[] = ['', 'abc', '评议'].map((s) => ({
    msg: hex(utf8(s)), sha256: hex(sha256(utf8(s))), sha512: hex(sha512(utf8(s))),
  }));
  return { expand_message_xmd_sha512: xmd, hash_to_group: h2g, challenge: h2s, transcript_challenge: transcripts,
    sha2 };
}

function codesVectors(items: Items): JsonObject {
  const short: Json[] = ['client-a', 'client-b', 'client-c', 'client-d'].map((label) => {
    const h = sha256(utf8(label));
    return { hash: hex(h), receipt_code: receiptCode(h), comparison_code: comparisonCode(h) };
  });
  const recovery: Json[] = ['zzzz-zzzz-zzzz-zzzz-zzzz', ' 0123 4567 89ab cdef ghjk ', 'OOOO-IIII-LLLL-oooo-iiii',
    'abcd-efgh-jkmn-pqrs-tvwu', 'abcd-efgh-jkmn-pqrs-tvw', 'abcd-efgh-jkmn-pqrs-tvwx-y', 'abcd.efgh.jkmn.pqrs.tvwx']
    .map((typed) => ({ typed, normalized: refusedAsNull(() => normalizeRecoveryCode(typed)) }));
  const { rng } = items.rng('crockford-bytes');
  const crock: Json[] = [1, 2, 3, 4, 5, 7, 10, 13].map((n) => {
    const b = rng.bytes(n);
    return { bytes: hex(b), text: crockford(b) };
  });
  const typed: Json[] = ([['abcd-efgh', 8], ['  a b c d e f g h  ', 8], ['ilo0-ILO0', 8], ['abcd-efgu', 8],
    ['abcd-efg', 8], ['abcd-efgh-j', 8], ['abcd_efgh', 8], ['zzzz-zzzz-zzzz-zzzz', 16]] as [string, number][])
    .map(([t, length]) => ({ typed: t, length, normalized: refusedAsNull(() => normalizeTypedCode(t, length)) }));
  return { short_codes: short, recovery_code_entry: recovery, crockford: crock, typed_codes: typed };
}

function refusedAsNull(f: () => string): string | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof CryptoError && e.code === 'invalid_code') return null;
    throw e;
  }
}

// The C++ catalogue's name for each refusal (invalid_encoding there is bad hex or a bad length).
function cppError(code: CryptoErrorCode): string {
  return code === 'bad_hex' || code === 'bad_length' ? 'invalid_encoding' : code;
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CryptoError) return cppError(e.code);
    throw e;
  }
  throw new Error('client vectors: a known-bad input was accepted');
}

function invalidEncodings(): JsonObject {
  const points = [
    // RFC 9496 §A.2: non-canonical field encodings, negative, non-square x², negative xy, s = −1 …
    '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20',
    'c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562',
    'f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371',
    '3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e',
    // Bit 255 set: G, and the identity. RFC 9496 §4.3.1 refuses any s ≥ p; libsodium 1.0.18
    // ignores that bit (so every point has a second encoding, and 00…80 is an identity that is
    // not 32 zero bytes), later versions refuse it.
    'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2df6',
    '0000000000000000000000000000000000000000000000000000000000000080',
    // A 31-byte encoding. (Upper-case hex is not listed: the C++ point::from_hex accepts it, where
    // the chain's codec and this client refuse it.)
    'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d',
  ].map((h): Json => ({ hex: h, error: refusal(() => pointFromHex(h, { allowIdentity: true })) }));
  const scalars = [
    'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', // ℓ
    'f0d3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', // ℓ + 3
    '0000000000000000000000000000000000000000000000000000000000000020', // 2^253
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  ].map((h): Json => ({ hex: h, error: refusal(() => scalarFromHex(h)) }));
  return { points, identity: hex(IDENTITY),
    identity_note: 'the identity decodes (sums and shares may be it) but is refused for ballot points, token '
      + 'elements and public keys', scalars };
}

function cloneBallot(b: Ballot): Ballot {
  const range = (p: RangeProof): RangeProof => ({ c: p.c.map((x) => x.slice()), s: p.s.map((x) => x.slice()) });
  return {
    round: b.round, vk: b.vk.slice(), token: b.token.slice(), sig: b.sig.slice(),
    contests: b.contests.map((c): ContestBallot => ({
      id: c.id,
      selections: c.selections.map((s) => ({ alpha: s.alpha.slice(), beta: s.beta.slice(), proof: range(s.proof) })),
      limit_proof: range(c.limit_proof),
    })),
  };
}

// Known-bad ballots, one defect each, with the error and field this verifier names: the C++
// verify_ballot must name the same (vectors_test.cpp checks it).
function invalidBallots(sid: Bytes, X: Bytes, specs: ContestSpec[], good: Ballot): Json[] {
  const one = scalarFromInt(1);
  const tampers: [string, (b: Ballot) => void][] = [
    ['signature byte flipped', (b) => { b.sig[20]! ^= 0x80; }],
    ['0/1 proof challenge changed', (b) => { b.contests[1]!.selections[2]!.proof.c[1] = scalarAdd(b.contests[1]!.selections[2]!.proof.c[1]!, one); }],
    ['0/1 proof response changed', (b) => { b.contests[2]!.selections[0]!.proof.s[0] = scalarAdd(b.contests[2]!.selections[0]!.proof.s[0]!, one); }],
    ['limit proof challenge changed', (b) => { b.contests[1]!.limit_proof.c[0] = scalarAdd(b.contests[1]!.limit_proof.c[0]!, one); }],
    ['selections of two options swapped', (b) => {
      const s = b.contests[0]!.selections;
      [s[1], s[2]] = [s[2]!, s[1]!];
    }],
    ['beta moved by G (a 0 made a 1)', (b) => { b.contests[0]!.selections[1]!.beta = add(b.contests[0]!.selections[1]!.beta, basePoint()); }],
    ['alpha repeated within a contest', (b) => { b.contests[2]!.selections[1] = b.contests[2]!.selections[0]!; }],
    ['identity beta', (b) => { b.contests[1]!.selections[0]!.beta = IDENTITY.slice(); }],
    ['identity alpha', (b) => { b.contests[0]!.selections[2]!.alpha = IDENTITY.slice(); }],
    ['contest id changed', (b) => { b.contests[2]!.id = 'dept-9'; }],
    ['contests in another order', (b) => { [b.contests[0], b.contests[1]] = [b.contests[1]!, b.contests[0]!]; }],
    ['a selection missing', (b) => { b.contests[1]!.selections.pop(); }],
    ['a contest missing', (b) => { b.contests.pop(); }],
    ['proof list too long', (b) => { b.contests[0]!.selections[0]!.proof.s.push(one); }],
    ['limit proof list too short', (b) => { b.contests[2]!.limit_proof.s.pop(); }],
    ['cast for another round', (b) => { b.round += 1; }],
    ['another vk', (b) => { b.vk = signKeyPair(new DeterministicRng(sha256(utf8('another vk')))).publicKey; }],
  ];
  return tampers.map(([defect, apply]): Json => {
    const bad = cloneBallot(good);
    apply(bad);
    const check = verifyBallot(sid, X, specs, bad);
    if (check.ok) throw new Error(`client vectors: tampered ballot verified: ${defect}`);
    return { defect, cast: ballotToJson(bad) as Json, error: check.error, field: check.field };
  });
}

// --- §3.7 results, as server/core/src/rules.cpp computes them, for the rules these rounds use.

type Rule =
  | { kind: 'evaluation'; pass_grades: number; weights: number[] | null }
  | { kind: 'motion'; base: 'members' | 'present' | 'ballots'; num: number; den: number; inclusive: boolean }
  | { kind: 'selection'; num: number; den: number; inclusive: boolean };

function ruleJson(r: Rule): JsonObject {
  if (r.kind === 'evaluation') return { pass_grades: r.pass_grades, weights: r.weights };
  if (r.kind === 'motion') return { base: r.base, num: r.num, den: r.den, inclusive: r.inclusive };
  return { num: r.num, den: r.den, inclusive: r.inclusive };
}

function meets(lhs: number, rhs: number, inclusive: boolean): boolean {
  return inclusive ? lhs >= rhs : lhs > rhs;
}

function results(r: Rule, specs: ContestSpec[], counts: number[][], ballots: number, present: number,
  members: number): Json[] {
  if (r.kind === 'evaluation') {
    const rows = specs.map((spec, k) => {
      const c = counts[k]!;
      let grade: number | null = null;
      let rate: number | null = null;
      let score: number | null = null;
      if (ballots > 0) {
        let cumulative = 0;
        for (let g = 0; g < c.length && grade === null; g++) {
          cumulative += c[g]!;
          if (cumulative * 2 > ballots) grade = g;
        }
        const passing = c.slice(0, r.pass_grades).reduce((a, b) => a + b, 0);
        rate = Math.floor((10000 * passing) / ballots);
        if (r.weights !== null) {
          const weighted = c.reduce((a, n, i) => a + r.weights![i]! * n, 0);
          score = Math.floor((100 * weighted) / ballots);
        }
      }
      return { id: spec.id, counts: c, grade, passed: grade !== null && grade < r.pass_grades, rate_bp: rate,
        score_x100: score };
    });
    const keys = rows.map((row) => (r.weights !== null ? row.score_x100 : row.rate_bp));
    return rows.map((row, k): Json => {
      const key = keys[k];
      const rank = key === null || key === undefined ? null
        : 1 + keys.filter((other) => other !== null && other !== undefined && other > key).length;
      return { ...row, rank };
    });
  }
  if (r.kind === 'motion') {
    const base = r.base === 'members' ? members : r.base === 'present' ? present : ballots;
    return specs.map((spec, k): Json => ({ id: spec.id, counts: counts[k]!,
      passed: ballots > 0 && meets(counts[k]![0]! * r.den, base * r.num, r.inclusive) }));
  }
  return specs.map((spec, k): Json => {
    const c = counts[k]!;
    const selected: number[] = [];
    const tied: number[] = [];
    if (ballots > 0) {
      const qualified = c.map((_, i) => i).filter((i) => meets(c[i]! * r.den, ballots * r.num, r.inclusive));
      qualified.sort((a, b) => c[b]! - c[a]! || a - b);
      if (qualified.length <= spec.max) {
        selected.push(...qualified);
      } else if (spec.max > 0) {
        const lastIn = c[qualified[spec.max - 1]!]!;
        if (c[qualified[spec.max]!] === lastIn) {
          for (const i of qualified) {
            if (c[i]! > lastIn) selected.push(i);
            if (c[i] === lastIn) tied.push(i);
          }
        } else {
          selected.push(...qualified.slice(0, spec.max));
        }
      }
    }
    return { id: spec.id, counts: c, selected, tied };
  });
}

// --- the session these vectors play

interface Member {
  id: string;
  name: string;
  seat: string;
}

interface RoundPlan {
  round: number;
  title: string;
  rule: Rule;
  labels: string[];
  contests: (ContestSpec & { title: string })[];
  tokenHolders: string[]; // in request order
  votes: [string, number[][]][]; // member → selected option indices per contest, in casting order
}

const MEMBERS: Member[] = [
  { id: 'c01', name: '赵敏', seat: 'A1' }, { id: 'c02', name: '钱进', seat: 'A2' },
  { id: 'c03', name: '孙丽', seat: 'A3' }, { id: 'c04', name: '李强', seat: 'B1' },
  { id: 'c05', name: 'Zhou Wen', seat: 'B2' },
];
const SCRUTINEERS = ['c01', 'c03'];
const EVALUATION = ['满意', '基本满意', '不满意'];

const PLANS: RoundPlan[] = [
  {
    round: 1,
    title: '对三个部门的满意度测评',
    rule: { kind: 'evaluation', pass_grades: 2, weights: [100, 60, 0] },
    labels: EVALUATION,
    contests: [
      { id: 'dept-1', title: '县民政局', options: 3, min: 1, max: 1 },
      { id: 'dept-2', title: '县交通运输局', options: 3, min: 1, max: 1 },
      { id: '县卫生健康局', title: '县卫生健康局', options: 3, min: 1, max: 1 },
    ],
    tokenHolders: ['c02', 'c01', 'c04', 'c03', 'c05'], // c04 takes a token and does not vote
    votes: [
      ['c03', [[1], [2], [0]]],
      ['c01', [[0], [1], [2]]],
      ['c05', [[0], [1], [1]]],
      ['c02', [[0], [0], [1]]],
    ],
  },
  {
    round: 2,
    title: '关于批准县级预算调整方案的决议',
    rule: { kind: 'motion', base: 'members', num: 1, den: 2, inclusive: false },
    labels: ['赞成', '反对', '弃权'],
    contests: [{ id: 'motion-1', title: '预算调整方案', options: 3, min: 1, max: 1 }],
    tokenHolders: ['c02', 'c03', 'c04'],
    votes: [
      ['c04', [[2]]],
      ['c02', [[0]]],
      ['c03', [[0]]],
    ],
  },
  {
    round: 3,
    title: '推选明年述职的部门负责人',
    rule: { kind: 'selection', num: 1, den: 2, inclusive: false },
    labels: ['周明', '吴刚', '郑丽', '孙强'],
    contests: [{ id: 's1', title: '述职人选', options: 4, min: 0, max: 2 }],
    tokenHolders: ['c01', 'c02', 'c04', 'c05'],
    votes: [
      ['c01', [[0, 3]]],
      ['c02', [[]]], // abstains on every candidate
      ['c04', [[3]]],
      ['c05', [[3, 1]]],
    ],
  },
];

interface TrusteeEntry {
  id: string;
  name: string;
  x: Bytes;
  key: Bytes;
}

function utf8Compare(a: string, b: string): number {
  const x = utf8(a);
  const y = utf8(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

export function makeClientVectors(): JsonObject {
  const items = new Items();
  const doc: JsonObject = {};
  doc.description = 'pingyi/1 cross-implementation test vectors made by the browser client '
    + '(client-web/test/crypto/client-vectors.ts) with the schema of pingyi-v1.json, checked by '
    + 'tests/unit/crypto/vectors_test.cpp and client_vectors_test.cpp. Hex is lower case; points and scalars are '
    + '32 bytes; ids are hashed as UTF-8; session_id is the SHA-256 of the genesis line; choices are 0/1 per option '
    + '(choice_indices: the options selected). server_key_seed and device_seed are Ed25519 '
    + 'seeds; every other *_seed (ephemeral_seed included) is a DeterministicRng seed, as in pingyi-v1.json.';
  doc.protocol = 'pingyi/1';
  doc.rng = {
    master_seed: hex(items.master),
    master_seed_input: MASTER_LABEL,
    item_seed: 'SHA-256(master_seed ‖ UTF-8 label)',
    draw: 'draw i (0, 1, …) of n bytes = randombytes_buf_deterministic(n, SHA-512(seed ‖ I2OSP(i, 8))[0..32])',
    scalar: 'one 64-byte draw reduced mod ℓ (scalar_reduce); a non-zero scalar draws again on zero',
    ed25519_key: 'one 32-byte draw used as the crypto_sign_seed_keypair seed',
    order: 'range proof: w, then c_j and s_j for each j ≠ v in lo..hi; ballot: per contest, per option r_i (non-zero) '
      + 'then that selection\'s proof, then the limit proof; trustee and decryption proofs: w (non-zero), one '
      + 'stream per trustee and round, contest by contest, option by option; VOPRF: blind (non-zero), proof nonce r '
      + '(non-zero); recovery code: one 20-byte draw',
  };
  doc.hashing = hashingVectors();
  doc.codes = codesVectors(items);

  // --- Session keys and genesis (§3.6) ---
  const serverItem = items.rng('server-signing-key');
  const server = signKeyPair(serverItem.rng);
  const tokenSeed = sha256(utf8('pingyi-v1 client token key seed'));
  const tokenInfo = utf8('pingyi client token key');
  const tokenKey = deriveKeyPair(tokenSeed, tokenInfo);
  const chain = new ChainWriter();
  const nonce = items.rng('genesis-nonce').rng.bytes(32);
  chain.append('genesis', {
    protocol: 'pingyi/1', title: '某市政协常委会 客户端测试向量', committee: '某市政协常务委员会', date: '2026-11-23',
    nonce: hex(nonce), server_key: hex(server.publicKey), token_key: hex(tokenKey.pk),
    members: MEMBERS.map((m): Json => ({ id: m.id, name: m.name, seat: m.seat })),
    quorum: { num: 1, den: 2 }, scrutineers: SCRUTINEERS,
  });
  const sid = lineHash(chain.lines[0]!);
  doc.session = {
    server_key_seed: hex(server.secretKey.slice(0, 32)), server_key_rng_seed: hex(serverItem.seed),
    server_key: hex(server.publicKey),
    token_key: { seed: hex(tokenSeed), info: hex(tokenInfo), sk: hex(tokenKey.sk), pk: hex(tokenKey.pk) },
    genesis_nonce_seed: hex(items.rng('genesis-nonce').seed), genesis_line: chain.lines[0]!, session_id: hex(sid),
  };

  // --- Key ceremony (§3.5): the server's random share, each scrutineer's from a paper code ---
  const serverKeyItem = items.rng('trustee-server-key');
  const serverX = randomScalar(serverKeyItem.rng);
  const trustees: TrusteeEntry[] = [{ id: 'server', name: 'server', x: serverX, key: mulBase(serverX) }];
  const scrutineersJson: JsonObject[] = [];
  for (const id of SCRUTINEERS) {
    const codeItem = items.rng(`recovery-code-${id}`);
    const code = newRecoveryCode(codeItem.rng);
    const x = trusteeSecret(sid, code);
    const entry = { id, name: MEMBERS.find((m) => m.id === id)!.name, x, key: mulBase(x) };
    trustees.push(entry);
    scrutineersJson.push({ id, code_seed: hex(codeItem.seed), code, code_display: displayRecoveryCode(code),
      x: hex(x) });
  }
  const trusteeLines: JsonObject[] = [];
  for (const t of trustees) {
    const proofItem = items.rng(`trustee-proof-${t.id}`);
    const { key, proof } = trusteeProof(sid, t.id, t.x, proofItem.rng);
    must(verifyTrusteeProof(sid, t.id, key, proof), `trustee proof ${t.id}`);
    must(hex(key) === hex(t.key), `trustee key ${t.id}`);
    chain.append('trustee', { id: t.id, name: t.name, key: hex(key), proof: proofJson(proof) });
    trusteeLines.push({ id: t.id, proof_seed: hex(proofItem.seed), proof: proofJson(proof) });
  }
  for (const s of scrutineersJson) {
    const t = trustees.find((e) => e.id === s.id)!;
    s.key = hex(t.key);
    s.proof_seed = trusteeLines.find((l) => l.id === s.id)!.proof_seed!;
  }
  const X = electionKey(trustees.map((t) => t.key));
  chain.append('election_key', { trustees: trustees.map((t) => t.id), key: hex(X) });
  doc.trustees = {
    server_x: hex(serverX), server_x_seed: hex(serverKeyItem.seed), server_key: hex(trustees[0]!.key),
    scrutineers: scrutineersJson, election_key: hex(X), proofs: trusteeLines,
  };

  // --- Rounds defined, then check-ins (§2) ---
  for (const plan of PLANS) {
    chain.append('round', {
      round: plan.round, title: plan.title, kind: plan.rule.kind,
      contests: plan.contests.map((c): Json => ({ id: c.id, title: c.title, options: plan.labels.slice(0, c.options),
        min: c.min, max: c.max })),
      rule: ruleJson(plan.rule),
    });
  }
  const devices = new Map<string, { publicKey: Bytes; secretKey: Bytes }>();
  doc.check_ins = MEMBERS.map((m): Json => {
    const item = items.rng(`device-${m.id}`);
    const device = signKeyPair(item.rng);
    const message = checkinMessage(sid, m.id, device.publicKey);
    const sig = signDetached(message, device.secretKey);
    must(verifyDetached(sig, message, device.publicKey), `check-in ${m.id}`);
    chain.append('check_in', { member: m.id, device_key: hex(device.publicKey), sig: hex(sig) });
    devices.set(m.id, device);
    return { member: m.id, device_seed: hex(device.secretKey.slice(0, 32)), device_rng_seed: hex(item.seed),
      device_key: hex(device.publicKey), message: hex(message),
      sig: hex(sig) };
  });

  // --- Each round: open, tokens, ballots, close, decrypt, result, reveal ---
  let invalid: JsonObject | null = null;
  doc.rounds = PLANS.map((plan): Json => {
    const specs: ContestSpec[] = plan.contests.map((c) => ({ id: c.id, options: c.options, min: c.min, max: c.max }));
    chain.append('round_opened', { round: plan.round, present: MEMBERS.length });

    const ephemeral = new Map<string, { ske: Bytes; vk: Bytes; N: Bytes }>();
    const tokens = plan.tokenHolders.map((member): Json => {
      const label = `round-${plan.round}-${member}`;
      const ephItem = items.rng(`ephemeral-${label}`);
      const eph = signKeyPair(ephItem.rng);
      const input = tokenInput(sid, plan.round, eph.publicKey);
      const blindItem = items.rng(`blind-${label}`);
      const b = blind(input, blindItem.rng);
      const requestMessage = tokenRequestMessage(sid, plan.round, b.blinded);
      const requestSig = signDetached(requestMessage, devices.get(member)!.secretKey);
      const issueItem = items.rng(`issue-${label}`);
      const ev = blindEvaluate(tokenKey.sk, tokenKey.pk, [b.blinded], issueItem.rng);
      const N = finalizeToken(input, b.blind, b.blinded, ev.evaluated[0]!, ev.proof, tokenKey.pk);
      chain.append('token', { round: plan.round, member, blinded: hex(b.blinded), request_sig: hex(requestSig),
        evaluated: hex(ev.evaluated[0]!), proof: proofJson(ev.proof) });
      ephemeral.set(member, { ske: eph.secretKey, vk: eph.publicKey, N });
      return { member, ephemeral_seed: hex(ephItem.seed), vk: hex(eph.publicKey), input: hex(input),
        blind_seed: hex(blindItem.seed), blind: hex(b.blind), blinded: hex(b.blinded),
        request_message: hex(requestMessage), request_sig: hex(requestSig), issue_seed: hex(issueItem.seed),
        evaluated: hex(ev.evaluated[0]!), proof: proofJson(ev.proof), token: hex(N) };
    });

    const cast: Ballot[] = [];
    const ballots = plan.votes.map(([member, indices]): Json => {
      const label = `round-${plan.round}-${member}`;
      const tok = ephemeral.get(member)!;
      const ballotItem = items.rng(`ballot-${label}`);
      const b = buildBallot({ sessionId: sid, round: plan.round, electionKey: X, contests: specs, choices: indices,
        vk: tok.vk, ske: tok.ske, token: tok.N, rng: ballotItem.rng });
      must(verifyBallot(sid, X, specs, b).ok, `ballot ${label}`);
      if (invalid === null && plan.round === 1) {
        invalid = { ...invalidEncodings(), ballots_round: plan.round, ballots: invalidBallots(sid, X, specs, b) };
      }
      const T = hashToGroupVoprf(tokenInput(sid, plan.round, b.vk));
      const tpItem = items.rng(`token-proof-${label}`);
      const tokenProof = proveToken(tokenKey.sk, tokenKey.pk, T, b.token, tpItem.rng);
      must(verifyTokenProof(tokenKey.pk, sid, plan.round, b.vk, b.token, tokenProof), `token proof ${label}`);
      const wire = ballotToJson(b) as { round: number; vk: string; token: string; contests: Json; sig: string };
      const line = chain.append('ballot', { round: wire.round, vk: wire.vk, token: wire.token,
        token_proof: proofJson(tokenProof), contests: wire.contests, sig: wire.sig });
      const h = lineHash(line);
      const seq = chain.lines.length - 1;
      cast.push(b);
      const choices = specs.map((spec, k) => Array.from({ length: spec.options }, (_, i) => (indices[k]!.includes(i) ? 1 : 0)));
      return { member, choices, choice_indices: indices, ballot_seed: hex(ballotItem.seed),
        token_proof_seed: hex(tpItem.seed), cast: wire as unknown as Json,
        digest: hex(ballotDigest(sid, b.round, b.vk, b.contests)), token_point: hex(T),
        token_proof: proofJson(tokenProof),
        receipt: { seq, hash: hex(h), sig: hex(signDetached(headMessage(sid, seq, h), server.secretKey)) },
        receipt_code: receiptCode(h) };
    });

    // round_closed: declarations sorted by member id (UTF-8 byte order), sums per option.
    const vmsg = votedMessage(sid, plan.round);
    const voted = plan.votes.map(([member]) => member).sort(utf8Compare)
      .map((member): Json => ({ member, sig: hex(signDetached(vmsg, devices.get(member)!.secretKey)) }));
    const sums = specs.map((spec, k) => Array.from({ length: spec.options }, (_, i) => {
      let A = IDENTITY;
      let B = IDENTITY;
      for (const b of cast) {
        A = add(A, b.contests[k]!.selections[i]!.alpha);
        B = add(B, b.contests[k]!.selections[i]!.beta);
      }
      return { A, B };
    }));
    const closedLine = chain.append('round_closed', {
      round: plan.round, present: MEMBERS.length, tokens: plan.tokenHolders.length, ballots: cast.length, voted,
      sums: specs.map((spec, k): Json => ({ id: spec.id, options: sums[k]!.map((s): Json => ({ alpha: hex(s.A),
        beta: hex(s.B) })) })),
    });
    const closedHash = lineHash(closedLine);

    // Joint decryption: every trustee, every option, one stream per trustee and round.
    const shares = specs.map((spec) => Array.from({ length: spec.options }, () => [] as Bytes[]));
    const decryptionSeeds = trustees.map((t): Json => {
      const item = items.rng(`decrypt-round-${plan.round}-${t.id}`);
      const contests = specs.map((spec, k): Json => ({
        id: spec.id,
        options: Array.from({ length: spec.options }, (_, i): Json => {
          const ctx: ShareContext = { sessionId: sid, closedHash, round: plan.round, contestId: spec.id, option: i,
            trusteeId: t.id, trusteeKey: t.key };
          const A = sums[k]![i]!.A;
          const share = decryptionShare(ctx, t.x, A, item.rng);
          must(verifyDecryptionShare(ctx, A, share.share, share.proof), `share ${t.id} ${spec.id}[${i}]`);
          shares[k]![i]!.push(share.share);
          return { share: hex(share.share), proof: proofJson(share.proof) };
        }),
      }));
      chain.append('decryption', { round: plan.round, trustee: t.id, shares: contests });
      return { trustee: t.id, share_seed: hex(item.seed) };
    });

    const counts = specs.map((spec, k) => sums[k]!.map((s, i) => {
      const count = recoverCount(combineShares(s.B, shares[k]![i]!), cast.length);
      if (count === null) throw new Error(`client vectors: no count for ${spec.id}[${i}]`);
      return count;
    }));
    chain.append('result', { round: plan.round, ballots: cast.length, present: MEMBERS.length,
      undeclared: cast.length - voted.length,
      contests: results(plan.rule, specs, counts, cast.length, MEMBERS.length, MEMBERS.length) });
    chain.append('revealed', { round: plan.round });

    return {
      round: plan.round, kind: plan.rule.kind,
      contests: specs.map((c): Json => ({ id: c.id, options: c.options, min: c.min, max: c.max })),
      tokens, ballots, voted_messages: { message: hex(vmsg) }, closed_hash: hex(closedHash),
      comparison_code: comparisonCode(closedHash), decryption_seeds: decryptionSeeds,
      counts: specs.map((spec, k): Json => ({ id: spec.id, counts: counts[k]! })),
    };
  });
  chain.append('adjourned', {});
  doc.invalid = invalid!;
  doc.chain = chain.lines.map((line, seq): Json => {
    const h = lineHash(line);
    return { line, hash: hex(h), head_sig: hex(signDetached(headMessage(sid, seq, h), server.secretKey)) };
  });
  return reorder(doc);
}

// pingyi-v1.json's section order, so the two files read alike.
function reorder(doc: JsonObject): JsonObject {
  const order = ['description', 'protocol', 'rng', 'hashing', 'codes', 'session', 'trustees', 'check_ins', 'invalid',
    'rounds', 'chain'];
  const out: JsonObject = {};
  for (const k of order) out[k] = doc[k]!;
  return out;
}

// The file's exact text: one space of indentation, as pingyi-v1.json, and a final newline.
export function clientVectorsText(): string {
  return `${JSON.stringify(makeClientVectors(), null, 1)}\n`;
}
