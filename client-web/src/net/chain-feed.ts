// The public feed of a session's chain (docs/PROTOCOL.md §6), as the observer and the projector
// follow it: `record` pushes kept in seq order, exactly as received (the lines are what gets
// hashed, verified and downloaded), resumed after a reconnect from the last seq + 1.

import { ReconnectingSocket, type ConnState, type Message } from './socket';

export interface ChainRecord {
  seq: number;
  line: string;
  /** The server's signed head at this seq (hex). */
  sig?: string;
}

/** Reads a `record` push; null for anything else or a malformed one. */
export function parseRecordPush(message: Message): ChainRecord | null {
  if (message.type !== 'record') return null;
  const { seq, line, sig } = message;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || typeof line !== 'string') return null;
  if (sig !== undefined && typeof sig !== 'string') return null;
  return sig === undefined ? { seq, line } : { seq, line, sig };
}

export interface RecordHeader {
  seq: number | null;
  time: string;
  type: string;
}

// Every line begins {"seq":…,"prev":…,"time":…,"type":… in that order (DESIGN.md §3.6), so a
// page reads a record's header from the start of the line without parsing a 200 KB ballot. The
// verifier parses every line in full; a line this does not match is shown as unreadable.
const HEADER = /^\{"seq":(\d{1,16}),"prev":"[0-9a-f]{64}","time":"([0-9T:.Z-]{1,40})","type":"([a-z_]{1,32})"/;

export function readRecordHeader(line: string): RecordHeader {
  const m = HEADER.exec(line.slice(0, 256));
  if (!m) return { seq: null, time: '', type: '' };
  return { seq: Number(m[1]), time: m[2]!, type: m[3]! };
}

export type AcceptResult = 'appended' | 'repeat' | 'conflict' | 'gap';

/** The records received so far, without gaps. */
export class ChainFeed {
  private readonly lines: string[] = [];
  private readonly sigs: (string | undefined)[] = [];

  /** The next seq expected: the `from` of a resumed subscription. */
  get next(): number {
    return this.lines.length;
  }

  /** Takes a record in order. A repeat (an overlap after reconnecting) is dropped; a repeat
   *  with another line is a conflict — the server has shown two chains — which the caller hands
   *  to the verifier to report; a gap means records were missed, and the caller subscribes again
   *  from `next`. The first line received for a seq is the one kept. */
  accept(record: ChainRecord): AcceptResult {
    if (record.seq < this.lines.length) return this.lines[record.seq] === record.line ? 'repeat' : 'conflict';
    if (record.seq > this.lines.length) return 'gap';
    this.lines.push(record.line);
    this.sigs.push(record.sig);
    return 'appended';
  }

  line(seq: number): string | undefined {
    return this.lines[seq];
  }

  sig(seq: number): string | undefined {
    return this.sigs[seq];
  }

  /** Records from..to (exclusive), as the verifier takes them. */
  records(from: number, to = this.lines.length): ChainRecord[] {
    const out: ChainRecord[] = [];
    for (let seq = Math.max(0, from); seq < Math.min(to, this.lines.length); seq++) {
      const sig = this.sigs[seq];
      out.push(sig === undefined ? { seq, line: this.lines[seq]! } : { seq, line: this.lines[seq]!, sig });
    }
    return out;
  }

  /** The first `count` lines, as stored on the server (for the download). */
  linesUpTo(count: number): string[] {
    return this.lines.slice(0, Math.max(0, count));
  }
}

export interface FollowHandlers {
  /** New records, in order, batched (several pushes of one task arrive together). */
  onRecords: (records: ChainRecord[]) => void;
  /** Any other push (`progress`, `error`). A `progress` push also marks the end of a catch-up. */
  onPush?: (message: Message) => void;
  onState?: (state: ConnState) => void;
  /** The first `progress` push of a connection: the stored records before it have all arrived. */
  onCaughtUp?: () => void;
}

/** Subscribes to /observe for `session`, resuming from the feed's next seq on every connection.
 *  Returns the function that stops it. */
export function followChain(session: string, feed: ChainFeed, handlers: FollowHandlers): () => void {
  let pending: ChainRecord[] = [];
  let flushScheduled = false;
  let caughtUpThisConnection = false;
  const flush = () => {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length > 0) handlers.onRecords(batch);
  };
  let socket: ReconnectingSocket;
  const resubscribe = () => {
    // Stopping and starting again drops the connection that missed a record; the new one asks
    // from the feed's next seq.
    socket.stop();
    socket.start();
  };
  socket = new ReconnectingSocket({
    path: () => `/observe?session=${session}&from=${feed.next}`,
    onState: (state) => {
      if (state === 'connecting') caughtUpThisConnection = false;
      handlers.onState?.(state);
    },
    onPush: (message) => {
      const record = parseRecordPush(message);
      if (record) {
        const accepted = feed.accept(record);
        // A conflicting repeat goes to the verifier too: it compares it with the record it
        // verified at that seq and reports the fork.
        if (accepted === 'appended' || accepted === 'conflict') {
          pending.push(record);
          if (!flushScheduled) {
            flushScheduled = true;
            setTimeout(flush, 0);
          }
        } else if (accepted === 'gap') {
          resubscribe();
        }
        return;
      }
      if (message.type === 'progress' && !caughtUpThisConnection) {
        caughtUpThisConnection = true;
        flush();
        handlers.onCaughtUp?.();
      }
      handlers.onPush?.(message);
    },
  });
  socket.start();
  return () => {
    socket.stop();
    pending = [];
  };
}
