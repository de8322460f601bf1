// The observer page's DOM. Regions repaint only when what they show changed, and the record
// table holds one page of rows, so that a 20,000-record chain verifying at full speed costs a
// few small repaints per animation frame, never a table of 20,000 rows.

import { getLang } from '../../i18n/i18n';
import { h, replace, type Child } from '../../ui/dom';
import { undeclaredText } from '../projector/format';
import type { FailureText } from '../../verify/failure-text';
import type { RecordRow, RoundCheck, TableWindow, VerifyStatus } from './model';
import type { ReceiptAnswer } from './receipt';
import { to } from './strings';

export interface SessionHeader {
  title: string;
  committee: string;
  date: string;
  noScrutineers: boolean;
}

export interface FileResult {
  tone: 'ok' | 'warn' | 'bad';
  text: string;
  detail: string | null;
}

export interface ObserverHandlers {
  onLookup: (query: string) => void;
  onDownloadChain: () => void;
  onDownloadHead: () => void;
  onVerifyFile: (file: File) => void;
  onPage: (page: number | 'last') => void;
  onFollow: (follow: boolean) => void;
}

export interface ObserverScreen {
  paintHeader(header: SessionHeader | null): void;
  paintStatus(status: VerifyStatus, live: boolean): void;
  paintFailure(failure: FailureText | null): void;
  paintRounds(checks: RoundCheck[]): void;
  paintTable(window: TableWindow, rows: RecordRow[], follow: boolean): void;
  paintReceipt(answer: ReceiptAnswer | null): void;
  paintDownloads(verified: number): void;
  paintFile(result: FileResult | null): void;
  /** The language changed: every region repaints on its next call. */
  invalidate(): void;
  destroy(): void;
}

function labelled(label: string, value: Child, testid?: string): HTMLElement {
  return h('div', { class: 'ob-fact', 'data-testid': testid ?? null }, h('dt', null, label), h('dd', null, value));
}

function countsText(options: string[], counts: number[] | null): string {
  if (!counts) return to('not_yet');
  return counts.map((n, i) => to('count_item', { label: options[i] ?? String(i), n })).join(to('count_separator'));
}

function roundStateText(state: RoundCheck['state']): string {
  return to(`round_state_${state}`);
}

function roundCard(c: RoundCheck, open: boolean): HTMLElement {
  const undeclared = c.undeclaredRecomputed === null ? null : undeclaredText(c.undeclaredRecomputed);
  const facts = h(
    'dl',
    { class: 'ob-facts' },
    labelled(to('round_present'), c.present ?? to('not_yet')),
    labelled(to('round_tokens'), c.tokens),
    labelled(to('round_ballots'), c.ballots),
    labelled(to('round_declared'), c.declared ?? to('not_yet')),
    labelled(to('round_undeclared'), c.undeclaredRecomputed ?? to('not_yet'), `round-undeclared-${c.round}`),
    labelled(to('round_undeclared_recorded'), c.undeclaredRecorded ?? to('not_yet')),
    labelled(
      to('round_sums'),
      c.status === 'defined' || c.status === 'open' ? to('round_sums_pending') : c.sumsVerified || c.ballots === 0 ? to('round_sums_ok') : to('not_yet'),
    ),
    labelled(to('round_decryptions'), c.status === 'defined' || c.status === 'open' ? to('not_yet') : `${c.decryptions} / ${c.trustees}`),
    labelled(to('round_comparison'), c.comparisonCode ? h('span', { class: 'mono' }, c.comparisonCode) : to('not_yet')),
  );
  const table = h(
    'table',
    { class: 'ob-counts' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, to('col_target')),
        h('th', { scope: 'col' }, to('col_recomputed')),
        h('th', { scope: 'col' }, to('col_recorded')),
        h('th', { scope: 'col' }, to('col_match')),
      ),
    ),
    h(
      'tbody',
      null,
      c.contests.map((k) =>
        h(
          'tr',
          { 'data-contest': k.id, 'data-match': k.match === null ? '' : String(k.match) },
          h('th', { scope: 'row' }, k.title),
          h('td', null, countsText(k.options, k.recomputed)),
          h('td', null, countsText(k.options, k.recorded)),
          h('td', { class: k.match === false ? 'check-bad' : k.match ? 'check-ok' : '' }, k.match === null ? to('not_yet') : to(k.match ? 'match_yes' : 'match_no')),
        ),
      ),
    ),
  );
  const badge = c.state === 'ok' ? 'ok' : c.state === 'failed' ? 'bad' : 'wait';
  return h(
    'details',
    { class: `card ob-round ${c.state}`, 'data-testid': `round-check-${c.round}`, 'data-state': c.state, open },
    h(
      'summary',
      null,
      h('span', { class: 'ob-round-title' }, to('round_title', { round: c.round, title: c.title })),
      ' ',
      h('span', { class: 'muted' }, `${to(`kind.${c.kind}`)} · ${to(`status.${c.status}`)}`),
      ' ',
      h('span', { class: `badge ${badge}` }, roundStateText(c.state)),
    ),
    facts,
    undeclared && c.state !== 'failed' ? h('p', { class: undeclared.tone === 'ok' ? 'notice' : 'error' }, undeclared.text, ' ', undeclared.explanation) : null,
    h('div', { class: 'ob-table-wrap' }, table),
  );
}

