// What the secretariat needs to manage an existing session, read from its chain: the roster,
// who is checked in now, the agenda so far and whether it is adjourned. This is a reading for
// the office, not a verification (the observer page and pingyi-verify verify); it still refuses
// a chain whose first line is not a genesis record.

export interface ManagedMember {
  id: string;
  name: string;
  seat: string;
  scrutineer: boolean;
  present: boolean;
}

export interface ManagedRound {
  round: number;
  title: string;
  kind: string;
}

export interface ManagedSession {
  session: string;
  title: string;
  committee: string;
  date: string;
  members: ManagedMember[];
  rounds: ManagedRound[];
  openRound: number | null;
  adjourned: boolean;
  length: number;
}

export class ChainReadError extends Error {
  constructor(
    readonly seq: number,
    detail: string,
  ) {
    super(`record ${seq}: ${detail}`);
    this.name = 'ChainReadError';
  }
}

function obj(line: string, seq: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new ChainReadError(seq, 'not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ChainReadError(seq, 'not an object');
  return parsed as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string, seq: number): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ChainReadError(seq, `${key} is not a string`);
  return v;
}

function int(o: Record<string, unknown>, key: string, seq: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ChainReadError(seq, `${key} is not an integer`);
  return v;
}

export function readManagedSession(session: string, lines: string[]): ManagedSession {
  if (lines.length === 0) throw new ChainReadError(0, 'the chain is empty');
  const genesis = obj(lines[0]!, 0);
  if (genesis.type !== 'genesis') throw new ChainReadError(0, 'is not a genesis record');
  const rawMembers = genesis.members;
  const rawScrutineers = genesis.scrutineers;
  if (!Array.isArray(rawMembers)) throw new ChainReadError(0, 'members is not a list');
  const scrutineers = new Set(Array.isArray(rawScrutineers) ? rawScrutineers.filter((s): s is string => typeof s === 'string') : []);
  const members: ManagedMember[] = rawMembers.map((m: unknown) => {
    if (!m || typeof m !== 'object') throw new ChainReadError(0, 'a member is not an object');
    const o = m as Record<string, unknown>;
    const id = str(o, 'id', 0);
    return { id, name: str(o, 'name', 0), seat: str(o, 'seat', 0), scrutineer: scrutineers.has(id), present: false };
  });
  const byId = new Map(members.map((m) => [m.id, m]));
  const rounds: ManagedRound[] = [];
  let openRound: number | null = null;
  let adjourned = false;
  for (let seq = 1; seq < lines.length; seq++) {
    const r = obj(lines[seq]!, seq);
    switch (r.type) {
      case 'check_in':
      case 'check_out': {
        const m = byId.get(str(r, 'member', seq));
        if (!m) throw new ChainReadError(seq, 'member is not on the roster');
        m.present = r.type === 'check_in';
        break;
      }
      case 'round':
        rounds.push({ round: int(r, 'round', seq), title: str(r, 'title', seq), kind: str(r, 'kind', seq) });
        break;
      case 'round_opened':
        openRound = int(r, 'round', seq);
        break;
      case 'round_closed':
        openRound = null;
        break;
      case 'adjourned':
        adjourned = true;
        break;
      default:
        break;
    }
  }
  return {
    session,
    title: str(genesis, 'title', 0),
    committee: str(genesis, 'committee', 0),
    date: str(genesis, 'date', 0),
    members,
    rounds,
    openRound,
    adjourned,
    length: lines.length,
  };
}
