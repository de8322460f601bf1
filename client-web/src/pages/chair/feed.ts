// The chair connection's record feed: `record` pushes in seq order from the hello's `from`
// (docs/PROTOCOL.md §3), handed on to the verifier, and the seq to resume from after a
// reconnect. A push that repeats a seq already received is dropped; one that skips ahead means
// records were lost, which the protocol rules out, so the feed asks to start again from the
// first missing seq rather than hand the verifier a gap.

export interface RecordPush {
  seq: number;
  line: string;
  sig: string;
}

/** A `record` push, or null when the message is not one. */
export function parseRecordPush(m: Record<string, unknown>): RecordPush | null {
  if (m.type !== 'record') return null;
  const { seq, line, sig } = m;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return null;
  if (typeof line !== 'string' || typeof sig !== 'string') return null;
  return { seq, line, sig };
}

export type FeedVerdict = 'accepted' | 'repeat' | 'gap';

export class RecordFeed {
  #next = 0;

  /** The seq the next hello asks for (`from`). */
  get next(): number {
    return this.#next;
  }

  /** Whether the push is the next record (and so goes to the verifier), a repeat, or a gap. */
  take(push: RecordPush): FeedVerdict {
    if (push.seq < this.#next) return 'repeat';
    if (push.seq > this.#next) return 'gap';
    this.#next = push.seq + 1;
    return 'accepted';
  }
}