const ROW_TEXT: Record<RecordRow['state'], Parameters<typeof to>[0]> = {
  ok: 'row_ok',
  failed: 'row_failed',
  unverified: 'row_unverified',
  pending: 'row_pending',
};

// Local time of the chain's UTC instant, to the second; the exact recorded text is the title.
function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function createObserverScreen(main: HTMLElement, handlers: ObserverHandlers): ObserverScreen {
  const painted = new Map<string, string>();
  const region = (name: string, key: unknown, paint: () => void) => {
    const k = JSON.stringify([key, getLang()]);
    if (painted.get(name) === k) return;
    painted.set(name, k);
    paint();
  };

  const title = h('h2', { class: 'ob-title' });
  const sub = h('p', { class: 'muted ob-sub' });
  const statusText = h('p', { class: 'ob-status-text' });
  const statusLive = h('p', { class: 'muted ob-live' });
  const progressBar = h('progress', { class: 'ob-progress', max: 100, value: 0 });
  const status = h(
    'section',
    { class: 'card ob-status', 'data-testid': 'verify-status', 'data-state': 'running', role: 'status', 'aria-live': 'polite' },
    statusText,
    progressBar,
    statusLive,
  );
  const failure = h('section', { class: 'card ob-failure', role: 'alert', 'data-testid': 'verify-failure', hidden: true });
  const explain = h('details', { class: 'card ob-explain' });
  const noScrutineers = h('p', { class: 'warn', hidden: true });

  const receiptInput = h('input', {
    type: 'text',
    id: 'ob-receipt',
    'data-testid': 'receipt-input',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    inputmode: 'text',
  });
  const receiptLabel = h('label', { for: 'ob-receipt' });
  const receiptButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'receipt-lookup' });
  const receiptResult = h('p', { class: 'ob-receipt-result', 'data-testid': 'receipt-result', role: 'status', 'aria-live': 'polite', hidden: true });
  const receiptHeading = h('h2');
  const receiptForm = h(
    'form',
    {
      class: 'card ob-receipt',
      onsubmit: (e: Event) => {
        e.preventDefault();
        handlers.onLookup(receiptInput.value);
      },
    },
    receiptHeading,
    receiptLabel,
    h('div', { class: 'ob-receipt-row' }, receiptInput, receiptButton),
    receiptResult,
  );

  const roundsHeading = h('h2');
  const roundsList = h('div', { class: 'ob-rounds-list' });
  // Cards the reader opened or closed stay so across repaints; the others follow the default
  // (the latest round open, and any failed one).
  const chosenOpen = new Map<string, boolean>();
  roundsList.addEventListener('click', (e) => {
    const summary = (e.target as Element | null)?.closest?.('summary');
    const details = summary?.parentElement;
    if (details instanceof HTMLDetailsElement && details.dataset.testid) chosenOpen.set(details.dataset.testid, !details.open);
  });
  const rounds = h('section', { class: 'ob-rounds' }, roundsHeading, roundsList);

  const downloadHeading = h('h2');
  const downloadChain = h('button', { type: 'button', class: 'primary', 'data-testid': 'download-chain', onclick: () => handlers.onDownloadChain() });
  const downloadHead = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-head', onclick: () => handlers.onDownloadHead() });
  const downloadHint = h('p', { class: 'muted' });
  const fileInput = h('input', {
    type: 'file',
    id: 'ob-verify-file',
    accept: '.jsonl,application/x-ndjson,text/plain',
    'data-testid': 'verify-file',
    onchange: () => {
      const file = fileInput.files?.[0];
      if (file) handlers.onVerifyFile(file);
    },
  });
  const fileLabel = h('label', { for: 'ob-verify-file' });
  const fileResult = h('div', { class: 'ob-file-result', 'data-testid': 'verify-file-result', role: 'status', 'aria-live': 'polite', hidden: true });
  const downloads = h(
    'section',
    { class: 'card ob-downloads' },
    downloadHeading,
    h('div', { class: 'actions' }, downloadChain, downloadHead),
    downloadHint,
    fileLabel,
    fileInput,
    fileResult,
  );

  const recordsHeading = h('h2');
  const pageText = h('span', { class: 'ob-page-text', 'data-testid': 'records-page', role: 'status' });
  const pager = (label: () => string, page: () => number | 'last') => {
    const b = h('button', { type: 'button', class: 'secondary', onclick: () => handlers.onPage(page()) });
    return { b, label };
  };
  let current: TableWindow = { page: 0, pages: 1, start: 0, end: 0 };
  const first = pager(() => to('records_first'), () => 0);
  const prev = pager(() => to('records_prev'), () => Math.max(0, current.page - 1));
  const next = pager(() => to('records_next'), () => current.page + 1);
  const lastPage = pager(() => to('records_last'), () => 'last');
  // A toggle button (aria-pressed) rather than a checkbox: a full-size touch target with its label.
  const followButton = h('button', {
    type: 'button',
    class: 'secondary ob-follow',
    'data-testid': 'records-follow',
    'aria-pressed': 'false',
    onclick: () => handlers.onFollow(followButton.getAttribute('aria-pressed') !== 'true'),
  });
  const tableHead = h('thead');
  const tableBody = h('tbody');
  const records = h(
    'section',
    { class: 'card ob-records' },
    recordsHeading,
    h('div', { class: 'ob-pager' }, first.b, prev.b, pageText, next.b, lastPage.b, followButton),
    h('div', { class: 'ob-table-wrap' }, h('table', { class: 'ob-table', 'data-testid': 'records' }, tableHead, tableBody)),
  );

  const root = h(
    'div',
    { class: 'observer' },
    h('header', { class: 'ob-head' }, title, sub),
    noScrutineers,
    status,
    failure,
    explain,
    receiptForm,
    rounds,
    downloads,
    records,
  );
  replace(main, root);

  // Texts that change only with the language.
  const paintStatic = () => {
    region('static', null, () => {
      replace(
        explain,
        h('summary', null, to('explain_heading')),
        h('p', null, to('explain_1')),
        h('p', null, to('explain_2')),
        h('p', null, to('explain_3')),
        h('p', null, to('explain_4')),
      );
      receiptHeading.textContent = to('receipt_heading');
      receiptLabel.textContent = to('receipt_label');
      receiptButton.textContent = to('receipt_lookup');
      roundsHeading.textContent = to('rounds_heading');
      downloadHeading.textContent = to('download_heading');
      downloadChain.textContent = to('download_chain');
      downloadHead.textContent = to('download_head');
      fileLabel.textContent = to('verify_file_label');
      recordsHeading.textContent = to('records_heading');
      followButton.textContent = to('records_follow');
      for (const p of [first, prev, next, lastPage]) p.b.textContent = p.label();
      progressBar.setAttribute('aria-label', to('progress_label'));
      replace(
        tableHead,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, to('col_seq')),
          h('th', { scope: 'col' }, to('col_time')),
          h('th', { scope: 'col' }, to('col_type')),
          h('th', { scope: 'col' }, to('col_hash')),
          h('th', { scope: 'col' }, to('col_check')),
        ),
      );
    });
  };
  paintStatic();

  return {
    paintHeader(header) {
      paintStatic();
      region('header', header, () => {
        title.textContent = header?.title ?? '';
        sub.textContent = header ? to('session_line', { committee: header.committee, date: header.date }) : '';
        noScrutineers.hidden = !header?.noScrutineers;
        noScrutineers.textContent = header?.noScrutineers ? to('no_scrutineers_explain') : '';
      });
    },
    paintStatus(s, live) {
      region('status', [s, live], () => {
        status.dataset.state = s.state;
        status.dataset.verified = String(s.verified);
        status.dataset.total = String(s.total);
        status.className = `card ob-status ${s.state}`;
        statusText.textContent =
          s.state === 'ok'
            ? to('status_ok', { verified: s.verified })
            : s.state === 'failed'
              ? to('status_failed', { verified: s.verified })
              : s.total === 0
                ? to('status_waiting')
                : to('status_running', { verified: s.verified, total: s.total, percent: s.percent });
        progressBar.hidden = s.state !== 'running';
        progressBar.value = s.percent;
        statusLive.textContent = live && s.state === 'ok' ? to('status_live') : '';
      });
    },
    paintFailure(f) {
      region('failure', f, () => {
        failure.hidden = f === null;
        if (!f) return replace(failure);
        replace(
          failure,
          h('h2', null, to('failure_heading')),
          h(
            'dl',
            { class: 'ob-facts' },
            labelled(to('failure_record'), f.where),
            labelled(to('failure_field'), h('code', null, f.field)),
            labelled(to('failure_reason'), f.reason),
          ),
          h('p', null, to('failure_consequence')),
        );
      });
    },
    paintRounds(checks) {
      region('rounds', checks, () => {
        if (checks.length === 0) return replace(roundsList, h('p', { class: 'muted' }, to('rounds_none')));
        const lastActive = [...checks].reverse().find((c) => c.status !== 'defined')?.round;
        replace(
          roundsList,
          checks.map((c) => roundCard(c, chosenOpen.get(`round-check-${c.round}`) ?? (c.round === lastActive || c.state === 'failed'))),
        );
      });
    },
    paintTable(window, rows, follow) {
      current = window;
      region('table', [window, rows, follow], () => {
        pageText.textContent = to('records_page', { page: window.page + 1, pages: window.pages });
        first.b.disabled = prev.b.disabled = window.page === 0;
        next.b.disabled = lastPage.b.disabled = window.page >= window.pages - 1;
        followButton.setAttribute('aria-pressed', String(follow));
        replace(
          tableBody,
          rows.map((r) =>
            h(
              'tr',
              { 'data-testid': `record-${r.seq}`, 'data-ok': String(r.state === 'ok'), 'data-state': r.state, class: `ob-row ${r.state}` },
              h('td', { class: 'mono' }, r.seq),
              h('td', { title: r.time }, r.time ? localTime(r.time) : to('row_unreadable')),
              h('td', { class: 'mono' }, r.type || to('row_unreadable')),
              h('td', { class: 'mono', title: r.hash }, r.hash.slice(0, 16)),
              h('td', { class: r.state === 'ok' ? 'check-ok' : r.state === 'pending' ? 'muted' : 'check-bad' }, to(ROW_TEXT[r.state])),
            ),
          ),
        );
      });
    },
    paintReceipt(answer) {
      region('receipt', answer, () => {
        receiptResult.hidden = answer === null;
        if (!answer) return;
        receiptResult.dataset.found = String(answer.found);
        receiptResult.className = `ob-receipt-result ${answer.tone === 'ok' ? 'notice' : answer.tone === 'warn' ? 'warn' : 'error'}`;
        receiptResult.textContent = answer.text;
      });
    },
    paintDownloads(verified) {
      region('downloads', verified, () => {
        downloadChain.disabled = downloadHead.disabled = verified === 0;
        downloadHint.textContent = verified === 0 ? to('download_nothing') : to('download_hint', { n: verified });
      });
    },
    paintFile(result) {
      region('file', result, () => {
        fileResult.hidden = result === null;
        if (!result) return;
        fileResult.dataset.state = result.tone === 'ok' ? 'ok' : result.tone === 'warn' ? 'running' : 'failed';
        fileResult.className = `ob-file-result ${result.tone === 'ok' ? 'notice' : result.tone === 'warn' ? 'warn' : 'error'}`;
        replace(fileResult, h('p', null, result.text), result.detail ? h('p', null, result.detail) : null);
      });
    },
    invalidate() {
      painted.clear();
      paintStatic();
    },
    destroy() {
      root.remove();
    },
  };
}
