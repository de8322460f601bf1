// The Web Worker that encrypts and proves a ballot (DESIGN.md §3.3), so that the tablet's page
// never freezes while a 100-target ballot is built. It holds nothing between jobs.
/// <reference lib="webworker" />

import { CryptoError } from '../../crypto/errors';
import { systemRng } from '../../crypto/rng';
import { sodiumReady } from '../../crypto/sodium';
import { type BallotJob, runBallotJob } from './ballot-job';

export type BallotWorkerRequest = { id: number; job: BallotJob };
export type BallotWorkerReply =
  | { id: number; ok: true; ballot: Record<string, unknown> }
  | { id: number; ok: false; code: string; message: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<BallotWorkerRequest>) => {
  const { id, job } = event.data;
  let reply: BallotWorkerReply;
  try {
    await sodiumReady();
    reply = { id, ok: true, ballot: runBallotJob(job, systemRng) };
  } catch (e) {
    const code = e instanceof CryptoError ? e.code : 'internal';
    reply = { id, ok: false, code, message: e instanceof Error ? e.message : String(e) };
  }
  scope.postMessage(reply);
};
