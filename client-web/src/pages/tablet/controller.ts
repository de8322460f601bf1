// The tablet's engine: check-in, the live connection, the automatic token, casting, the "I have
// voted" declaration, the inclusion check, and a scrutineer's key and decryptions (DESIGN.md §2,
// §3.2–§3.5; docs/PROTOCOL.md §3, §5).
//
// Durability rule, kept everywhere below: whatever a request carries that the tablet must send
// identically again (the device key, the blinded element, the built ballot, the trustee secret,
// the decryption shares) is written to the tablet's store BEFORE the request leaves. A reload
// at any point then resumes from the store, and the server, idempotent for identical requests,
// answers as the first time.
//
// All network work runs in one loop (`drive`), which looks at what the chain says and what the
// store holds and does the next thing; every event (a record, a reconnect, a tap) only wakes it.

import { blind as voprfBlind, finalizeToken, tokenInput, type DleqProof } from '../../crypto/voprf';
import { equalBytes, fromHex, toHex } from '../../crypto/bytes';
import { lineHash, verifyHead } from '../../crypto/chain';
import { receiptCode } from '../../crypto/codes';
import { isCryptoError } from '../../crypto/errors';
import { mulBase, pointFromHex } from '../../crypto/group';
import type { Rng } from '../../crypto/rng';
import {
  checkinMessage,
  signDetached,
  signKeyPair,
  signKeyPairFromSeed,
  tokenRequestMessage,
  votedMessage,
} from '../../crypto/sign';
import { newRecoveryCode, normalizeRecoveryCode, trusteeProof, trusteeSecret } from '../../crypto/trustee';
import { decryptionShare } from '../../crypto/decryption';
import type { Params } from '../../i18n/i18n';
import { ApiError } from '../../net/errors';
import type { ConnState, Message, SocketOptions } from '../../net/socket';
import type { RecordIn } from '../../verify/protocol';
import type { PushResult, RoundInfo, SessionInfo, VerifyError } from '../../verify/types';
import {
  type BallotHint,
  type Choices,
  type Need,
  canReview,
  contestHint,
  contestNeed,
  missingContests,
  restoreChoices,
  toggleOption,
} from './ballot-model';
import type { BallotBuilder } from './ballot-job';
import { checkGenesisLine } from './checkin';
import { parseCheckinCode } from './checkin-code';
import {
  type BallotSeen,
  type DecryptStage,
  type Inclusion,
  type ProofView,
  type Status,
  type TrusteeStage,
  decryptStage,
  deriveStatus,
  deviceKeyState,
  inclusionCheck,
  latestOpenedRound,
  openRound,
  roundsToDecrypt,
  trusteeStage,
} from './model';
import { type PickerView, type RosterIndex, indexRoster, pickerView } from './picker';
import type { DecryptionRecord, DeviceRecord, MemberStore, RoundRecord, TabletStore, TrusteeRecord } from './store';
import type { TabletKey } from './strings';

/** A message for the person, translated when shown (so that a language switch re-translates
 *  it). `error` is an API or crypto error, shown through describeError. */
export interface Msg {
  key: TabletKey;
  params?: Params;
  error?: { code: string; message: string };
}

export type RngPurpose = 'device' | 'ephemeral' | 'blind' | 'recovery' | 'trustee_proof' | 'share';

/** The part of ChainVerifier (src/verify) the tablet uses: the fold on the page's thread, without
 *  ballot proofs, that every tablet keeps for its own bookkeeping. */
export interface ChainLike {
  push(line: string, sig?: string): PushResult;
  checkRepeat?(seq: number, line: string): VerifyError | null;
  readonly failure: VerifyError | null;
  readonly length: number;
  session(): SessionInfo | null;
  rounds(): RoundInfo[];
}

/** The part of VerifierClient (src/verify/client.ts) a scrutineer's tablet uses: the whole chain
 *  verified again in Web Workers — every ballot's proofs and the sums (DESIGN.md §3.4) — which
 *  on a long chain takes far too long for the page's thread. */
export interface ProofVerifier {
  push(records: RecordIn[]): void;
  /** Called as the verification advances (throttled), at each round change and at a failure. */
  onUpdate(cb: (s: ProofView) => void): () => void;
  terminate(): void;
}

/** The part of ReconnectingSocket (src/net/socket.ts) the tablet uses. */
export interface LiveSocket {
  start(): void;
  stop(): void;
  readonly state: ConnState;
  request(type: string, fields?: Message, timeoutMs?: number): Promise<Message>;
}

