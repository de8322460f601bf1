// Ballots (DESIGN.md §3.3): built from selected option indices, refused before any draw when the
// choices do not fit, strictly decoded from the wire, and verified field by field.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Ballot,
  type Bytes,
  type ContestSpec,
  DeterministicRng,
  ballotFromJson,
  ballotToJson,
  buildBallot,
  mulBase,
  randomScalar,
  signKeyPair,
  sodiumReady,
  toHex,
  verifyBallot,
} from '../../src/crypto';
import { codeOf } from '../support/crypto';

const evaluation: ContestSpec[] = [
  { id: 't1', options: 3, min: 1, max: 1 },
  { id: 't2', options: 3, min: 1, max: 1 },
];
const selection: ContestSpec[] = [{ id: 's1', options: 4, min: 0, max: 2 }];

// The wire form as these tests edit it (the fields they touch, loosely typed as JSON is).
interface WireBallot {
  round: unknown;
  vk: string;
  token: string;
  sig?: string;
  extra?: number;
  contests: { selections: { alpha: string }[]; limit_proof: { s: string[] } }[];
}

let sid: Bytes;
let X: Bytes;
let eph: { publicKey: Bytes; secretKey: Bytes };
let token: Bytes;

function ballot(contests: ContestSpec[], choices: number[][], rng = new DeterministicRng(new Uint8Array(32).fill(3))): Ballot {
  return buildBallot({ sessionId: sid, round: 2, electionKey: X, contests, choices, vk: eph.publicKey,
    ske: eph.secretKey, token, rng });
}

beforeAll(async () => {
  await sodiumReady();
  const rng = new DeterministicRng(new Uint8Array(32).fill(1));
  sid = rng.bytes(32);
  X = mulBase(randomScalar(rng));
  eph = signKeyPair(rng);
  token = mulBase(randomScalar(rng));
});

describe('buildBallot', () => {
  it('builds an evaluation ballot that verifies and survives its wire form', () => {
    const b = ballot(evaluation, [[0], [2]]);
    expect(verifyBallot(sid, X, evaluation, b)).toEqual({ ok: true });
    const wire = JSON.parse(JSON.stringify(ballotToJson(b))) as unknown;
    const back = ballotFromJson(wire);
    expect(ballotToJson(back)).toEqual(ballotToJson(b));
    expect(verifyBallot(sid, X, evaluation, back)).toEqual({ ok: true });
  });

  it('allows abstaining and up to max in a selection (min 0, max 2 of 4)', () => {
    for (const choice of [[], [3], [0, 2]]) {
      const b = ballot(selection, [choice]);
      expect(b.contests[0]!.limit_proof.c.length).toBe(3);
      expect(verifyBallot(sid, X, selection, b)).toEqual({ ok: true });
    }
  });

  it('is deterministic under the same draws, and different under others', () => {
    const a = ballot(selection, [[1]]);
    const b = ballot(selection, [[1]]);
    const c = ballot(selection, [[1]], new DeterministicRng(new Uint8Array(32).fill(4)));
    expect(ballotToJson(a)).toEqual(ballotToJson(b));
    expect(toHex(a.contests[0]!.selections[0]!.alpha)).not.toBe(toHex(c.contests[0]!.selections[0]!.alpha));
  });

  it('refuses choices that do not fit (out_of_range), before drawing anything', () => {
    const bad: [ContestSpec[], number[][]][] = [
      [selection, [[0, 1, 2]]], // over max
      [evaluation, [[], [0]]], // under min
      [selection, [[4]]], // no such option
      [selection, [[-1]]],
      [selection, [[1, 1]]], // the same option twice
      [selection, [[0.5]]],
      [evaluation, [[0]]], // a contest missing
      [[{ id: 'x', options: 2, min: 2, max: 1 }], [[0]]], // an impossible spec
    ];
    for (const [specs, choices] of bad) {
      const rng = new DeterministicRng(new Uint8Array(32));
      expect(codeOf(() => ballot(specs, choices, rng)), JSON.stringify(choices)).toBe('out_of_range');
      expect(rng.draws).toBe(0);
    }
  });

  it('refuses a vk that is not the public half of ske', () => {
    const other = signKeyPair(new DeterministicRng(new Uint8Array(32).fill(9)));
    expect(codeOf(() => buildBallot({ sessionId: sid, round: 2, electionKey: X, contests: selection,
      choices: [[0]], vk: other.publicKey, ske: eph.secretKey, token, rng: new DeterministicRng(new Uint8Array(32)) })))
      .toBe('invalid_signature');
  });
});

