// The observer page (#/observer?session=ID): the session's live chain, every record verified in
// this browser by the Web Workers of VerifierClient, the checks per round, receipt lookup, the
// chain download, and a box that verifies a downloaded chain file. Public: no credential.

import { toHex, utf8 } from '../../crypto/bytes';
import { sha256 } from '../../crypto/hash';
import { onLangChange } from '../../i18n/i18n';
import { tc } from '../../i18n/common';
import { ChainFeed, followChain, readRecordHeader } from '../../net/chain-feed';
import { listSessions } from '../../net/http';
import { h, replace } from '../../ui/dom';
import type { MountPage } from '../../ui/page';
import { VerifierClient, type VerifierSnapshot } from '../../verify/client';
import { chainLines } from '../../verify/chain-file';
import { failureText } from '../../verify/failure-text';
import { shortHash } from '../projector/format';
import { chainFileBlob, chainFileName, headFileName, headFileText } from './download';
import { pageOfSeq, recordRows, roundChecks, tableWindow, verifyStatus } from './model';
import { normalizeReceiptQuery, receiptAnswer, type ReceiptAnswer } from './receipt';
import { to } from './strings';
import { createObserverScreen, type FileResult } from './view';
import './observer.css';

/** Rows per page of the record table: a whole small session on the first page, and a page that
 *  repaints in a few milliseconds. */
const PAGE_SIZE = 250;
/** The most a verified-file check reads: far above any real session (DESIGN.md §4's largest
 *  lines times 10,000 records), low enough not to take the tab down. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Repaints at the next animation frame, or within 250 ms when frames are not running (a
// background tab), whichever is first; several requests in between cost one repaint.
function frameScheduler(paint: () => void): { request: () => void; cancel: () => void } {
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    if (frame !== null) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
    paint();
  };
  return {
    request() {
      if (frame !== null || timer !== null) return;
      frame = requestAnimationFrame(run);
      timer = setTimeout(run, 250);
    },
    cancel() {
      if (frame !== null) cancelAnimationFrame(frame);
      if (timer !== null) clearTimeout(timer);
      frame = null;
      timer = null;
    },
  };
}

/** The type of record `seq`: the verifier's when it accepted it, else read from the line. */
function typeOf(seq: number, snapshot: VerifierSnapshot | null, feed: ChainFeed): string | null {
  const known = snapshot?.recordTypes[seq];
  if (known) return known;
  const line = feed.line(seq);
  return line ? readRecordHeader(line).type || null : null;
}