export interface TabletDeps {
  sessionId: string;
  store: TabletStore;
  rng(purpose: RngPurpose): Rng;
  /** The genesis line of the session (its hash is checked against the session id). */
  genesis(): Promise<string>;
  /** One check-in hello on a connection of its own, closed after the reply (checkin.ts). */
  checkInHello(fields: Message): Promise<Message>;
  openSocket(opts: SocketOptions): LiveSocket;
  /** POST /api/sessions/{id}/ballots on a fresh connection without any credential. */
  castBallot(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  buildBallot: BallotBuilder;
  /** A ChainVerifier without proofs (checkProofs: false), for the tablet's own bookkeeping. */
  newVerifier(): ChainLike;
  /** A scrutineer's full verification, in workers (a VerifierClient); only a scrutineer's
   *  tablet makes one, and only its verdict lets a decryption share be computed. */
  newProofVerifier(): ProofVerifier;
  /** Removes `code` from the address once the check-in is done. */
  dropCode?(): void;
  /** The member id of the card's QR address (`member`): the name chosen in advance at check-in,
   *  which the member can still change. */
  memberHint?: string | null;
  /** Delays between attempts to cast a ballot over an unsteady network (ms). */
  castRetryMs?: readonly number[];
  /** How long chain updates are gathered before the view is recomputed while catching up. */
  catchUpBatchMs?: number;
}

export interface BallotPanel {
  round: number;
  title: string;
  kind: RoundInfo['kind'];
  contests: RoundInfo['contests'];
  /** The round is open (else it is the last round, closed). */
  open: boolean;
  step: 'preparing' | 'choose' | 'review' | 'sending' | 'receipt' | 'closed';
  choices: Choices;
  needs: Need[];
  hints: BallotHint[];
  /** Titles of the contests not yet answered as min/max require. */
  missing: string[];
  reviewEnabled: boolean;
  /** The token is in hand: the ballot can be built and sent. */
  tokenReady: boolean;
  /** The contest whose last press was refused (already at max). */
  refusedMax: string | null;
  receiptCode: string | null;
  declared: boolean;
  retrying: boolean;
  /** On a closed round: whether this tablet had begun a ballot it could not send. */
  unsent: boolean;
  error: Msg | null;
}

export interface TrusteePanel {
  stage: TrusteeStage;
  /** The recovery code, only while it is shown (stage `show`). */
  code: string | null;
  confirmError: Msg | null;
  restoreError: Msg | null;
  restored: boolean;
  error: Msg | null;
}

export interface DecryptPanel {
  round: number;
  title: string;
  stage: DecryptStage;
  error: Msg | null;
}

/** The check-in screen: the roster to choose one's name from, then the code. */
export interface CheckinPanel {
  busy: boolean;
  error: Msg | null;
  revoked: boolean;
  /** The genesis roster: being read, read (with the picker), or not readable (with why). */
  roster: { state: 'loading' } | { state: 'ready'; picker: PickerView } | { state: 'failed'; error: Msg };
  /** A code that came in the address without a member id (a card printed before `member` was
   *  added to its QR code): put in the code field for the member, who chooses their name first. */
  addressCode: string | null;
}

export interface TabletView {
  phase: 'starting' | 'checkin' | 'active' | 'fatal';
  fatal: Msg | null;
  /** Null while the tablet has not yet read the chain up to its hello's head. */
  status: Status | null;
  connection: ConnState;
  member: { id: string; name: string; seat: string } | null;
  scrutineer: boolean;
  noScrutineers: boolean;
  present: boolean;
  checkin: CheckinPanel;
  alarms: Msg[];
  progress: { round: number; present: number; ballots: number } | null;
  ballot: BallotPanel | null;
  inclusion: Inclusion | null;
  trustee: TrusteePanel | null;
  decryptions: DecryptPanel[];
  /** A scrutineer's full verification while it catches up with the chain the tablet holds:
   *  records verified with every proof, of those known. Null once caught up, and for members. */
  verification: { done: number; total: number } | null;
  /** Every selection made so far is in IndexedDB: a reload now shows the same marks. */
  selectionsSaved: boolean;
}

const DEFAULT_CAST_RETRY_MS = [1000, 2000, 4000, 8000, 15000];

function errorOf(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  if (isCryptoError(e)) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

function isHex(v: unknown, bytes: number): v is string {
  return typeof v === 'string' && v.length === bytes * 2 && /^[0-9a-f]+$/.test(v);
}

function proofOf(v: unknown): DleqProof {
  const p = v as { c?: unknown; s?: unknown } | null;
  if (!p || !isHex(p.c, 32) || !isHex(p.s, 32)) throw new ApiError('BAD_REQUEST', 'proof: expected {c, s} of 32-byte hex');
  return { c: fromHex(p.c, 32), s: fromHex(p.s, 32) };
}

export class TabletController {
  private readonly sid: Uint8Array;
  private readonly listeners = new Set<(v: TabletView) => void>();
  private stopped = false;

  private phase: TabletView['phase'] = 'starting';
  private fatal: Msg | null = null;
  private device: DeviceRecord | null = null;
  private deviceSk: Uint8Array | null = null;
  private memberStore: MemberStore | null = null;
  private records = new Map<number, RoundRecord>();
  private trustee: TrusteeRecord | null = null;
  private decrypted = new Map<number, DecryptionRecord>();

  private socket: LiveSocket | null = null;
  private connection: ConnState = 'stopped';
  private chain: ChainLike | null = null;
  /** A scrutineer's full verification, and the last state it reported. */
  private proofs: ProofVerifier | null = null;
  private proofState: ProofView | null = null;
  private offProofs: (() => void) | null = null;
  private proofOutbox: RecordIn[] = [];
  private proofTimer: ReturnType<typeof setTimeout> | null = null;
  private helloHead = -1;
  /** The chain has been read up to a hello's head at least once on this connection's verifier. */
  private loaded = false;
  private session: SessionInfo | null = null;
  private roundInfos: RoundInfo[] = [];
  private ballotsSeen = new Map<number, BallotSeen>();
  private sums = new Map<number, { id: string; options: { alpha: string; beta: string }[] }[]>();
  private progress: TabletView['progress'] = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  private checkinBusy = false;
  private checkinError: Msg | null = null;
  private roster: RosterIndex | null = null;
  private rosterError: Msg | null = null;
  private rosterLoading: Promise<void> | null = null;
  private search = '';
  /** The member the check-in will sign for: chosen on the roster, or named by the address. */
  private chosen: string | null = null;
  private addressCode: string | null = null;
  private revoked = false;
  private memberMismatch = false;

  private reviewing = new Set<number>();
  /** Selection writes not yet in IndexedDB. */
  private savingSelections = 0;
  private building = new Set<number>();
  private refusedMax = new Map<number, string>();
  private roundErrors = new Map<number, Msg>();
  private alarms = new Map<string, Msg>();
  /** Requests refused for good until the next connection (key: what was asked). */
  private blocked = new Map<string, Msg>();
  private castAttempt = 0;
  private castTimer: ReturnType<typeof setTimeout> | null = null;
  private retrying = false;

  private draftCode: string | null = null;
  private draftStage: 'show' | 'confirm' | null = null;
  private confirmError: Msg | null = null;
  private restoreError: Msg | null = null;
  private restored = false;
  private trusteeError: Msg | null = null;
  private decryptErrors = new Map<number, Msg>();

  private driving = false;
  private driveAgain = false;
  private pendingCode: string | null = null;

  constructor(private readonly deps: TabletDeps) {
    this.sid = fromHex(deps.sessionId, 32);
  }

  // ---- life ---------------------------------------------------------------------------------

  /** Loads what the tablet stored; reconnects if it holds a device secret, else (or when that
   *  secret was revoked) shows the check-in screen, checking in with `code` from the address
   *  when the address also names the member. */
  async start(code: string | null = null): Promise<void> {
    let device: DeviceRecord | undefined;
    try {
      device = await this.deps.store.device();
      if (device?.member) await this.loadMember(device.member);
    } catch {
      this.fail({ key: 'fatal_storage' });
      return;
    }
    if (this.stopped) return;
    if (device) this.adoptDevice(device);
    if (device?.secret && device.member) {
      // A code in the address is kept until the device secret is known to be good: it may be
      // a new card's, after a reset revoked that secret.
      this.pendingCode = code;
      this.phase = 'active';
      this.startLive();
    } else {
      await this.enterCheckin(code);
    }
    this.emit();
  }

  /** The check-in screen. The name chosen in advance is the address's `member` or, after a
   *  reset, the member this tablet was; with a name and a code from the address the tablet
   *  checks in at once, a code alone waits in the code field for the member to choose. */
  private async enterCheckin(code: string | null): Promise<void> {
    this.phase = 'checkin';
    this.chosen = this.deps.memberHint || this.device?.member || null;
    this.emit();
    await this.loadRoster();
    if (this.stopped || this.phase !== 'checkin' || !code) return;
    if (this.chosen !== null) {
      await this.checkIn(code);
    } else {
      this.addressCode = code;
      this.emit();
    }
  }

  /** What this tablet stored as `member`: its rounds, trustee secret and decryptions. */
  private async loadMember(member: string): Promise<void> {
    const store = this.deps.store.member(member);
    const records = new Map<number, RoundRecord>();
    for (const r of await store.rounds()) records.set(r.round, r);
    const trustee = (await store.trustee()) ?? null;
    const decrypted = new Map<number, DecryptionRecord>();
    for (const d of await store.decryptions()) decrypted.set(d.round, d);
    this.memberStore = store;
    this.records = records;
    this.trustee = trustee;
    this.decrypted = decrypted;
    for (const m of [this.reviewing, this.building]) m.clear();
    for (const m of [this.refusedMax, this.roundErrors, this.alarms, this.blocked, this.decryptErrors]) m.clear();
    this.draftCode = null;
    this.draftStage = null;
  }

  private get mine(): MemberStore {
    if (!this.memberStore) throw new Error('no member yet');
    return this.memberStore;
  }

  stop(): void {
    this.stopped = true;
    this.socket?.stop();
    this.socket = null;
    if (this.castTimer) clearTimeout(this.castTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.stopProofs();
    this.listeners.clear();
  }

  subscribe(listener: (v: TabletView) => void): () => void {
    this.listeners.add(listener);
    listener(this.view());
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    if (this.stopped) return;
    const v = this.view();
    for (const l of this.listeners) l(v);
  }

  private fail(msg: Msg): void {
    this.phase = 'fatal';
    this.fatal = msg;
    this.socket?.stop();
    this.emit();
  }

  private adoptDevice(device: DeviceRecord): void {
    this.device = device;
    this.deviceSk = signKeyPairFromSeed(fromHex(device.seed, 32)).secretKey;
  }

  // ---- check-in -----------------------------------------------------------------------------

  /** Reads the genesis roster for the picker. A failure is shown with a button that calls this
   *  again; a name named by the address is dropped if the roster does not have it. */
  async loadRoster(): Promise<void> {
    if (this.roster) return;
    this.rosterLoading ??= (async () => {
      this.rosterError = null;
      this.emit();
      try {
        const roster = indexRoster(checkGenesisLine(this.deps.sessionId, await this.deps.genesis()));
        this.roster = roster;
        if (this.chosen !== null && !roster.entries.some((e) => e.id === this.chosen)) this.chosen = null;
      } catch (e) {
        const err = errorOf(e);
        this.rosterError = err.code === 'NOT_FOUND' ? { key: 'fatal_session' } : { key: 'checkin_roster_failed', error: err };
      } finally {
        this.rosterLoading = null;
        this.emit();
      }
    })();
    await this.rosterLoading;
  }

  /** The picker's search text, as typed. */
  searchRoster(text: string): void {
    if (text === this.search) return;
    this.search = text;
    this.emit();
  }

  /** The member taps their name on the roster. */
  chooseMember(id: string): void {
    if (this.checkinBusy || this.phase !== 'checkin') return;
    if (!this.roster?.entries.some((e) => e.id === id)) return;
    this.chosen = id;
    // Whatever went wrong was about the previous attempt.
    this.checkinError = null;
    this.emit();
  }

  /** Checks in as the chosen member with a typed code: one signed hello. A code of another
   *  member is INVALID_SIGNATURE, explained as such; the member may choose again. Nothing but
   *  the device key (kept and reused) is stored before the server has accepted. */
  async checkIn(typed: string): Promise<void> {
    if (this.checkinBusy || this.stopped || this.phase === 'active' || this.phase === 'fatal') return;
    const member = this.chosen;
    if (member === null) {
      this.checkinError = { key: 'checkin_error_choose' };
      this.emit();
      return;
    }
    const parsed = parseCheckinCode(typed);
    if (!parsed.ok) {
      this.checkinError =
        parsed.reason === 'empty'
          ? { key: 'checkin_error_empty' }
          : parsed.reason === 'chars'
            ? { key: 'checkin_error_chars' }
            : { key: 'checkin_error_length', params: { n: parsed.length } };
      this.emit();
      return;
    }
    this.checkinBusy = true;
    this.checkinError = null;
    this.emit();
    try {
      const device = await this.ensureDeviceKey();
      const sig = signDetached(checkinMessage(this.sid, member, fromHex(device.publicKey, 32)), this.deviceSk!);
      // `from: 0` as docs/PROTOCOL.md §5 shows it; the live connection that follows reads the
      // chain, so this one is closed as soon as the reply is in.
      const reply = await this.deps.checkInHello({
        session: this.deps.sessionId,
        code: parsed.code,
        device_key: device.publicKey,
        sig: toHex(sig),
        from: 0,
      });
      if (reply.member !== member) {
        throw new ApiError('INTERNAL', 'member: the check-in reply names another member than the one signed for');
      }
      const secret = reply.device;
      if (!isHex(secret, 32)) throw new ApiError('BAD_REQUEST', 'device: the hello reply has no device secret');
      const role = reply.role === 'scrutineer' ? 'scrutineer' : 'member';
      const updated: DeviceRecord = { ...device, member, role, secret };
      if (!this.memberStore || member !== device.member) await this.loadMember(member);
      await this.deps.store.putDevice(updated);
      this.device = updated;
      this.revoked = false;
      this.addressCode = null;
      this.deps.dropCode?.();
      this.phase = 'active';
      this.startLive();
    } catch (e) {
      const err = errorOf(e);
      this.checkinError =
        err.code === 'INVALID_SIGNATURE'
          ? { key: 'checkin_error_mismatch' }
          : err.code === 'UNAUTHORIZED'
            ? { key: 'checkin_error_unauthorized' }
            : err.code === 'CODE_USED'
              ? { key: 'checkin_error_code_used' }
              : err.code === 'NOT_FOUND'
                ? { key: 'fatal_session' }
                : err.code === 'FORBIDDEN'
                  ? { key: 'checkin_error_adjourned' }
                  : { key: 'checkin_error_other', error: err };
    } finally {
      this.checkinBusy = false;
      this.emit();
    }
  }

  /** The long-term device key, made once per session and stored before any hello carries it:
   *  a hello whose reply was lost is repeated with the same key, which the server answers as
   *  the first time (a new key would be CODE_USED). */
  private async ensureDeviceKey(): Promise<DeviceRecord> {
    if (this.device) return this.device;
    const kp = signKeyPair(this.deps.rng('device'));
    const device: DeviceRecord = {
      seed: toHex(kp.secretKey.subarray(0, 32)),
      publicKey: toHex(kp.publicKey),
      member: null,
      role: null,
      secret: null,
    };
    await this.deps.store.putDevice(device);
    this.adoptDevice(device);
    return device;
  }

  // ---- the live connection -----------------------------------------------------------------

  private startLive(): void {
    const device = this.device!;
    this.chain = this.deps.newVerifier();
    this.stopProofs();
    if (device.role === 'scrutineer') this.startProofs();
    this.helloHead = -1;
    this.loaded = false;
    this.ballotsSeen.clear();
    this.sums.clear();
    this.openLiveSocket();
    this.emit();
  }

  // Both verifiers start from seq 0 together and are given the same records, so the workers'
  // verdict always concerns the chain this tablet acts on.
  private startProofs(): void {
    const proofs = this.deps.newProofVerifier();
    this.proofs = proofs;
    this.proofState = null;
    this.offProofs = proofs.onUpdate((state) => {
      if (this.proofs !== proofs || this.stopped) return;
      this.proofState = state;
      this.emit();
    });
  }

  private stopProofs(): void {
    this.offProofs?.();
    this.offProofs = null;
    this.proofs?.terminate();
    this.proofs = null;
    this.proofState = null;
    this.proofOutbox = [];
    if (this.proofTimer) clearTimeout(this.proofTimer);
    this.proofTimer = null;
  }

  // Records are handed to the workers in batches: one message per record would cost more than
  // folding it without proofs does here.
  private queueForProofs(record: RecordIn): void {
    if (!this.proofs) return;
    this.proofOutbox.push(record);
    if (this.proofTimer) return;
    this.proofTimer = setTimeout(() => {
      this.proofTimer = null;
      const batch = this.proofOutbox;
      this.proofOutbox = [];
      this.proofs?.push(batch);
    }, 0);
  }

  private openLiveSocket(): void {
    this.socket = this.deps.openSocket({
      path: () => '/ws',
      // From the verifier's length: records it already holds are not sent again.
      hello: () => ({ session: this.deps.sessionId, device: this.device!.secret!, from: this.chain!.length }),
      onHello: (reply) => this.onHello(reply),
      onHelloError: (error) => this.onHelloError(error),
      onPush: (message) => this.onPush(message),
      onState: (state) => {
        this.connection = state;
        this.emit();
        if (state === 'online') void this.drive();
      },
    });
    this.socket.start();
  }

  /** After a check-out: a new connection's hello checks the member in again (docs/PROTOCOL.md
   *  §5). The verifier and what it learned are kept. */
  rejoin(): void {
    if (!this.socket || this.phase !== 'active') return;
    this.socket.stop();
    this.openLiveSocket();
  }

  private async onHello(reply: Message): Promise<void> {
    const device = this.device!;
    if (reply.member !== device.member) this.memberMismatch = true;
    const head = reply.head as { seq?: unknown } | undefined;
    this.helloHead = typeof head?.seq === 'number' ? head.seq : -1;
    this.blocked.clear();
    if (this.pendingCode !== null) {
      this.pendingCode = null;
      this.deps.dropCode?.();
    }
    const secret = reply.device;
    // Every hello reply carries the current device secret; a new check_in record gives a new
    // one (docs/PROTOCOL.md §2), and only the latest opens the next connection.
    if (isHex(secret, 32) && secret !== device.secret) {
      const updated = { ...device, secret };
      await this.deps.store.putDevice(updated);
      this.device = updated;
    }
  }

  private onHelloError(error: ApiError): boolean {
    if (error.code === 'UNAUTHORIZED') {
      // The secretariat reset this member: the device secret is revoked. The device key is
      // kept; the next check-in with the new code registers it again.
      const device = this.device!;
      const updated = { ...device, secret: null };
      this.device = updated;
      void this.deps.store.putDevice(updated);
      this.revoked = true;
      this.socket = null;
      const code = this.pendingCode;
      this.pendingCode = null;
      queueMicrotask(() => void this.enterCheckin(code));
      this.phase = 'checkin';
      this.emit();
      return false;
    }
    if (error.code === 'NOT_FOUND') {
      this.fail({ key: 'fatal_session' });
      return false;
    }
    if (error.code === 'FORBIDDEN') {
      // A member who had left cannot come back after `adjourned`: nothing more will happen.
      this.alarms.set('hello', { key: 'checkin_error_adjourned' });
      this.emit();
      return false;
    }
    return true;
  }

  private onPush(m: Message): void {
    if (m.type === 'record') {
      if (typeof m.seq === 'number' && typeof m.line === 'string') {
        this.onRecord(m.seq, m.line, typeof m.sig === 'string' ? m.sig : undefined);
      }
    } else if (m.type === 'progress') {
      if (typeof m.round === 'number' && typeof m.present === 'number' && typeof m.ballots === 'number') {
        this.progress = { round: m.round, present: m.present, ballots: m.ballots };
        this.scheduleRefresh();
      }
    }
  }

  /** One record of the chain, in seq order: verified, then what the tablet needs from it. */
  onRecord(seq: number, line: string, sig?: string): void {
    const chain = this.chain;
    if (!chain) return;
    // The workers see every record this fold is shown, repeats included (they compare them
    // with what they verified), and the one this fold refuses (they refuse it for themselves).
    if (seq <= chain.length) this.queueForProofs(sig === undefined ? { seq, line } : { seq, line, sig });
    if (seq < chain.length) {
      chain.checkRepeat?.(seq, line);
      this.scheduleRefresh();
      return;
    }
    if (seq > chain.length || chain.failure) {
      this.scheduleRefresh();
      return;
    }
    const result = chain.push(line, sig);
    if (result.ok) this.noteRecord(seq, line);
    this.scheduleRefresh();
  }

  private noteRecord(seq: number, line: string): void {
    if (!line.includes('"type":"ballot"') && !line.includes('"type":"round_closed"')) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // The verifier accepted it, so it is JSON; nothing to note otherwise.
    }
    if (body.type === 'ballot' && typeof body.round === 'number' && typeof body.vk === 'string') {
      this.ballotsSeen.set(seq, { round: body.round, vk: body.vk, hash: toHex(lineHash(line)) });
    } else if (body.type === 'round_closed' && typeof body.round === 'number' && Array.isArray(body.sums)) {
      this.sums.set(body.round, body.sums as { id: string; options: { alpha: string; beta: string }[] }[]);
    }
  }

  private get caughtUp(): boolean {
    const chain = this.chain;
    if (!chain || this.helloHead < 0) return false;
    return chain.length > this.helloHead || chain.failure !== null;
  }

  // While a long chain streams in, the verifier's session and rounds are read in batches; once
  // caught up, at once.
  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    const delay = this.caughtUp ? 0 : (this.deps.catchUpBatchMs ?? 150);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refresh();
    }, delay);
  }

  /** Reads the verifier's state now (tests call it instead of waiting for the batch). */
  refresh(): void {
    if (this.refreshTimer) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
    }
    const chain = this.chain;
    if (!chain || this.stopped) return;
    this.session = chain.session();
    this.roundInfos = chain.rounds();
    if (this.caughtUp) this.loaded = true;
    this.emit();
    void this.drive();
  }

  // ---- the loop -----------------------------------------------------------------------------

  /** Does whatever is due, until nothing is; resolves when idle (tests await it). */
  async drive(): Promise<void> {
    if (this.driving) {
      this.driveAgain = true;
      return;
    }
    this.driving = true;
    try {
      do {
        this.driveAgain = false;
        await this.driveOnce();
      } while (this.driveAgain && !this.stopped);
    } finally {
      this.driving = false;
    }
  }

  /** Resolves once the loop is idle. */
  async settle(): Promise<void> {
    for (let i = 0; i < 1000 && (this.driving || this.refreshTimer); i++) {
      if (this.refreshTimer) this.refresh();
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  private async driveOnce(): Promise<void> {
    if (this.stopped || this.phase !== 'active' || !this.caughtUp || !this.session || !this.device?.member) return;
    if (this.chain?.failure || this.proofState?.failure) return;
    const online = this.connection === 'online' && this.socket !== null;
    const open = openRound(this.roundInfos);
    if (open && this.session.electionKey) {
      await this.ensureRoundRecord(open);
      if (online && this.isPresent()) await this.ensureToken(open);
    }
    for (const rec of [...this.records.values()]) {
      const info = this.roundInfo(rec.round);
      if (info?.status !== 'open') continue;
      if (rec.ballot && !rec.receipt) await this.cast(rec.round);
      const now = this.records.get(rec.round)!;
      if (online && now.receipt && !now.votedAck) await this.declare(rec.round);
    }
    if (online && this.device.role === 'scrutineer') {
      await this.sendTrusteeKey();
      await this.sendDecryptions();
    }
  }

  private roundInfo(round: number): RoundInfo | undefined {
    return this.roundInfos.find((r) => r.round === round);
  }

  private isPresent(): boolean {
    const m = this.session?.members.find((x) => x.id === this.device?.member);
    return m?.present === true && m.deviceKey === this.device?.publicKey;
  }

  private async request(type: string, fields: Message): Promise<Message> {
    const socket = this.socket;
    if (!socket) throw new ApiError('NETWORK', 'not connected');
    return socket.request(type, fields);
  }

  // ---- token (§3.2 steps 1–2) --------------------------------------------------------------

  /** The round's ephemeral key, token input and blinded element, stored before `token` is sent. */
  private async ensureRoundRecord(round: RoundInfo): Promise<void> {
    if (this.records.has(round.round)) return;
    const eph = signKeyPair(this.deps.rng('ephemeral'));
    const input = tokenInput(this.sid, round.round, eph.publicKey);
    const b = voprfBlind(input, this.deps.rng('blind'));
    const rec: RoundRecord = {
      round: round.round,
      vk: toHex(eph.publicKey),
      ske: toHex(eph.secretKey),
      input: toHex(input),
      blind: toHex(b.blind),
      blinded: toHex(b.blinded),
      token: null,
      choices: null,
      ballot: null,
      receipt: null,
      votedAck: false,
    };
    await this.mine.putRound(rec);
    this.records.set(rec.round, rec);
    this.emit();
  }

  private async ensureToken(round: RoundInfo): Promise<void> {
    const rec = this.records.get(round.round);
    if (!rec || rec.token) return;
    const key = `token:${round.round}`;
    if (this.blocked.has(key)) return;
    const blinded = fromHex(rec.blinded, 32);
    const requestSig = signDetached(tokenRequestMessage(this.sid, round.round, blinded), this.deviceSk!);
    let reply: Message;
    try {
      // The stored blinded element, never a new one: a repeated request is answered identically.
      reply = await this.request('token', { round: round.round, blinded: rec.blinded, request_sig: toHex(requestSig) });
    } catch (e) {
      const err = errorOf(e);
      if (err.code === 'NETWORK' || err.code === 'RATE_LIMITED') return;
      if (err.code === 'ALREADY_ISSUED') this.alarms.set(key, { key: 'alarm.already_issued' });
      this.blocked.set(key, { key: 'error_line', error: err });
      this.emit();
      return;
    }
    let N: Uint8Array;
    try {
      if (!isHex(reply.evaluated, 32)) throw new ApiError('BAD_REQUEST', 'evaluated: expected a 32-byte hex point');
      const evaluated = pointFromHex(reply.evaluated);
      // Verified against pkT from genesis: a per-member key would tag this member's ballot.
      N = finalizeToken(fromHex(rec.input), fromHex(rec.blind, 32), blinded, evaluated, proofOf(reply.proof), fromHex(this.session!.tokenKey, 32));
    } catch (e) {
      this.alarms.set(key, { key: 'alarm.token_proof' });
      this.blocked.set(key, { key: 'error_line', error: errorOf(e) });
      this.emit();
      return;
    }
    const updated = { ...this.records.get(round.round)!, token: toHex(N) };
    await this.mine.putRound(updated);
    this.records.set(round.round, updated);
    this.emit();
  }

  // ---- the ballot ---------------------------------------------------------------------------

  private currentOpen(): { info: RoundInfo; rec: RoundRecord } | null {
    const info = openRound(this.roundInfos);
    if (!info) return null;
    const rec = this.records.get(info.round);
    return rec ? { info, rec } : null;
  }

  select(contestId: string, option: number): void {
    const cur = this.currentOpen();
    if (!cur || cur.rec.ballot || this.building.has(cur.info.round)) return;
    const k = cur.info.contests.findIndex((c) => c.id === contestId);
    if (k < 0) return;
    const contest = cur.info.contests[k]!;
    const choices = restoreChoices(cur.rec.choices, cur.info.contests);
    const result = toggleOption(contest, choices[k]!, option);
    choices[k] = result.chosen;
    if (result.refused) this.refusedMax.set(cur.info.round, contestId);
    else this.refusedMax.delete(cur.info.round);
    const updated = { ...cur.rec, choices };
    this.records.set(updated.round, updated);
    // Kept until the receipt, so that a reload shows the same marks. The mark shows at once; a
    // reload in the few milliseconds before the write lands loses that one tap (selectionsSaved).
    this.savingSelections++;
    this.mine
      .putRound(updated)
      .catch(() => this.fail({ key: 'fatal_storage' }))
      .finally(() => {
        this.savingSelections--;
        this.emit();
      });
    this.emit();
  }

  review(): void {
    const cur = this.currentOpen();
    if (!cur) return;
    if (!canReview(cur.info.contests, restoreChoices(cur.rec.choices, cur.info.contests))) return;
    this.reviewing.add(cur.info.round);
    this.emit();
  }

  back(): void {
    const cur = this.currentOpen();
    if (!cur) return;
    this.reviewing.delete(cur.info.round);
    this.emit();
  }

  /** Builds the ballot in the worker, stores it, then casts it. Called after the confirmation. */
  async submit(): Promise<void> {
    const cur = this.currentOpen();
    const session = this.session;
    if (!cur || !session?.electionKey || cur.rec.ballot || !cur.rec.token) return;
    const round = cur.info.round;
    if (this.building.has(round)) return;
    const choices = restoreChoices(cur.rec.choices, cur.info.contests);
    if (!canReview(cur.info.contests, choices)) return;
    this.building.add(round);
    this.roundErrors.delete(round);
    this.emit();
    try {
      const ballot = await this.deps.buildBallot({
        sessionId: this.deps.sessionId,
        round,
        electionKey: session.electionKey,
        contests: cur.info.contests.map((c) => ({ id: c.id, options: c.options.length, min: c.min, max: c.max })),
        choices,
        vk: cur.rec.vk,
        ske: cur.rec.ske,
        token: cur.rec.token,
      });
      const latest = this.records.get(round)!;
      if (latest.ballot) return;
      const updated = { ...latest, choices, ballot };
      // Stored before it is sent: a reload re-sends these bytes, which the server accepts as
      // the same ballot; a rebuilt one would be TOKEN_SPENT.
      await this.mine.putRound(updated);
      this.records.set(round, updated);
    } catch (e) {
      this.roundErrors.set(round, { key: 'error_line', error: errorOf(e) });
    } finally {
      this.building.delete(round);
      this.emit();
    }
    void this.drive();
  }

  // ---- casting (§3.2 step 3) ----------------------------------------------------------------

  private async cast(round: number): Promise<void> {
    const rec = this.records.get(round);
    if (!rec?.ballot || rec.receipt) return;
    const key = `cast:${round}`;
    if (this.blocked.has(key) || this.castTimer) return;
    let reply: Record<string, unknown>;
    try {
      reply = await this.deps.castBallot(rec.ballot);
    } catch (e) {
      const err = errorOf(e);
      if (err.code === 'NETWORK' || err.code === 'RATE_LIMITED' || err.code === 'INTERNAL') {
        // Nothing was decided (or the server is restarting): the same bytes again, later.
        const delays = this.deps.castRetryMs ?? DEFAULT_CAST_RETRY_MS;
        const delay = delays[Math.min(this.castAttempt, delays.length - 1)] ?? 1000;
        this.castAttempt++;
        this.retrying = true;
        this.castTimer = setTimeout(() => {
          this.castTimer = null;
          void this.drive();
        }, delay);
        this.emit();
        return;
      }
      if (err.code === 'TOKEN_SPENT') this.alarms.set(key, { key: 'alarm.token_spent' });
      this.blocked.set(key, { key: 'error_line', error: err });
      this.retrying = false;
      this.emit();
      return;
    }
    this.castAttempt = 0;
    this.retrying = false;
    const r = reply.receipt as { seq?: unknown; hash?: unknown; sig?: unknown } | undefined;
    if (!r || typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || !isHex(r.hash, 32) || !isHex(r.sig, 64)) {
      this.blocked.set(key, { key: 'error_line', error: { code: 'BAD_REQUEST', message: 'receipt: malformed' } });
      this.emit();
      return;
    }
    const sigValid = verifyHead(fromHex(this.session!.serverKey, 32), this.sid, r.seq, fromHex(r.hash, 32), fromHex(r.sig, 64));
    // With the receipt the selections are forgotten: a lost or stolen tablet does not tell how its
    // member voted (the stored ballot's ciphertexts are on the chain anyway, their randomness
    // never stored).
    const updated: RoundRecord = {
      ...this.records.get(round)!,
      choices: null,
      receipt: { seq: r.seq, hash: r.hash, sig: r.sig, sigValid },
    };
    await this.mine.putRound(updated);
    this.records.set(round, updated);
    this.reviewing.delete(round);
    this.emit();
  }

  // ---- declaration (§3.2 step 4) ------------------------------------------------------------

  private async declare(round: number): Promise<void> {
    const key = `voted:${round}`;
    if (this.blocked.has(key)) return;
    const sig = signDetached(votedMessage(this.sid, round), this.deviceSk!);
    try {
      await this.request('voted', { round, sig: toHex(sig) });
    } catch (e) {
      const err = errorOf(e);
      if (err.code === 'NETWORK' || err.code === 'RATE_LIMITED') return;
      // ROUND_NOT_OPEN: closed meanwhile; the inclusion check tells whether it was counted.
      if (err.code !== 'ROUND_NOT_OPEN') this.roundErrors.set(round, { key: 'error_line', error: err });
      this.blocked.set(key, { key: 'error_line', error: err });
      this.emit();
      return;
    }
    const updated = { ...this.records.get(round)!, votedAck: true };
    await this.mine.putRound(updated);
    this.records.set(round, updated);
    this.emit();
  }

  // ---- the scrutineer's key (§3.5) ------------------------------------------------------------

  private currentTrusteeStage(): TrusteeStage | null {
    const member = this.device?.member;
    if (!member || this.device?.role !== 'scrutineer' || !this.session) return null;
    return trusteeStage({ member, session: this.session, record: this.trustee, draft: this.draftStage });
  }

  /** Draws the recovery code and shows it, once. Nothing is stored or sent yet. */
  trusteeGenerate(): void {
    if (this.currentTrusteeStage() !== 'none') return;
    this.draftCode = newRecoveryCode(this.deps.rng('recovery'));
    this.draftStage = 'show';
    this.confirmError = null;
    this.emit();
  }

  /** The code was written down: it is hidden and must be typed back. */
  trusteeWritten(): void {
    if (this.draftStage !== 'show') return;
    this.draftStage = 'confirm';
    this.emit();
  }

  /** Forgets a code that could not be confirmed, to draw a new one. */
  trusteeRestart(): void {
    if (this.currentTrusteeStage() !== 'confirm' && this.currentTrusteeStage() !== 'show') return;
    this.draftCode = null;
    this.draftStage = null;
    this.confirmError = null;
    this.trusteeGenerate();
  }

  async trusteeConfirm(typed: string): Promise<void> {
    if (this.draftStage !== 'confirm' || !this.draftCode) return;
    let code: string;
    try {
      code = normalizeRecoveryCode(typed);
    } catch {
      this.confirmError = { key: 'recovery_invalid' };
      this.emit();
      return;
    }
    if (code !== this.draftCode) {
      this.confirmError = { key: 'recovery_mismatch' };
      this.emit();
      return;
    }
    const member = this.device!.member!;
    const x = trusteeSecret(this.sid, code);
    const { key, proof } = trusteeProof(this.sid, member, x, this.deps.rng('trustee_proof'));
    const rec: TrusteeRecord = { x: toHex(x), key: toHex(key), proof: { c: toHex(proof.c), s: toHex(proof.s) } };
    // x stays on this device for the session; stored before the key is sent, so that a lost
    // reply leaves the tablet holding the secret of the key the server may have recorded.
    await this.mine.putTrustee(rec);
    this.trustee = rec;
    this.draftCode = null;
    this.draftStage = null;
    this.confirmError = null;
    this.emit();
    void this.drive();
  }

  private async sendTrusteeKey(): Promise<void> {
    if (this.currentTrusteeStage() !== 'sending' || !this.trustee?.proof) return;
    const key = 'trustee_key';
    if (this.blocked.has(key)) return;
    try {
      await this.request('trustee_key', { key: this.trustee.key, proof: this.trustee.proof });
      this.trusteeError = null;
    } catch (e) {
      const err = errorOf(e);
      if (err.code === 'NETWORK' || err.code === 'RATE_LIMITED') return;
      this.trusteeError = { key: 'error_line', error: err };
      this.blocked.set(key, this.trusteeError);
    }
    this.emit();
  }

  /** Restores x from the paper code; refused unless x·G is this scrutineer's key on the chain. */
  async trusteeRestore(typed: string): Promise<void> {
    const member = this.device?.member;
    if (!member || !this.session) return;
    this.restored = false;
    let code: string;
    try {
      code = normalizeRecoveryCode(typed);
    } catch {
      this.restoreError = { key: 'recovery_invalid' };
      this.emit();
      return;
    }
    const onChain = this.session.trustees.find((x) => x.id === member);
    if (!onChain) {
      this.restoreError = { key: 'restore_no_key' };
      this.emit();
      return;
    }
    const x = trusteeSecret(this.sid, code);
    const key = mulBase(x);
    if (!equalBytes(key, fromHex(onChain.key, 32))) {
      this.restoreError = { key: 'restore_wrong' };
      this.emit();
      return;
    }
    const rec: TrusteeRecord = { x: toHex(x), key: onChain.key, proof: null };
    await this.mine.putTrustee(rec);
    this.trustee = rec;
    this.restoreError = null;
    this.restored = true;
    this.alarms.delete('trustee');
    this.emit();
    void this.drive();
  }

  // ---- decryption (§3.4) --------------------------------------------------------------------

  private stageOf(round: RoundInfo): DecryptStage {
    return decryptStage({
      member: this.device!.member!,
      round,
      trusteeReady: this.currentTrusteeStage() === 'ready',
      stored: this.decrypted.get(round.round) ?? null,
      // Only the workers' verification checks the proofs and the sums: until it has reported
      // past round_closed, the round stays unverified however far this thread's fold has read.
      proofs: this.proofState,
    });
  }

  /** Computes this trustee's shares of a round in the browser, after the comparison was
   *  confirmed; stores them, bound to the round_closed hash, before sending. */
  async approveDecryption(roundNo: number): Promise<void> {
    const round = this.roundInfo(roundNo);
    const trustee = this.trustee;
    const member = this.device?.member;
    if (!round || !trustee || !member) return;
    const stage = this.stageOf(round);
    if (stage.kind !== 'ready') return;
    const sums = this.sums.get(roundNo);
    try {
      if (!sums) throw new ApiError('BAD_REQUEST', 'sums: the round_closed record was not seen');
      const x = fromHex(trustee.x, 32);
      const trusteeKey = fromHex(trustee.key, 32);
      const closedHash = fromHex(stage.closedHash, 32);
      const shares: DecryptionRecord['shares'] = round.contests.map((contest) => {
        const sum = sums.find((s) => s.id === contest.id);
        if (!sum || sum.options.length !== contest.options.length) {
          throw new ApiError('BAD_REQUEST', `sums: contest ${contest.id} does not match the round`);
        }
        return {
          id: contest.id,
          options: sum.options.map((o, option) => {
            // Sums may be the identity (ballots that cancel), DESIGN.md §3.
            const A = pointFromHex(o.alpha, { allowIdentity: true });
            const { share, proof } = decryptionShare(
              { sessionId: this.sid, closedHash, round: roundNo, contestId: contest.id, option, trusteeId: member, trusteeKey },
              x,
              A,
              this.deps.rng('share'),
            );
            return { share: toHex(share), proof: { c: toHex(proof.c), s: toHex(proof.s) } };
          }),
        };
      });
      const rec: DecryptionRecord = { round: roundNo, closedHash: stage.closedHash, shares, sent: false };
      await this.mine.putDecryption(rec);
      this.decrypted.set(roundNo, rec);
      this.decryptErrors.delete(roundNo);
    } catch (e) {
      this.decryptErrors.set(roundNo, { key: 'error_line', error: errorOf(e) });
    }
    this.emit();
    void this.drive();
  }

  private async sendDecryptions(): Promise<void> {
    for (const rec of [...this.decrypted.values()]) {
      const round = this.roundInfo(rec.round);
      if (!round || this.stageOf(round).kind !== 'sending') continue;
      const key = `decryption:${rec.round}`;
      if (this.blocked.has(key)) continue;
      try {
        await this.request('decryption', { round: rec.round, shares: rec.shares });
      } catch (e) {
        const err = errorOf(e);
        if (err.code === 'NETWORK' || err.code === 'RATE_LIMITED') return;
        const msg: Msg = { key: 'error_line', error: err };
        this.decryptErrors.set(rec.round, msg);
        this.blocked.set(key, msg);
        this.emit();
        continue;
      }
      const updated = { ...rec, sent: true };
      await this.mine.putDecryption(updated);
      this.decrypted.set(rec.round, updated);
      this.emit();
    }
  }

  // ---- the view -----------------------------------------------------------------------------

  view(): TabletView {
    const device = this.device;
    const member = device?.member ?? null;
    const session = this.session;
    const rounds = this.roundInfos;
    const checkedIn = this.phase === 'active' && !!device?.secret && !!member;
    const memberInfo = session?.members.find((m) => m.id === member) ?? null;
    const alarms: Msg[] = [];
    if (this.memberMismatch) alarms.push({ key: 'alarm.member_mismatch' });
    if (checkedIn && device && deviceKeyState({ session, member, publicKey: device.publicKey, caughtUp: this.caughtUp }) === 'mismatch') {
      alarms.push({ key: 'alarm.device_key' });
    }
    const failure = this.chain?.failure;
    if (failure) alarms.push({ key: 'alarm.chain', params: { seq: failure.seq, code: failure.code } });
    const proofFailure = this.proofState?.failure;
    if (proofFailure && (proofFailure.seq !== failure?.seq || proofFailure.code !== failure.code)) {
      alarms.push({ key: 'alarm.chain', params: { seq: proofFailure.seq, code: proofFailure.code } });
    }
    for (const a of this.alarms.values()) alarms.push(a);
    for (const rec of this.records.values()) {
      if (rec.receipt && !rec.receipt.sigValid) alarms.push({ key: 'alarm.receipt_sig' });
    }

    // Panels wait for the chain to be read up to the hello's head: a round open in the first
    // records may be closed in the next ones.
    const ready = checkedIn && this.loaded;
    const trustee = ready ? this.trusteePanel() : null;
    if (trustee?.stage === 'mismatch') alarms.push({ key: 'alarm.trustee_mismatch' });
    const decryptions: DecryptPanel[] = [];
    if (trustee && member) {
      for (const r of roundsToDecrypt(rounds)) {
        const stage = this.stageOf(r);
        if (stage.kind === 'refused') alarms.push({ key: 'alarm.fork', params: { round: r.round } });
        decryptions.push({ round: r.round, title: r.title, stage, error: this.decryptErrors.get(r.round) ?? null });
      }
    }

    const panelRound = openRound(rounds) ?? latestOpenedRound(rounds);
    const ballot = ready && panelRound ? this.ballotPanel(panelRound) : null;
    let inclusion: Inclusion | null = null;
    if (ready && member) {
      // The latest closed round this tablet holds a receipt for.
      const closed = rounds
        .filter((r) => r.closedSeq !== null && this.records.get(r.round)?.receipt)
        .sort((a, b) => (b.closedSeq ?? 0) - (a.closedSeq ?? 0))[0];
      if (closed) {
        inclusion = inclusionCheck({
          round: closed,
          record: this.records.get(closed.round)!,
          member,
          ballots: this.ballotsSeen,
          chainLength: this.chain?.length ?? 0,
          failure: this.chain?.failure ?? null,
        });
        // While a later round is open its ballot has the screen; a missing ballot stays.
        const open = openRound(rounds);
        if (inclusion && inclusion.state !== 'missing' && open && open.round !== closed.round) inclusion = null;
      }
    }
    const progressRound = this.progress && panelRound && this.progress.round === panelRound.round ? this.progress : null;

    return {
      phase: this.phase,
      fatal: this.fatal,
      status:
        this.phase === 'starting' || this.phase === 'fatal' || (this.phase === 'active' && !this.loaded)
          ? null
          : deriveStatus({ checkedIn, session, rounds, records: this.records }),
      connection: this.connection,
      member: memberInfo ? { id: memberInfo.id, name: memberInfo.name, seat: memberInfo.seat } : null,
      scrutineer: device?.role === 'scrutineer',
      noScrutineers: session !== null && session.scrutineers.length === 0,
      // Until the chain is read, absence is not known: no "you have left" while loading.
      present: checkedIn && (!this.caughtUp || memberInfo?.present === true),
      checkin: {
        busy: this.checkinBusy,
        error: this.checkinError,
        revoked: this.revoked,
        roster: this.roster
          ? { state: 'ready', picker: pickerView(this.roster, this.search, this.chosen) }
          : this.rosterError
            ? { state: 'failed', error: this.rosterError }
            : { state: 'loading' },
        addressCode: this.addressCode,
      },
      alarms,
      progress: progressRound,
      ballot,
      inclusion,
      trustee,
      decryptions,
      verification: checkedIn ? this.verificationProgress() : null,
      selectionsSaved: this.savingSelections === 0,
    };
  }

  /** How far the workers have verified, while they catch up with the head of the latest hello
   *  (the chain as it stood when this tablet connected). Afterwards they keep pace record by
   *  record, and a lag of a ballot or two is not worth announcing; a decryption waiting for
   *  them shows its own progress. */
  private verificationProgress(): TabletView['verification'] {
    if (!this.proofs || !this.chain || this.helloHead < 0) return null;
    const state = this.proofState;
    if (state?.failure || this.chain.failure) return null;
    const done = state?.length ?? 0;
    if (done > this.helloHead) return null;
    return { done, total: Math.max(this.helloHead + 1, this.chain.length) };
  }

  private ballotPanel(info: RoundInfo): BallotPanel | null {
    const rec = this.records.get(info.round) ?? null;
    const open = info.status === 'open';
    if (!open && !rec) return null;
    const choices = restoreChoices(rec?.choices ?? null, info.contests);
    const building = this.building.has(info.round);
    let step: BallotPanel['step'];
    if (rec?.receipt) step = 'receipt';
    else if (!open) step = 'closed';
    else if (rec?.ballot || building) step = 'sending';
    else if (!rec) step = 'preparing';
    else if (this.reviewing.has(info.round) && canReview(info.contests, choices)) step = 'review';
    else step = 'choose';
    const blockedMsg =
      this.blocked.get(`token:${info.round}`) ?? this.blocked.get(`cast:${info.round}`) ?? this.roundErrors.get(info.round) ?? null;
    // After the receipt only the declaration can still go wrong.
    const error = step === 'receipt' ? (this.roundErrors.get(info.round) ?? null) : blockedMsg;
    return {
      round: info.round,
      title: info.title,
      kind: info.kind,
      contests: info.contests,
      open,
      step,
      choices,
      needs: info.contests.map((c, k) => contestNeed(c, choices[k] ?? [])),
      hints: info.contests.map((c) => contestHint(info.kind, c)),
      missing: missingContests(info.contests, choices).map((c) => c.title),
      reviewEnabled: canReview(info.contests, choices),
      tokenReady: !!rec?.token,
      refusedMax: this.refusedMax.get(info.round) ?? null,
      receiptCode: rec?.receipt ? receiptCode(fromHex(rec.receipt.hash, 32)) : null,
      declared: !!rec?.votedAck,
      retrying: this.retrying && step === 'sending',
      unsent: !open && !rec?.receipt && !!rec && (rec.ballot !== null || choices.some((c) => c.length > 0)),
      error,
    };
  }

  private trusteePanel(): TrusteePanel | null {
    const stage = this.currentTrusteeStage();
    if (!stage) return null;
    return {
      stage,
      code: stage === 'show' ? this.draftCode : null,
      confirmError: this.confirmError,
      restoreError: this.restoreError,
      restored: this.restored,
      error: this.trusteeError,
    };
  }
}
