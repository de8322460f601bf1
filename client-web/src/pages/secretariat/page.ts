// The secretariat (`#/secretariat`): signs in with the admin token, then creates sessions or
// manages existing ones. The token stays in this tab's sessionStorage; the codes of a new
// session stay in memory, and leaving the page while they are held asks first.

import { describeError } from '../../i18n/common';
import { onLangChange } from '../../i18n/i18n';
import { ApiError } from '../../net/errors';
import { apiPost } from '../../net/http';
import { h, replace } from '../../ui/dom';
import { setLeaveGuard, type MountPage } from '../../ui/page';
import { AdminTokenStore, isTokenRefusal, normalizeAdminToken, probeOutcome, TOKEN_PROBE_BODY, type ProbeOutcome } from './admin-token';
import { createView, type AdminAccess } from './create-view';
import { manageView } from './manage-view';
import { t, type Key } from './strings';
import './secretariat.css';

type LoginMessage = { key: Key; params?: Record<string, string> } | null;

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Asks the server whether the token is the admin token, with a call that changes nothing. */
async function probe(token: string): Promise<{ outcome: ProbeOutcome; error: unknown }> {
  try {
    await apiPost('/api/sessions', TOKEN_PROBE_BODY, { adminToken: token });
    // Not reachable with a server that follows docs/PROTOCOL.md (an empty body is refused).
    return { outcome: 'valid', error: null };
  } catch (e) {
    if (e instanceof ApiError) return { outcome: probeOutcome(e.code, e.message), error: e };
    return { outcome: 'unreachable', error: e };
  }
}

export const mount: MountPage = (ctx) => {
  const store = new AdminTokenStore(sessionStorageOrNull());
  let token: string | null = null;
  let checking = false;
  let message: LoginMessage = null;
  let messageError: unknown = null;
  let tab: 'create' | 'manage' = 'create';

  const access: AdminAccess = {
    token: () => token ?? '',
    refused: (err) => {
      if (!(err instanceof ApiError) || !isTokenRefusal(err.code, err.message)) return false;
      token = null;
      store.clear();
      message = { key: 'session_expired' };
      render();
      return true;
    },
  };
  // Built once: their forms (and any codes they hold) survive a sign-in again and a tab switch.
  const create = createView(access);
  const manage = manageView(access);

  // ---- sign-in --------------------------------------------------------------------------------
  const tokenInput = h('input', { type: 'password', id: 'sec-admin-token', 'data-testid': 'admin-token', autocomplete: 'off', spellcheck: 'false' });
  const tokenLabel = h('label', { for: 'sec-admin-token' });
  const loginButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'admin-login' });
  const loginStatus = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'login-status' });
  const loginHeading = h('h2');
  const loginIntro = h('p', { class: 'muted' });
  const loginForm = h('form', { class: 'card login', novalidate: true }, loginHeading, loginIntro, h('div', { class: 'field' }, tokenLabel, tokenInput), h('div', { class: 'actions' }, loginButton), loginStatus);

  const outcomeMessage: Record<Exclude<ProbeOutcome, 'valid'>, Key> = {
    wrong_token: 'token_wrong',
    no_token: 'token_missing',
    disabled: 'token_disabled',
    unreachable: 'token_unreachable',
  };

  const signIn = async (candidate: string) => {
    checking = true;
    message = null;
    render();
    const { outcome, error } = await probe(candidate);
    checking = false;
    if (outcome === 'valid') {
      token = candidate;
      store.set(candidate);
      tokenInput.value = '';
      message = null;
    } else {
      token = null;
      store.clear();
      message = { key: outcomeMessage[outcome] };
      messageError = error;
    }
    render();
  };

  loginForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (checking) return;
    const check = normalizeAdminToken(tokenInput.value);
    if (!check.ok) {
      message = { key: check.code === 'empty' ? 'token_empty' : 'token_bad_characters' };
      render();
      tokenInput.focus();
      return;
    }
    void signIn(check.token);
  });

  const signOut = () => {
    token = null;
    store.clear();
    message = null;
    render();
  };

  // ---- layout ---------------------------------------------------------------------------------
  const tabButton = (which: 'create' | 'manage') =>
    h(
      'button',
      {
        type: 'button',
        class: tab === which ? 'primary' : 'secondary',
        'aria-pressed': tab === which ? 'true' : 'false',
        'data-testid': `tab-${which}`,
        onclick: () => {
          tab = which;
          if (which === 'manage') manage.activate();
          render();
        },
      },
      t(which === 'create' ? 'tab_create' : 'tab_manage'),
    );

  const render = () => {
    ctx.shell.setTitle(t('title'));
    if (token === null) {
      loginHeading.textContent = t('login_heading');
      loginIntro.textContent = t('login_intro');
      tokenLabel.textContent = t('admin_token');
      loginButton.textContent = t('admin_login');
      loginButton.disabled = checking;
      const text = checking
        ? t('checking_token')
        : message
          ? t(message.key, message.key === 'token_unreachable' ? { error: describeError(messageError) } : message.params)
          : '';
      replace(loginStatus, text ? h('p', { class: checking ? 'muted' : 'error' }, text) : null);
      replace(ctx.shell.main, loginForm);
      return;
    }
    const view = tab === 'create' ? create : manage;
    view.relabel();
    replace(
      ctx.shell.main,
      h(
        'div',
        { class: 'secretariat-bar no-print' },
        h('span', { class: 'badge ok', 'data-testid': 'logged-in' }, t('logged_in')),
        h('nav', { class: 'actions', 'aria-label': t('tabs_label') }, tabButton('create'), tabButton('manage')),
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'admin-logout', onclick: signOut }, t('logout')),
      ),
      view.el,
    );
  };

  // The codes cannot be fetched again: a reload or closing the tab asks first.
  const beforeUnload = (e: BeforeUnloadEvent) => {
    if (!create.holdsCodes() && !manage.holdsCodes()) return;
    e.preventDefault();
    e.returnValue = t('leave_warning');
  };
  window.addEventListener('beforeunload', beforeUnload);
  setLeaveGuard(() => (create.holdsCodes() || manage.holdsCodes() ? t('leave_warning') : null));
  const unsubscribe = onLangChange(render);

  const stored = store.get();
  const check = stored === null ? null : normalizeAdminToken(stored);
  if (check?.ok) void signIn(check.token);
  else render();

  return () => {
    unsubscribe();
    window.removeEventListener('beforeunload', beforeUnload);
    setLeaveGuard(null);
  };
};
