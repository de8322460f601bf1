// A proof worker: checks the ballots the fold worker sends it (token proof, 0/1 and limit
// proofs, signature) and answers with a verdict, in whatever order they come. It holds no
// state: the ballot (as the fold decoded it) and everything it is checked against travel with
// it, and the verdict names that context, so the fold uses it only if its own state agrees.
import { checkBallotProofs, contextKey } from './ballot-check';
import { Refusal } from './refusal';
import type { BallotChecked, CheckBallot } from './protocol';

export function checkBallotRequest(m: CheckBallot): BallotChecked {
  const context = contextKey(m.ballot.round, m.context);
  try {
    const refusal = checkBallotProofs(m.context, m.ballot);
    return { type: 'verdict', seq: m.seq, context, error: refusal === null ? null : plain(refusal) };
  } catch (e) {
    // Nothing a ballot holds makes the checks throw; a throw is a defect the fold must not take
    // for a verdict on the ballot, so it is reported as one.
    const refusal = e instanceof Refusal ? e : new Refusal('INTERNAL', '', e instanceof Error ? e.message : String(e));
    return { type: 'verdict', seq: m.seq, context, error: plain(refusal) };
  }
}

function plain(r: Refusal): { code: string; field: string; message: string } {
  return { code: r.code, field: r.field, message: r.message };
}

/** Answers every `ballot` message arriving on the port from the fold worker. */
export function serveProofs(fold: MessagePort): void {
  fold.onmessage = (e: MessageEvent<unknown>) => {
    const m = e.data as CheckBallot;
    if (m?.type !== 'ballot') return;
    fold.postMessage(checkBallotRequest(m));
  };
}
