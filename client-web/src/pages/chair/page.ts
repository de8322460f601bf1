// The chair console (`#/chair?session=ID`): signs in with the chair code, follows the chain on
// /ws from record 0 and verifies every record in Web Workers, and offers seal / open / close /
// reveal / adjourn when the verified state allows them, each behind a confirmation.

import { describeError, tc } from '../../i18n/common';
import { onLangChange } from '../../i18n/i18n';
import { ApiError } from '../../net/errors';
import { ReconnectingSocket, type Message } from '../../net/socket';
import { confirmDialog, h, replace } from '../../ui/dom';
import type { MountPage } from '../../ui/page';
import { routeHref } from '../../ui/router';
import { VerifierClient, type VerifierSnapshot } from '../../verify/client';
import type { RoundInfo } from '../../verify/types';
import { ChairCodeStore, checkChairCode, isSessionId } from './chair-code';
import { parseRecordPush, RecordFeed } from './feed';
import { chairView, parseProgress, summarise, type ChairView, type Progress, type RoundView } from './model';
import { t, type Key } from './strings';
import './chair.css';

type Notice = { kind: 'ok' | 'error' | 'busy'; text: () => string } | null;

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export const mount: MountPage = (ctx) => {
  const session = ctx.params.get('session');
  if (!isSessionId(session)) {
    const paint = () => {
      ctx.shell.setTitle(t('title'));
      replace(ctx.shell.main, h('p', { class: 'error', role: 'alert' }, t('no_session')), h('p', null, h('a', { href: routeHref('') }, t('to_start'))));
    };
    paint();
    return onLangChange(paint);
  }

  const codes = new ChairCodeStore(sessionStorageOrNull(), session);
  let code: string | null = codes.get();
  let loginMessage: (() => string) | null = null;
  let socket: ReconnectingSocket | null = null;
  let verifier: VerifierClient | null = null;
  let unsubscribeVerifier: (() => void) | null = null;
  let snapshot: VerifierSnapshot | null = null;
  let progress: Progress | null = null;
  let feed = new RecordFeed();
  let busy = false;
  let notice: Notice = null;
  let membersOpen = false;

  // Persistent regions, so that screen readers announce what changes in them.
  const noticeBox = h('div', { class: 'chair-notice', role: 'status', 'aria-live': 'polite', 'data-testid': 'chair-notice' });
  const board = h('div', { class: 'chair-board' });

  // ---- connection -----------------------------------------------------------------------------
  const stopConnection = () => {
    socket?.stop();
    socket = null;
    unsubscribeVerifier?.();
    unsubscribeVerifier = null;
    verifier?.terminate();
    verifier = null;
    snapshot = null;
    progress = null;
    feed = new RecordFeed();
  };

  const signedOut = (message: (() => string) | null) => {
    stopConnection();
    code = null;
    codes.clear();
    loginMessage = message;
    ctx.shell.setConnection('online');
    ctx.shell.setWarning(null);
    render();
  };

  const startConnection = () => {
    stopConnection();
    verifier = new VerifierClient();
    unsubscribeVerifier = verifier.onUpdate((s) => {
      snapshot = s;
      render();
    });
    const s = new ReconnectingSocket({
      path: () => '/ws',
      hello: () => ({ session, code: code ?? '', from: feed.next }),
      onHello: (reply: Message) => {
        if (reply.role !== 'chair') throw new ApiError('FORBIDDEN', 'role: the code is not the chair code');
        if (code) codes.set(code);
      },
      onHelloError: (error) => {
        if (error.code === 'UNAUTHORIZED' || error.code === 'BAD_REQUEST' || error.code === 'FORBIDDEN') {
          // Asynchronously: the socket is stopping itself when this returns false.
          queueMicrotask(() => signedOut(() => t('code_refused', { error: describeError(error) })));
          return false;
        }
        if (error.code === 'NOT_FOUND') {
          queueMicrotask(() => signedOut(() => t('session_unknown')));
          return false;
        }
        return error.retryable;
      },
      onPush: (m) => {
        const record = parseRecordPush(m);
        if (record) {
          const verdict = feed.take(record);
          if (verdict === 'accepted') verifier?.push([record]);
          else if (verdict === 'gap' && socket) {
            // Start again from the first missing record (docs/PROTOCOL.md §3 promises no gaps).
            socket.stop();
            socket.start();
          }
          return;
        }
        const p = parseProgress(m);
        if (p) {
          progress = p;
          render();
        }
      },
      onState: (state) => ctx.shell.setConnection(state),
    });
    socket = s;
    s.start();
  };

  // ---- actions --------------------------------------------------------------------------------
  const act = async (
    confirmText: string,
    confirmLabel: string,
    type: string,
    fields: Message,
    done: (seq: string) => string,
  ) => {
    if (busy || !socket) return;
    if (!(await confirmDialog(confirmText, confirmLabel, tc('cancel')))) return;
    busy = true;
    notice = { kind: 'busy', text: () => t('working') };
    render();
    try {
      const reply = await socket.request(type, fields);
      const seq = typeof reply.seq === 'number' ? String(reply.seq) : '?';
      notice = { kind: 'ok', text: () => done(seq) };
    } catch (e) {
      notice = { kind: 'error', text: () => t('action_failed', { error: describeError(e) }) };
    } finally {
      busy = false;
    }
    render();
  };

  const roundInfo = (n: number): RoundInfo | undefined => snapshot?.rounds.find((r) => r.round === n);

  const seal = (view: ChairView) => {
    const count = view.keys?.scrutineers.length ?? 0;
    void act(count === 0 ? t('seal_confirm_none') : t('seal_confirm', { count }), t('seal_key'), 'seal_key', {}, (seq) => t('done_seal', { seq }));
  };
  const open = (r: RoundView, view: ChairView) =>
    void act(t('open_confirm', { round: r.round, title: r.title, present: view.attendance.present }), t('open'), 'open_round', { round: r.round }, (seq) => t('done_open', { round: r.round, seq }));
  const close = (r: RoundView) =>
    void act(t('close_confirm', { round: r.round, title: r.title, ballots: r.live?.ballots ?? 0 }), t('close'), 'close_round', { round: r.round }, (seq) => t('done_close', { round: r.round, seq }));
  const reveal = (r: RoundView) =>
    void act(t('reveal_confirm', { round: r.round, title: r.title }), t('reveal'), 'reveal', { round: r.round }, (seq) => t('done_reveal', { round: r.round, seq }));
  const adjourn = (view: ChairView) =>
    void act(
      view.unrevealed > 0 ? t('adjourn_confirm_pending', { count: view.unrevealed }) : t('adjourn_confirm'),
      t('adjourn'),
      'adjourn',
      {},
      (seq) => t('done_adjourn', { seq }),
    );

  // ---- painting -------------------------------------------------------------------------------
  const codeInput = h('input', { type: 'password', id: 'chair-code-input', 'data-testid': 'chair-code', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters' });
  const codeLabel = h('label', { for: 'chair-code-input' });
  const loginButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'chair-login' });
  const loginStatus = h('div', { role: 'status', 'aria-live': 'polite' });
  const loginHeading = h('h2');
  const loginIntro = h('p', { class: 'muted' });
  const loginForm = h('form', { class: 'card chair-login', novalidate: true }, loginHeading, loginIntro, h('div', { class: 'field' }, codeLabel, codeInput), h('div', { class: 'actions' }, loginButton), loginStatus);
  loginForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const check = checkChairCode(codeInput.value);
    if (!check.ok) {
      loginMessage = () => t(check.code === 'empty' ? 'code_empty' : 'code_invalid');
      render();
      codeInput.focus();
      return;
    }
    code = check.code;
    codeInput.value = '';
    loginMessage = null;
    startConnection();
    render();
  });

  const attendanceCard = (view: ChairView) => {
    const q = view.quorum!;
    const lhs = (BigInt(q.present) * BigInt(q.den)).toString();
    const rhs = (BigInt(q.members) * BigInt(q.num)).toString();
    const members = snapshot?.session?.members ?? [];
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'chair-attendance-h' },
      h('h2', { id: 'chair-attendance-h' }, t('attendance_heading')),
      h(
        'p',
        { class: 'attendance', 'data-testid': 'attendance', 'data-members': view.attendance.members, 'data-present': view.attendance.present },
        t('attendance', { members: view.attendance.members, present: view.attendance.present }),
      ),
      h(
        'div',
        { class: q.met ? 'notice' : 'warn', 'data-testid': 'quorum', 'data-met': q.met ? 'true' : 'false' },
        h('strong', null, q.met ? t('quorum_met') : t('quorum_not_met')),
        h('p', null, t('quorum_rule', { num: q.num, den: q.den, present: q.present, members: q.members, lhs, rhs })),
        q.met ? null : h('p', null, q.needed === null ? t('quorum_impossible') : t('quorum_needed', { needed: q.needed })),
      ),
      h(
        'details',
        // The board is rebuilt on every update; the list stays as the chair left it.
        { open: membersOpen, ontoggle: (e: Event) => (membersOpen = (e.currentTarget as HTMLDetailsElement).open) },
        h('summary', null, t('members_list')),
        h(
          'ul',
          { class: 'member-list', 'data-testid': 'member-list' },
          members.map((m) =>
            h(
              'li',
              { 'data-member': m.id, 'data-present': m.present ? 'true' : 'false' },
              h('span', { class: m.present ? 'badge ok' : 'badge wait' }, m.present ? t('present') : t('absent')),
              ' ',
              m.name,
              m.seat ? h('span', { class: 'muted' }, ` (${m.seat})`) : null,
              m.scrutineer ? h('span', { class: 'muted' }, ` · ${t('scrutineer_tag')}`) : null,
            ),
          ),
        ),
      ),
    );
  };

  const keysCard = (view: ChairView) => {
    const k = view.keys!;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'chair-keys-h', 'data-testid': 'keys' },
      h('h2', { id: 'chair-keys-h' }, t('keys_heading')),
      k.noScrutineers ? h('p', { class: 'warn', 'data-testid': 'no-scrutineers' }, t('no_scrutineers')) : null,
      k.scrutineers.length > 0
        ? h(
            'ul',
            { class: 'key-list' },
            k.scrutineers.map((s) =>
              h('li', { 'data-testid': `key-${s.id}`, 'data-received': s.received ? 'true' : 'false' }, h('span', { class: s.received ? 'badge ok' : 'badge wait' }, s.received ? t('key_received') : t('key_missing')), ' ', s.name),
            ),
          )
        : null,
      k.sealed
        ? h('p', { class: 'notice', 'data-testid': 'key-sealed' }, t('sealed'))
        : h(
            'div',
            null,
            h('p', null, k.missing.length === 0 ? t('keys_all_in') : t('keys_waiting', { count: k.missing.length, names: k.scrutineers.filter((s) => !s.received).map((s) => s.name).join('、') })),
            h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-testid': 'seal-key', disabled: !k.canSeal, onclick: () => seal(view) }, t('seal_key'))),
          ),
    );
  };

  const resultSummary = (r: RoundView) => {
    const info = roundInfo(r.round);
    if (!info) return null;
    return h(
      'div',
      { class: 'result', 'data-testid': `result-${r.round}` },
      h('h4', null, t('result_heading')),
      summarise(info).map((c) =>
        h(
          'div',
          { class: 'result-contest', 'data-contest': c.id },
          h('h5', null, c.title, c.passed === null ? null : h('span', { class: c.passed ? 'badge ok' : 'badge bad' }, ' ', c.passed ? t('passed') : t('not_passed'))),
          h(
            'table',
            { class: 'counts' },
            h('tbody', null, c.options.map((o) => h('tr', null, h('th', { scope: 'row' }, o.label), h('td', null, o.count)))),
          ),
          h(
            'p',
            null,
            r.kind === 'evaluation' ? [c.grade === null ? t('no_grade') : t('grade', { grade: c.grade }), c.rate ? ` · ${t('rate', { rate: c.rate })}` : '', c.score ? ` · ${t('score', { score: c.score })}` : '', c.rank !== null ? ` · ${t('rank', { rank: c.rank })}` : ''] : null,
            r.kind === 'selection' ? [c.selected && c.selected.length > 0 ? t('selected', { names: c.selected.join('、') }) : t('selected_none'), c.tied && c.tied.length > 0 ? ` · ${t('tied', { names: c.tied.join('、') })}` : ''] : null,
          ),
        ),
      ),
    );
  };

  const roundCard = (r: RoundView, view: ChairView) => {
    const blockText = r.openBlock && r.status === 'defined' ? t(`block.${r.openBlock}` as Key, { open: view.openRound ?? '' }) : '';
    const trusteeLabel = (id: string, name: string) => (id === 'server' ? t('trustee_server') : name);
    return h(
      'article',
      { class: `card round status-${r.status}`, 'data-testid': `round-${r.round}`, 'data-status': r.status },
      h('h3', null, t('round_heading', { round: r.round, title: r.title }), ' ', h('span', { class: 'muted' }, t(`kind_${r.kind}` as Key))),
      h('p', null, h('span', { class: r.status === 'open' ? 'badge ok' : r.status === 'revealed' ? 'badge ok' : 'badge wait', 'data-testid': `status-${r.round}` }, t(`status.${r.status}` as Key))),
      r.live
        ? h(
            'p',
            { class: 'progress', 'data-testid': `progress-${r.round}`, 'data-tokens': r.live.tokens, 'data-ballots': r.live.ballots, 'data-present': r.live.present },
            t('progress', { tokens: r.live.tokens, present: r.live.present, ballots: r.live.ballots }),
            r.live.voted === null ? '' : t('progress_voted', { voted: r.live.voted }),
          )
        : null,
      r.ballots !== null ? h('p', { 'data-testid': `ballots-${r.round}` }, t('ballots_count', { ballots: r.ballots })) : null,
      r.comparisonCode
        ? h(
            'div',
            { class: 'comparison' },
            h('p', { class: 'card-label' }, t('comparison_code')),
            h('p', { class: 'comparison-code mono', 'data-testid': `comparison-code-${r.round}` }, r.comparisonCode),
            r.status === 'closed' ? h('p', { class: 'muted' }, t('comparison_hint')) : null,
          )
        : null,
      r.decryption
        ? h(
            'div',
            { class: 'decryption', 'data-testid': `decrypt-status-${r.round}`, 'data-done': r.decryption.done, 'data-total': r.decryption.expected.length },
            h('h4', null, t('decrypt_heading')),
            r.decryption.needed
              ? [
                  h('p', null, t('decrypt_progress', { done: r.decryption.done, total: r.decryption.expected.length })),
                  h(
                    'ul',
                    { class: 'key-list' },
                    r.decryption.expected.map((e) =>
                      h('li', { 'data-trustee': e.id, 'data-done': e.done ? 'true' : 'false' }, h('span', { class: e.done ? 'badge ok' : 'badge wait' }, e.done ? t('share_in') : t('share_waiting')), ' ', trusteeLabel(e.id, e.name)),
                    ),
                  ),
                ]
              : h('p', null, t('decrypt_none')),
          )
        : null,
      r.undeclared !== null && r.undeclared !== 0
        ? h('p', { class: r.undeclared > 0 ? 'error' : 'warn', 'data-testid': `undeclared-${r.round}` }, r.undeclared > 0 ? t('undeclared_warn', { count: r.undeclared }) : t('undeclared', { count: r.undeclared }))
        : null,
      r.status === 'revealed' ? resultSummary(r) : r.status === 'resulted' ? h('p', { class: 'muted' }, t('result_pending')) : null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-testid': `open-${r.round}`, 'aria-label': t('open_label', { round: r.round }), disabled: !r.canOpen, onclick: () => open(r, view) }, t('open')),
        h('button', { type: 'button', class: 'danger', 'data-testid': `close-${r.round}`, 'aria-label': t('close_label', { round: r.round }), disabled: !r.canClose, onclick: () => close(r) }, t('close')),
        h('button', { type: 'button', class: 'primary', 'data-testid': `reveal-${r.round}`, 'aria-label': t('reveal_label', { round: r.round }), disabled: !r.canReveal, onclick: () => reveal(r) }, t('reveal')),
      ),
      blockText ? h('p', { class: 'muted block-reason' }, blockText) : null,
    );
  };

  const dashboard = (view: ChairView) => {
    const s = snapshot!.session!;
    const failure = view.failure;
    return [
      h('p', { class: 'session-line' }, h('strong', null, s.title), ' · ', s.committee, ' · ', s.date),
      failure
        ? h('p', { class: 'error', role: 'alert', 'data-testid': 'verify-failure' }, t('verify_failed', { seq: failure.seq, code: failure.code, field: failure.field || '—', message: failure.message }))
        : h('p', { class: 'muted', 'data-testid': 'verified' }, '✓ ', t('verified', { count: snapshot!.length })),
      view.adjourned ? h('p', { class: 'warn', 'data-testid': 'adjourned' }, t('adjourned')) : null,
      h('div', { class: 'chair-top' }, attendanceCard(view), keysCard(view)),
      h(
        'section',
        { 'aria-labelledby': 'chair-rounds-h' },
        h('h2', { id: 'chair-rounds-h' }, t('rounds_heading')),
        view.rounds.length === 0 ? h('p', { class: 'muted' }, t('no_rounds')) : view.rounds.map((r) => roundCard(r, view)),
      ),
      view.adjourned
        ? null
        : h('div', { class: 'actions adjourn-row' }, h('button', { type: 'button', class: 'danger', 'data-testid': 'adjourn', disabled: !view.canAdjourn, onclick: () => adjourn(view) }, t('adjourn'))),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', 'data-testid': 'chair-logout', onclick: () => signedOut(null) }, t('logout'))),
    ];
  };

  const render = () => {
    ctx.shell.setTitle(t('title'));
    if (code === null) {
      loginHeading.textContent = t('login_heading');
      loginIntro.textContent = t('login_intro');
      codeLabel.textContent = t('chair_code');
      loginButton.textContent = t('chair_login');
      replace(loginStatus, loginMessage ? h('p', { class: 'error' }, loginMessage()) : null);
      replace(ctx.shell.main, loginForm);
      return;
    }
    replace(noticeBox, notice ? h('p', { class: notice.kind === 'error' ? 'error' : notice.kind === 'ok' ? 'notice' : 'muted' }, notice.text()) : null);
    if (!snapshot || !snapshot.session) {
      ctx.shell.setWarning(null);
      replace(board, h('p', { class: 'muted' }, snapshot?.failure ? t('verify_failed', { seq: snapshot.failure.seq, code: snapshot.failure.code, field: snapshot.failure.field || '—', message: snapshot.failure.message }) : t('connecting')));
    } else {
      const view = chairView({ session: snapshot.session, rounds: snapshot.rounds, progress, failure: snapshot.failure, busy });
      ctx.shell.setWarning(view.keys?.noScrutineers ? tc('no_scrutineers') : null);
      // Keep the focus on the control that had it: the board is rebuilt on every update.
      const focused = document.activeElement instanceof HTMLElement && board.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
      replace(board, dashboard(view));
      if (focused) board.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
    }
    if (!ctx.shell.main.contains(board)) replace(ctx.shell.main, noticeBox, board);
  };

  const unsubscribeLang = onLangChange(render);
  if (code !== null) startConnection();
  render();
  return () => {
    unsubscribeLang();
    stopConnection();
    ctx.shell.setWarning(null);
  };
};