export const mount: MountPage = (ctx) => {
  ctx.shell.setTitle(to('page_title'));
  const session = ctx.params.get('session') ?? '';
  if (!/^[0-9a-f]{64}$/.test(session)) {
    replace(ctx.shell.main, h('p', { class: 'error', role: 'alert' }, to('bad_session')));
    const off = onLangChange(() => {
      ctx.shell.setTitle(to('page_title'));
      replace(ctx.shell.main, h('p', { class: 'error', role: 'alert' }, to('bad_session')));
    });
    return off;
  }

  const feed = new ChainFeed();
  const verifier = new VerifierClient();
  let snapshot: VerifierSnapshot | null = null;
  let caughtUp = false;
  let online = false;
  let listedLength: number | null = null;
  let page: number | 'last' = 0;
  let follow = false;
  let receipt: { query: string; answer: ReceiptAnswer } | null = null;
  // The file check's verdict, as a function so that it is worded again after a language switch.
  let fileResult: (() => FileResult) | null = null;
  let fileCheck: { client: VerifierClient; cancelled: boolean } | null = null;
  const hashes = new Map<number, string>();

  const hashOf = (seq: number, line: string): string => {
    let hash = hashes.get(seq);
    if (hash === undefined) {
      hash = toHex(sha256(utf8(line)));
      hashes.set(seq, hash);
    }
    return hash;
  };

  const status = () => verifyStatus(snapshot, feed.next, caughtUp, listedLength);

  const lookup = async (query: string) => {
    const q = normalizeReceiptQuery(query);
    const loading = status().state === 'running';
    const match = q.kind === 'code' || q.kind === 'hash' ? await verifier.findReceipt(q.value) : null;
    receipt = { query, answer: receiptAnswer(q, match, loading) };
    screen.paintReceipt(receipt.answer);
    if (match) {
      // Show the ballot's row in the table too.
      follow = false;
      page = pageOfSeq(match.seq, PAGE_SIZE);
      painter.request();
    }
  };

  const showFile = (result: () => FileResult) => {
    fileResult = result;
    screen.paintFile(result());
  };

  const checkFile = async (file: File) => {
    if (fileCheck) {
      fileCheck.cancelled = true;
      fileCheck.client.terminate();
    }
    const name = file.name;
    if (file.size > MAX_FILE_BYTES) {
      showFile(() => ({ tone: 'bad', text: to('verify_file_unreadable', { name }), detail: null }));
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch {
      showFile(() => ({ tone: 'bad', text: to('verify_file_unreadable', { name }), detail: null }));
      return;
    }
    const lines = chainLines(text);
    if (lines.length === 0) {
      showFile(() => ({ tone: 'bad', text: to('verify_file_empty', { name }), detail: null }));
      return;
    }
    // Its own verifier in its own workers: the page stays responsive, the live chain keeps going.
    const check = { client: new VerifierClient(), cancelled: false };
    fileCheck = check;
    const total = lines.length;
    showFile(() => ({ tone: 'warn', text: to('verify_file_running', { name, done: 0, total }), detail: null }));
    check.client.push(lines.map((line, seq) => ({ seq, line })));
    let done: VerifierSnapshot | null = null;
    while (!check.cancelled) {
      const s = await check.client.snapshot();
      if (s.failure || s.length >= total) {
        done = s;
        break;
      }
      if (!check.cancelled) showFile(() => ({ tone: 'warn', text: to('verify_file_running', { name, done: s.length, total }), detail: null }));
      await new Promise((r) => setTimeout(r, 300));
    }
    check.client.terminate();
    if (check.cancelled || !done) return;
    fileCheck = null;
    const common = Math.min(lines.length, feed.next);
    let differs = -1;
    for (let seq = 0; seq < common; seq++) {
      if (lines[seq] !== feed.line(seq)) {
        differs = seq;
        break;
      }
    }
    const detail = () => (common === 0 ? null : differs < 0 ? to('verify_file_same') : to('verify_file_different', { seq: differs }));
    const verdict = done;
    if (verdict.failure) {
      const failure = verdict.failure;
      const line = lines[failure.seq];
      const type = verdict.recordTypes[failure.seq] ?? (line ? readRecordHeader(line).type : '');
      showFile(() => {
        const f = failureText(failure, type || null);
        return { tone: 'bad', text: to('verify_file_failed', { name, where: f.where, field: f.field, reason: f.reason }), detail: detail() };
      });
    } else {
      const head = verdict.headHash ? shortHash(verdict.headHash) : '—';
      showFile(() => ({ tone: 'ok', text: to('verify_file_ok', { name, n: verdict.length, head }), detail: detail() }));
    }
  };

  const screen = createObserverScreen(ctx.shell.main, {
    onLookup: (query) => void lookup(query),
    onDownloadChain: () => {
      const verified = snapshot?.length ?? 0;
      if (verified === 0) return;
      download(chainFileName(session), chainFileBlob(feed.linesUpTo(verified)));
    },
    onDownloadHead: () => {
      const verified = snapshot?.length ?? 0;
      const sig = feed.sig(verified - 1);
      if (verified === 0 || !snapshot?.headHash || !sig) return;
      download(headFileName(session), new Blob([headFileText({ seq: verified - 1, hash: snapshot.headHash, sig })], { type: 'application/json' }));
    },
    onVerifyFile: (file) => void checkFile(file),
    onPage: (p) => {
      follow = false;
      page = p;
      painter.request();
    },
    onFollow: (f) => {
      follow = f;
      if (!f) page = tableWindow(feed.next, PAGE_SIZE, 'last').page;
      painter.request();
    },
  });

  let lastStatus = '';
  const paint = () => {
    const s = status();
    const info = snapshot?.session ?? null;
    ctx.shell.setWarning(info && info.scrutineers.length === 0 ? tc('no_scrutineers') : null);
    screen.paintHeader(info ? { title: info.title, committee: info.committee, date: info.date, noScrutineers: info.scrutineers.length === 0 } : null);
    screen.paintStatus(s, online);
    const failure = snapshot?.failure ?? null;
    screen.paintFailure(failure ? failureText(failure, typeOf(failure.seq, snapshot, feed)) : null);
    screen.paintRounds(roundChecks(snapshot));
    const window = tableWindow(feed.next, PAGE_SIZE, follow ? 'last' : page);
    if (!follow) page = window.page;
    screen.paintTable(window, recordRows(window, (seq) => feed.line(seq), snapshot, hashOf), follow);
    screen.paintDownloads(snapshot?.length ?? 0);
    // A receipt looked up while the chain was still loading is looked up again once it is in.
    if (receipt && !receipt.answer.found && s.state !== 'running' && lastStatus === 'running') void lookup(receipt.query);
    lastStatus = s.state;
  };
  const painter = frameScheduler(paint);

  const offUpdate = verifier.onUpdate((s) => {
    snapshot = s;
    painter.request();
  });
  const stopFeed = followChain(session, feed, {
    onRecords: (records) => {
      verifier.push(records);
      painter.request();
    },
    onState: (state) => {
      online = state === 'online';
      ctx.shell.setConnection(state);
      painter.request();
    },
    onCaughtUp: () => {
      caughtUp = true;
      painter.request();
    },
  });

  let stopped = false;
  listSessions()
    .then((sessions) => {
      if (stopped) return;
      const entry = sessions.find((s) => s.session === session);
      if (entry) {
        listedLength = entry.length;
        painter.request();
        return;
      }
      // The server refuses /observe for a session it does not hold: stop asking, and say why.
      stopFeed();
      painter.cancel();
      offUpdate();
      replace(ctx.shell.main, h('p', { class: 'error', role: 'alert' }, to('session_unknown')));
    })
    .catch(() => {
      // The list is only a progress hint; the feed itself reports the connection.
    });

  const offLang = onLangChange(() => {
    ctx.shell.setTitle(to('page_title'));
    screen.invalidate();
    if (receipt) void lookup(receipt.query);
    if (fileResult) screen.paintFile(fileResult());
    painter.request();
  });
  painter.request();

  return () => {
    stopped = true;
    painter.cancel();
    offLang();
    offUpdate();
    stopFeed();
    verifier.terminate();
    if (fileCheck) {
      fileCheck.cancelled = true;
      fileCheck.client.terminate();
    }
    screen.destroy();
  };
};
