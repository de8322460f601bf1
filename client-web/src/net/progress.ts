// The `progress` push (docs/PROTOCOL.md §5): live figures for the projector's and the chair's
// counters. They are the server's word, not verified: the pages show them beside what the
// verified chain says, never instead of it.

export interface Progress {
  round: number | null;
  present: number;
  tokens: number;
  ballots: number;
  voted: number;
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** Reads a `progress` push; null when it is not one or is malformed (a broken proxy, an older
 *  server): a page then keeps what the verified chain says. */
export function parseProgress(message: Record<string, unknown>): Progress | null {
  if (message.type !== 'progress') return null;
  const round = message.round === null ? null : count(message.round);
  const present = count(message.present);
  const tokens = count(message.tokens);
  const ballots = count(message.ballots);
  const voted = count(message.voted);
  if ((round === null && message.round !== null) || present === null || tokens === null || ballots === null || voted === null) {
    return null;
  }
  return { round, present, tokens, ballots, voted };
}
