// Fixtures for the projector's and observer's models, taken from the cross-implementation vectors
// (tests/vectors/pingyi-v1.json): the session of its genesis line, and each round as its round,
// round_closed and result records state it. The models are tested on these; the verifier that
// produces the same shapes from the lines is tested on its own.
import { fromHex } from '../../src/crypto/bytes';
import { comparisonCode } from '../../src/crypto/codes';
import type { ContestInfo, ResultContest, RoundInfo, RoundKind, RoundStatus, SessionInfo } from '../../src/verify/types';
import { vectors } from '../verify/vectors';

export { vectors };

export const chainLines: string[] = vectors.chain.map((r) => r.line);
export const sessionId: string = vectors.session.session_id;

type Json = Record<string, unknown>;

function record(seq: number): Json {
  return JSON.parse(chainLines[seq]!) as Json;
}

function findRecord(type: string, round?: number): { seq: number; body: Json } {
  for (let seq = 0; seq < chainLines.length; seq++) {
    const body = record(seq);
    if (body.type === type && (round === undefined || body.round === round)) return { seq, body };
  }
  throw new Error(`no ${type} record${round === undefined ? '' : ` for round ${round}`} in the vectors`);
}

export function vectorSession(): SessionInfo {
  const g = record(0);
  const members = g.members as { id: string; name: string; seat: string }[];
  const scrutineers = g.scrutineers as string[];
  const trustees: SessionInfo['trustees'] = [];
  for (let seq = 1; seq < chainLines.length; seq++) {
    const r = record(seq);
    if (r.type === 'trustee') trustees.push({ id: r.id as string, name: r.name as string, key: r.key as string });
  }
  const checkIns = new Map<string, { key: string; seq: number }>();
  for (let seq = 1; seq < chainLines.length; seq++) {
    const r = record(seq);
    if (r.type === 'check_in') checkIns.set(r.member as string, { key: r.device_key as string, seq });
  }
  return {
    sessionId,
    title: g.title as string,
    committee: g.committee as string,
    date: g.date as string,
    serverKey: g.server_key as string,
    tokenKey: g.token_key as string,
    quorum: g.quorum as { num: number; den: number },
    scrutineers,
    members: members.map((m) => ({
      ...m,
      scrutineer: scrutineers.includes(m.id),
      present: checkIns.has(m.id),
      deviceKey: checkIns.get(m.id)?.key ?? null,
      checkInSeq: checkIns.get(m.id)?.seq ?? null,
    })),
    trustees,
    electionKey: (findRecord('election_key').body.key as string) ?? null,
    adjourned: false,
  };
}

/** Round `n` of the vectors as it stands once `status` is reached (its later records unseen). */
export function vectorRound(n: number, status: RoundStatus): RoundInfo {
  const def = findRecord('round', n);
  const order: RoundStatus[] = ['defined', 'open', 'closed', 'resulted', 'revealed'];
  const reached = (s: RoundStatus) => order.indexOf(status) >= order.indexOf(s);
  const opened = reached('open') ? findRecord('round_opened', n) : null;
  const closed = reached('closed') ? findRecord('round_closed', n) : null;
  const result = reached('resulted') ? findRecord('result', n) : null;
  const revealed = reached('revealed') ? findRecord('revealed', n) : null;
  const ballots = closed ? (closed.body.ballots as number) : 0;
  const decryptions: string[] = [];
  if (closed) {
    for (let seq = closed.seq + 1; seq < (result?.seq ?? chainLines.length); seq++) {
      const r = record(seq);
      if (r.type === 'decryption' && r.round === n) decryptions.push(r.trustee as string);
    }
  }
  const contests = result ? (result.body.contests as ResultContest[]) : null;
  return {
    round: n,
    title: def.body.title as string,
    kind: def.body.kind as RoundKind,
    contests: def.body.contests as ContestInfo[],
    rule: def.body.rule as Record<string, unknown>,
    status,
    openedSeq: opened?.seq ?? null,
    closedSeq: closed?.seq ?? null,
    resultSeq: result?.seq ?? null,
    revealedSeq: revealed?.seq ?? null,
    present: closed ? (closed.body.present as number) : opened ? (opened.body.present as number) : null,
    tokens: closed ? (closed.body.tokens as number) : 0,
    ballots,
    voted: closed ? (closed.body.voted as { member: string }[]).map((v) => v.member) : null,
    closedHash: closed ? vectors.chain[closed.seq]!.hash : null,
    comparisonCode: closed ? comparisonCode(fromHex(vectors.chain[closed.seq]!.hash)) : null,
    sumsVerified: closed !== null,
    decryptions: result ? decryptions : decryptions.slice(0, 1),
    counts: contests ? contests.map((c) => c.counts) : null,
    result: contests,
    undeclared: result ? (result.body.undeclared as number) : null,
  };
}

/** The vectors chain folded by the browser verifier up to `count` records (all by default), as
 *  the pages receive it from VerifierClient. Needs `await sodiumReady()` first. */
export async function verifiedVectors(count = chainLines.length, opts?: { corrupt?: (line: string, seq: number) => string }) {
  const { ChainVerifier } = await import('../../src/verify/chain-verifier');
  const verifier = new ChainVerifier();
  for (let seq = 0; seq < count; seq++) {
    const line = opts?.corrupt ? opts.corrupt(chainLines[seq]!, seq) : chainLines[seq]!;
    if (!verifier.push(line, vectors.chain[seq]!.head_sig).ok) break;
  }
  return {
    verifier,
    snapshot: {
      length: verifier.length,
      headHash: verifier.headHash,
      failure: verifier.failure,
      session: verifier.session(),
      rounds: verifier.rounds(),
      recordTypes: [...verifier.recordTypes],
    },
  };
}
