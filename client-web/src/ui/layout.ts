// The frame of every page: a header with the page's title and the language switch, a banner
// line for connection state and warnings, and the page's own area.

import { getLang, onLangChange, setLang } from '../i18n/i18n';
import { tc } from '../i18n/common';
import type { ConnState } from '../net/socket';
import { h, replace } from './dom';

export interface Shell {
  root: HTMLElement;
  /** The page's own content. */
  main: HTMLElement;
  setTitle(title: string): void;
  /** Shows the connection state: a banner while offline or connecting, nothing when online. */
  setConnection(state: ConnState): void;
  /** A persistent warning band (e.g. 无监票人), or null to remove it. */
  setWarning(text: string | null): void;
  destroy(): void;
}

export function createShell(container: HTMLElement, variant: 'default' | 'projector' | 'tablet' = 'default'): Shell {
  const title = h('h1', { class: 'page-title' });
  const langButton = h('button', { type: 'button', class: 'lang-switch', 'data-testid': 'lang-switch' });
  const connection = h('div', { class: 'banner connection', role: 'status', 'aria-live': 'polite', hidden: true });
  const warning = h('div', { class: 'banner warning', role: 'alert', hidden: true });
  const main = h('main', { class: 'page-main' });
  const root = h(
    'div',
    { class: `shell shell-${variant}` },
    h('header', { class: 'page-header' }, h('span', { class: 'brand' }), title, langButton),
    connection,
    warning,
    main,
  );
  let connState: ConnState = 'online';
  const paintFrame = () => {
    replace(root.querySelector('.brand')!, tc('app_name'));
    langButton.textContent = tc('switch_lang');
    langButton.setAttribute('aria-label', tc('switch_lang_label'));
    paintConnection();
  };
  const paintConnection = () => {
    const show = connState === 'offline' || connState === 'connecting';
    connection.hidden = !show;
    connection.textContent = connState === 'offline' ? tc('offline') : show ? tc('connecting') : '';
    connection.dataset.state = connState;
  };
  langButton.addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  const unsubscribe = onLangChange(paintFrame);
  paintFrame();
  replace(container, root);
  return {
    root,
    main,
    setTitle(text) {
      title.textContent = text;
      document.title = `${text} · ${tc('app_name')}`;
    },
    setConnection(state) {
      connState = state;
      paintConnection();
    },
    setWarning(text) {
      warning.hidden = text === null;
      warning.textContent = text ?? '';
    },
    destroy() {
      unsubscribe();
      root.remove();
    },
  };
}
