// The print view of credential cards: A4, one card per member and one for the chair, each kept
// whole on its page (secretariat.css @media print). Each card carries `data-code` for the
// end-to-end test and the code in large type for people.

import { h } from '../../ui/dom';
import { qrSvg } from '../../ui/qr';
import type { Card } from './cards';
import { t } from './strings';

function cardElement(card: Card, sessionTitle: string): HTMLElement {
  if (card.kind === 'chair') {
    return h(
      'article',
      { class: 'credential-card chair-card', 'data-testid': card.testId, 'data-code': card.code },
      h(
        'div',
        { class: 'card-text' },
        h('h3', null, t('card_chair')),
        h('p', { class: 'card-session' }, t('card_session', { title: sessionTitle })),
        h('p', { class: 'card-label' }, t('chair_code')),
        h('p', { class: 'card-code mono' }, card.code),
        h('p', { class: 'card-label' }, t('card_chair_url')),
        h('p', { class: 'card-url mono' }, card.url),
        h('p', { class: 'card-hint' }, t('card_chair_hint')),
      ),
    );
  }
  return h(
    'article',
    { class: 'credential-card', 'data-testid': card.testId, 'data-code': card.code, 'data-url': card.url },
    h(
      'div',
      { class: 'card-text' },
      h('h3', null, t(card.scrutineer ? 'card_scrutineer' : 'card_member')),
      h('p', { class: 'card-session' }, t('card_session', { title: sessionTitle })),
      h('p', { class: 'card-name' }, card.name),
      card.seat ? h('p', { class: 'card-seat' }, t('card_seat', { seat: card.seat })) : null,
      h('p', { class: 'card-label' }, t('card_code')),
      h('p', { class: 'card-code mono' }, card.code),
      h('p', { class: 'card-hint' }, t('card_scan')),
    ),
    h('div', { class: 'card-qr' }, qrSvg(card.url, t('card_qr_label', { name: card.name }))),
  );
}

/** The print view; `onBack` returns to the screen it was opened from. */
export function printView(cards: Card[], sessionTitle: string, onBack: () => void): HTMLElement {
  return h(
    'section',
    { class: 'print-view', 'data-testid': 'print-view', 'aria-label': t('print_heading') },
    h(
      'div',
      { class: 'no-print' },
      h('h2', null, t('print_heading')),
      h('p', { class: 'muted' }, t('print_hint')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-testid': 'print-now', onclick: () => window.print() }, t('print_now')),
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'print-back', onclick: onBack }, t('print_back')),
      ),
    ),
    h('div', { class: 'card-sheet' }, cards.map((c) => cardElement(c, sessionTitle))),
  );
}
