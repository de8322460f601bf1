// Managing an existing session: its members (reset a lost device → print the one new card; check
// a member out) and its agenda (add rounds). Every change goes through confirmDialog first.

import { describeError, tc } from '../../i18n/common';
import { apiPost, fetchChain, listSessions } from '../../net/http';
import { confirmDialog, h, replace } from '../../ui/dom';
import { absoluteRouteUrl, routeHref } from '../../ui/router';
import { memberCard, type Card } from './cards';
import { printView } from './cards-view';
import type { AdminAccess } from './create-view';
import { ChainReadError, readManagedSession, type ManagedMember, type ManagedSession } from './manage';
import { agendaList, kindShort, roundForm } from './round-form';
import type { RoundSpec } from './rounds';
import { memberPath, parseResetReply, ReplyError } from './session';
import { t } from './strings';
import { sessionEntries, type SessionEntry } from '../start/model';

export interface ManageView {
  el: HTMLElement;
  relabel(): void;
  holdsCodes(): boolean;
  /** Loads the session list (on first showing the tab). */
  activate(): void;
}

type Notice = { kind: 'ok' | 'error'; text: () => string } | null;

export function manageView(admin: AdminAccess): ManageView {
  let sessions: SessionEntry[] | null = null;
  let listError: unknown = null;
  let selected = '';
  let current: ManagedSession | null = null;
  let loading = false;
  let loadError: unknown = null;
  let busy = false;
  let notice: Notice = null;
  const pending: RoundSpec[] = [];
  // A reset's new code: held in memory until printed and dismissed.
  let resetCard: Card | null = null;
  let printing = false;

  const el = h('div', { class: 'manage-view' });
  const noticeBox = h('div', { role: 'status', 'aria-live': 'polite' });
  const select = h('select', { 'data-testid': 'manage-session', id: 'sec-manage-session' });
  const selectLabel = h('label', { for: 'sec-manage-session' });
  const loadButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'manage-load' });
  const refreshButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'manage-refresh' });
  const form = roundForm((round) => {
    pending.push(round);
    render();
  });
  select.addEventListener('change', () => {
    selected = select.value;
  });

  const fail = (e: unknown, fallback: (e: unknown) => Notice) => {
    if (admin.refused(e)) return;
    notice = fallback(e);
  };

  const loadList = async () => {
    try {
      sessions = sessionEntries(await listSessions(), routeHref);
      listError = null;
      if (!sessions.some((s) => s.session === selected)) selected = sessions[0]?.session ?? '';
    } catch (e) {
      listError = e;
    }
    render();
  };

  const loadSession = async (id: string) => {
    if (!id) return;
    loading = true;
    loadError = null;
    render();
    try {
      current = readManagedSession(id, await fetchChain(id, 0));
    } catch (e) {
      current = null;
      loadError = e;
    } finally {
      loading = false;
    }
    render();
  };
  loadButton.addEventListener('click', () => {
    notice = null;
    void loadSession(selected);
  });
  refreshButton.addEventListener('click', () => void loadList());

  const reset = async (s: ManagedSession, m: ManagedMember) => {
    if (busy) return;
    if (!(await confirmDialog(t('reset_confirm', { name: m.name, id: m.id }), t('reset_device'), tc('cancel')))) return;
    busy = true;
    notice = null;
    render();
    try {
      const code = parseResetReply(await apiPost(memberPath(s.session, m.id, 'reset'), undefined, { adminToken: admin.token() }), m.id);
      resetCard = memberCard(s.session, m, code, absoluteRouteUrl);
      notice = { kind: 'ok', text: () => t('reset_done', { name: m.name }) };
    } catch (e) {
      if (e instanceof ReplyError) notice = { kind: 'error', text: () => t('action_failed', { error: e.field }) };
      else fail(e, (err) => ({ kind: 'error', text: () => t('action_failed', { error: describeError(err) }) }));
    } finally {
      busy = false;
    }
    render();
  };

  const checkOut = async (s: ManagedSession, m: ManagedMember) => {
    if (busy) return;
    if (!(await confirmDialog(t('check_out_confirm', { name: m.name, id: m.id }), t('check_out'), tc('cancel')))) return;
    busy = true;
    notice = null;
    render();
    try {
      await apiPost(memberPath(s.session, m.id, 'check_out'), undefined, { adminToken: admin.token() });
      notice = { kind: 'ok', text: () => t('check_out_done', { name: m.name }) };
    } catch (e) {
      fail(e, (err) => ({ kind: 'error', text: () => t('action_failed', { error: describeError(err) }) }));
    } finally {
      busy = false;
    }
    await loadSession(s.session);
  };

  const addRounds = async (s: ManagedSession) => {
    if (busy || pending.length === 0) return;
    if (!(await confirmDialog(t('add_rounds_confirm', { count: pending.length }), t('add_rounds'), tc('cancel')))) return;
    busy = true;
    notice = null;
    render();
    try {
      const reply = await apiPost(`/api/sessions/${s.session}/rounds`, { rounds: pending }, { adminToken: admin.token() });
      const numbers = Array.isArray(reply.rounds) ? reply.rounds.filter((r): r is number => typeof r === 'number') : [];
      pending.splice(0);
      notice = { kind: 'ok', text: () => t('add_rounds_done', { rounds: numbers.join('、') }) };
    } catch (e) {
      fail(e, (err) => ({ kind: 'error', text: () => t('action_failed', { error: describeError(err) }) }));
    } finally {
      busy = false;
    }
    await loadSession(s.session);
  };

  const memberTable = (s: ManagedSession) =>
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'manage-members' },
        h('thead', null, h('tr', null, [t('col_id'), t('col_name'), t('col_seat'), t('col_scrutineer'), t('col_status'), t('col_actions')].map((x) => h('th', { scope: 'col' }, x)))),
        h(
          'tbody',
          null,
          s.members.map((m) =>
            h(
              'tr',
              { 'data-member': m.id },
              h('td', { class: 'mono' }, m.id),
              h('td', null, m.name),
              h('td', null, m.seat),
              h('td', null, m.scrutineer ? t('yes') : t('no')),
              h('td', null, h('span', { class: m.present ? 'badge ok' : 'badge wait' }, m.present ? t('manage_present') : t('manage_absent'))),
              h(
                'td',
                null,
                h(
                  'div',
                  { class: 'actions compact' },
                  h('button', { type: 'button', class: 'secondary', 'data-testid': `reset-${m.id}`, 'aria-label': t('reset_label', { name: m.name }), disabled: busy || s.adjourned, onclick: () => void reset(s, m) }, t('reset_device')),
                  h('button', { type: 'button', class: 'secondary', 'data-testid': `check-out-${m.id}`, 'aria-label': t('check_out_label', { name: m.name }), disabled: busy || s.adjourned || !m.present, onclick: () => void checkOut(s, m) }, t('check_out')),
                ),
              ),
            ),
          ),
        ),
      ),
    );

  const sessionPanel = (s: ManagedSession) =>
    h(
      'div',
      null,
      h('h3', null, s.title),
      h('p', { class: 'muted' }, s.committee, ' · ', s.date, ' · ', h('code', { class: 'session-id' }, s.session)),
      s.adjourned ? h('p', { class: 'warn' }, t('manage_adjourned')) : null,
      resetCard
        ? h(
            'section',
            { class: 'card reset-card', 'data-testid': 'reset-card' },
            h('h3', null, t('reset_card_heading')),
            h('p', null, resetCard.name, t('colon'), h('strong', { class: 'mono code-text' }, resetCard.code)),
            h(
              'div',
              { class: 'actions' },
              h('button', { type: 'button', class: 'primary', 'data-testid': 'print-cards', onclick: () => { printing = true; render(); } }, t('print_cards')),
              h('button', { type: 'button', class: 'danger', 'data-testid': 'forget-codes', onclick: () => void forgetReset() }, t('forget_codes')),
            ),
          )
        : null,
      h('h3', null, t('manage_members')),
      memberTable(s),
      h('h3', null, t('manage_rounds')),
      s.rounds.length === 0
        ? h('p', { class: 'muted' }, t('agenda_empty'))
        : h(
            'ol',
            { class: 'plain-list', 'data-testid': 'manage-rounds' },
            s.rounds.map((r) =>
              h('li', null, t('round_line', { round: r.round, title: r.title, kind: kindShort(r.kind) }), s.openRound === r.round ? h('span', { class: 'badge ok' }, ' ', t('round_open_now')) : null),
            ),
          ),
      s.adjourned
        ? null
        : h(
            'section',
            { class: 'card' },
            h('h3', null, t('manage_add_rounds')),
            form.el,
            agendaList(pending, (i) => {
              pending.splice(i, 1);
              render();
            }),
            h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-testid': 'add-rounds', disabled: busy || pending.length === 0, onclick: () => void addRounds(s) }, t('add_rounds'))),
          ),
    );

  const forgetReset = async () => {
    if (!(await confirmDialog(t('forget_confirm'), t('forget_codes'), tc('cancel')))) return;
    resetCard = null;
    render();
  };

  const render = () => {
    if (printing && resetCard) {
      const title = current?.title ?? '';
      replace(el, printView([resetCard], title, () => { printing = false; render(); }));
      return;
    }
    printing = false;
    selectLabel.textContent = t('manage_session');
    loadButton.textContent = t('manage_load');
    refreshButton.textContent = t('refresh');
    form.relabel();
    replace(
      select,
      (sessions ?? []).map((s) => h('option', { value: s.session, selected: s.session === selected }, `${s.date} ${s.title}`)),
    );
    loadButton.disabled = loading || !selected;
    replace(noticeBox, notice ? h('p', { class: notice.kind === 'ok' ? 'notice' : 'error', 'data-testid': 'manage-notice' }, notice.text()) : null);
    let body: HTMLElement | null = null;
    if (loading) body = h('p', { class: 'muted', role: 'status' }, t('manage_loading'));
    else if (loadError instanceof ChainReadError) body = h('p', { class: 'error', role: 'alert' }, t('chain_unreadable', { seq: loadError.seq }));
    else if (loadError) body = h('p', { class: 'error', role: 'alert' }, t('manage_failed', { error: describeError(loadError) }));
    else if (current) body = sessionPanel(current);
    replace(
      el,
      h(
        'section',
        { class: 'card' },
        h('h2', null, t('manage_heading')),
        listError ? h('p', { class: 'error', role: 'alert' }, t('manage_failed', { error: describeError(listError) })) : null,
        sessions && sessions.length === 0 ? h('p', { class: 'muted' }, t('manage_none')) : null,
        h('div', { class: 'field' }, selectLabel, select),
        h('div', { class: 'actions' }, loadButton, refreshButton),
        noticeBox,
        body,
      ),
    );
  };

  render();
  let activated = false;
  return {
    el,
    relabel: render,
    holdsCodes: () => resetCard !== null,
    activate: () => {
      if (activated) return;
      activated = true;
      void loadList();
    },
  };
}
