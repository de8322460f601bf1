// One ballot to build (DESIGN.md §3.3), as plain data so that it can cross to a Web Worker:
// hex strings in, the wire body of POST …/ballots out. The worker and the tests run this same
// function; only the randomness differs.

import { ballotToJson, buildBallot, type ContestSpec } from '../../crypto/ballot';
import { fromHex } from '../../crypto/bytes';
import type { Rng } from '../../crypto/rng';

export interface BallotJob {
  sessionId: string;
  round: number;
  electionKey: string;
  contests: ContestSpec[];
  choices: number[][];
  vk: string;
  ske: string;
  token: string;
}

export function runBallotJob(job: BallotJob, rng: Rng): Record<string, unknown> {
  const ballot = buildBallot({
    sessionId: fromHex(job.sessionId, 32),
    round: job.round,
    electionKey: fromHex(job.electionKey, 32),
    contests: job.contests,
    choices: job.choices,
    vk: fromHex(job.vk, 32),
    ske: fromHex(job.ske, 64),
    token: fromHex(job.token, 32),
    rng,
  });
  return ballotToJson(ballot) as Record<string, unknown>;
}

/** Builds ballots off the page's thread. */
export type BallotBuilder = (job: BallotJob) => Promise<Record<string, unknown>>;