describe('verifyBallot names the failing field', () => {
  it('for a proof made under another session, round or election key', () => {
    const b = ballot(evaluation, [[1], [1]]);
    const otherSid = sid.slice();
    otherSid[0]! ^= 1;
    expect(verifyBallot(otherSid, X, evaluation, b)).toEqual({ ok: false, error: 'invalid_proof',
      field: 'contests[0].selections[0].proof' });
    expect(verifyBallot(sid, X, evaluation, { ...b, round: 3 })).toEqual({ ok: false, error: 'invalid_proof',
      field: 'contests[0].selections[0].proof' });
    expect(verifyBallot(sid, mulBase(randomScalar(new DeterministicRng(sid))), evaluation, b).ok).toBe(false);
  });

  it('for a contest spec with another min/max (the limit proof)', () => {
    const b = ballot(selection, [[0]]);
    expect(verifyBallot(sid, X, [{ id: 's1', options: 4, min: 1, max: 3 }], b)).toEqual({ ok: false,
      error: 'invalid_proof', field: 'contests[0].limit_proof' });
  });

  it('for a ballot copied under another vk (the signature, after the proofs bound to vk)', () => {
    const b = ballot(selection, [[0]]);
    const other = signKeyPair(new DeterministicRng(new Uint8Array(32).fill(8)));
    expect(verifyBallot(sid, X, selection, { ...b, vk: other.publicKey })).toEqual({ ok: false,
      error: 'invalid_proof', field: 'contests[0].selections[0].proof' });
  });
});

describe('ballotFromJson is strict', () => {
  it('refuses unknown and missing keys, bad hex, non-canonical values and an identity token', () => {
    const good = ballotToJson(ballot(selection, [[0]])) as Record<string, unknown>;
    const mutate = (f: (j: WireBallot) => void): unknown => {
      const j = JSON.parse(JSON.stringify(good)) as WireBallot;
      f(j);
      return j;
    };
    expect(codeOf(() => ballotFromJson(mutate((j) => { j.extra = 1; })))).toBe('bad_length');
    expect(codeOf(() => ballotFromJson(mutate((j) => { delete j.sig; })))).toBe('bad_length');
    expect(codeOf(() => ballotFromJson(mutate((j) => { j.sig = j.sig!.toUpperCase(); })))).toBe('bad_hex');
    expect(codeOf(() => ballotFromJson(mutate((j) => { j.sig = j.sig!.slice(2); })))).toBe('bad_length');
    expect(codeOf(() => ballotFromJson(mutate((j) => { j.token = '00'.repeat(32); })))).toBe('invalid_point');
    expect(codeOf(() => ballotFromJson(mutate((j) => { j.vk = '00'.repeat(32); })))).toBe('invalid_point');
    expect(codeOf(() => ballotFromJson(mutate((j) => { j.round = -1; })))).toBe('out_of_range');
    expect(codeOf(() => ballotFromJson(mutate((j) => { j.round = '2'; })))).toBe('out_of_range');
    expect(codeOf(() => ballotFromJson(mutate((j) => {
      j.contests[0]!.selections[0]!.alpha = 'ff'.repeat(31) + '7f';
    })))).toBe('invalid_point');
    expect(codeOf(() => ballotFromJson(mutate((j) => {
      j.contests[0]!.limit_proof.s[0] = 'ff'.repeat(32);
    })))).toBe('invalid_scalar');
    expect(codeOf(() => ballotFromJson(null))).toBe('bad_length');
  });
  it('lets an identity α through to verifyBallot, which names it', () => {
    const j = JSON.parse(JSON.stringify(ballotToJson(ballot(selection, [[0]])))) as WireBallot;
    j.contests[0]!.selections[1]!.alpha = '00'.repeat(32);
    expect(verifyBallot(sid, X, selection, ballotFromJson(j))).toEqual({ ok: false, error: 'invalid_point',
      field: 'contests[0].selections[1].alpha' });
  });
});
