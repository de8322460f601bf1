// The start page (`#/`): the server's sessions, each linked to its projector, observer, chair
// console and tablet page, and the way to the secretariat.

import { describeError } from '../../i18n/common';
import { onLangChange } from '../../i18n/i18n';
import { listSessions } from '../../net/http';
import { h, replace } from '../../ui/dom';
import type { MountPage } from '../../ui/page';
import { routeHref } from '../../ui/router';
import { sessionEntries, type SessionEntry } from './model';
import { t } from './strings';
import './start.css';

type State = { phase: 'loading' } | { phase: 'error'; error: unknown } | { phase: 'ready'; sessions: SessionEntry[] };

export const mount: MountPage = (ctx) => {
  let state: State = { phase: 'loading' };
  let alive = true;
  const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'muted' });
  const list = h('ul', { class: 'session-list', 'data-testid': 'session-list', 'aria-label': t('list_label') });
  const retry = h('button', { type: 'button', class: 'secondary', onclick: () => void load() });

  const load = async () => {
    state = { phase: 'loading' };
    render();
    try {
      const sessions = sessionEntries(await listSessions(), routeHref);
      if (alive) state = { phase: 'ready', sessions };
    } catch (error) {
      if (alive) state = { phase: 'error', error };
    }
    if (alive) render();
  };

  const sessionItem = (s: SessionEntry) =>
    h(
      'li',
      { class: 'card session', 'data-testid': `session-${s.session}` },
      h('h3', null, s.title),
      h('p', null, t('committee', { committee: s.committee })),
      h('p', { class: 'muted' }, t('date', { date: s.date }), ' · ', t('records', { count: s.records })),
      h(
        'nav',
        { class: 'actions', 'aria-label': t('links_label', { title: s.title }) },
        h('a', { class: 'button primary', href: s.links.projector, 'data-testid': `projector-${s.session}` }, t('projector')),
        h('a', { class: 'button', href: s.links.observer, 'data-testid': `observer-${s.session}` }, t('observer')),
        h('a', { class: 'button', href: s.links.chair, 'data-testid': `chair-${s.session}` }, t('chair')),
        h('a', { class: 'button', href: s.links.tablet, 'data-testid': `tablet-${s.session}` }, t('tablet')),
      ),
    );

  const render = () => {
    ctx.shell.setTitle(t('title'));
    retry.textContent = t('retry');
    retry.hidden = state.phase !== 'error';
    if (state.phase === 'loading') {
      status.textContent = t('loading');
      status.className = 'muted';
      replace(list);
    } else if (state.phase === 'error') {
      status.textContent = t('load_failed', { error: describeError(state.error) });
      status.className = 'error';
      replace(list);
    } else {
      status.textContent = state.sessions.length === 0 ? t('empty') : '';
      status.className = 'muted';
      replace(list, state.sessions.map(sessionItem));
    }
    replace(
      ctx.shell.main,
      h('h2', null, t('heading')),
      h('p', null, t('intro')),
      status,
      retry,
      list,
      h('p', { class: 'secretariat-link' }, h('a', { class: 'button secondary', href: routeHref('secretariat'), 'data-testid': 'secretariat-link' }, t('secretariat'))),
    );
  };

  const unsubscribe = onLangChange(render);
  void load();
  return () => {
    alive = false;
    unsubscribe();
  };
};
