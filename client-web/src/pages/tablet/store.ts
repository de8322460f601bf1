// What a tablet keeps on its own disk (IndexedDB with strict durability, src/store/kv.ts), one
// session at a time: its device key, its per-round voting material and, for a scrutineer, its
// trustee secret and the decryptions it has approved. Each step of voting writes here BEFORE it
// sends anything (DESIGN.md §3.2), so a reload at any point resumes with the same values and the
// server, idempotent for identical requests, answers as the first time.
//
// Secrets stored here (the device key's seed, ske, the blind, the trustee secret x) never leave
// the tablet and are never logged.

import type { Kv } from '../../store/kv';

export interface DeviceRecord {
  /** Ed25519 seed of the long-term device key (hex, 32 bytes). */
  seed: string;
  /** Its public half (hex), registered by the check-in. */
  publicKey: string;
  /** Known once a check-in succeeded. */
  member: string | null;
  role: 'member' | 'scrutineer' | null;
  /** The device secret of the latest hello reply (hex); null before the check-in. */
  secret: string | null;
}

export interface ReceiptRecord {
  seq: number;
  hash: string;
  sig: string;
  /** False when the head signature did not verify against genesis' server key. */
  sigValid: boolean;
}

export interface RoundRecord {
  round: number;
  /** Ephemeral Ed25519 key of this round's ballot (hex): vk public, ske the 64-byte secret. */
  vk: string;
  ske: string;
  /** Token input, blind scalar and blinded element (hex), stored before `token` is sent. */
  input: string;
  blind: string;
  blinded: string;
  /** N, once the server's proof verified (hex). */
  token: string | null;
  /** Selected option indices per contest, kept until the ballot's receipt arrives, then null. */
  choices: number[][] | null;
  /** The built ballot, exactly as sent (the body of POST …/ballots), stored before sending. */
  ballot: Record<string, unknown> | null;
  receipt: ReceiptRecord | null;
  /** The server acknowledged `voted`. */
  votedAck: boolean;
}

export interface TrusteeRecord {
  /** The trustee secret x (hex scalar) and its public key x·G (hex). */
  x: string;
  key: string;
  /** The proof of possession sent with `trustee_key` (hex scalars); null when x was restored
   *  from the paper code for a key already on the chain. */
  proof: { c: string; s: string } | null;
}

export interface DecryptionRecord {
  round: number;
  /** Hex hash of the round_closed line the shares are bound to. */
  closedHash: string;
  /** The `decryption` request's shares, exactly as sent. */
  shares: { id: string; options: { share: string; proof: { c: string; s: string } }[] }[];
  /** The server acknowledged it. */
  sent: boolean;
}

/** Typed access to one session's records. Writes are applied in call order. */
export class TabletStore {
  private readonly prefix: string;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kv: Kv,
    sessionId: string,
  ) {
    this.prefix = `tablet/${sessionId}/`;
  }

  // Writes are chained so that a later state of a record never lands before an earlier one.
  write(fn: () => Promise<void>): Promise<void> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  device(): Promise<DeviceRecord | undefined> {
    return this.kv.get<DeviceRecord>(`${this.prefix}device`);
  }

  putDevice(d: DeviceRecord): Promise<void> {
    return this.write(() => this.kv.put(`${this.prefix}device`, d));
  }

  /** What the tablet holds as one member. A tablet reset and handed to another member keeps
   *  its device key, but never sees the first member's tokens, receipts or trustee secret. */
  member(member: string): MemberStore {
    return new MemberStore(this.kv, `${this.prefix}member/${encodeURIComponent(member)}/`, this);
  }
}

export class MemberStore {
  constructor(
    private readonly kv: Kv,
    private readonly prefix: string,
    private readonly writer: TabletStore,
  ) {}

  private async all<T>(kind: string): Promise<T[]> {
    const keys = await this.kv.keys(`${this.prefix}${kind}/`);
    const out: T[] = [];
    for (const key of keys) {
      const r = await this.kv.get<T>(key);
      if (r) out.push(r);
    }
    return out;
  }

  async rounds(): Promise<RoundRecord[]> {
    return (await this.all<RoundRecord>('round')).sort((a, b) => a.round - b.round);
  }

  putRound(r: RoundRecord): Promise<void> {
    return this.writer.write(() => this.kv.put(`${this.prefix}round/${r.round}`, r));
  }

  trustee(): Promise<TrusteeRecord | undefined> {
    return this.kv.get<TrusteeRecord>(`${this.prefix}trustee`);
  }

  putTrustee(r: TrusteeRecord): Promise<void> {
    return this.writer.write(() => this.kv.put(`${this.prefix}trustee`, r));
  }

  async decryptions(): Promise<DecryptionRecord[]> {
    return (await this.all<DecryptionRecord>('decryption')).sort((a, b) => a.round - b.round);
  }

  putDecryption(r: DecryptionRecord): Promise<void> {
    return this.writer.write(() => this.kv.put(`${this.prefix}decryption/${r.round}`, r));
  }
}
