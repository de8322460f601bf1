// The check-in screen: first the member's own name, chosen from the roster with a search box,
// then the code from the card (controller.ts CheckinPanel, picker.ts). Its inputs are built once
// and never rebuilt, so that typing — a Chinese input method's composition above all — is never
// interrupted by a redraw; only the list of names and the lines around it are redrawn.

import { type Child, h, replace } from '../../ui/dom';
import type { CheckinPanel, TabletController } from './controller';
import type { PickerOption, PickerView } from './picker';
import { t } from './strings';
import { text } from './text';

function optionButton(o: PickerOption, chosen: boolean, busy: boolean, choose: (id: string) => void): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: `member-option${chosen ? ' chosen' : ''}`,
      'data-testid': `member-option-${o.id}`,
      'aria-pressed': chosen ? 'true' : 'false',
      disabled: busy,
      onclick: () => choose(o.id),
    },
    h('span', { class: 'option-mark', 'aria-hidden': 'true' }, chosen ? '✓' : ''),
    h(
      'span',
      { class: 'member-option-text' },
      h('span', { class: 'member-name' }, o.name),
      o.seat ? h('span', { class: 'member-seat' }, t('picker_seat', { seat: o.seat })) : null,
      o.showId ? h('span', { class: 'member-id' }, t('picker_id', { id: o.id })) : null,
    ),
  );
}

function pickerStatus(p: PickerView): string {
  switch (p.state) {
    case 'type':
      return t('picker_type', { total: p.total });
    case 'none':
      return t('picker_none', { query: p.query.trim() });
    case 'list':
      if (p.hidden > 0) return t('picker_found_more', { n: p.shown.length + p.hidden, shown: p.shown.length });
      return p.shown.length === p.total ? t('picker_all', { total: p.total }) : t('picker_found', { n: p.shown.length });
  }
}

export class CheckinScreen {
  readonly root: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly revoked: HTMLElement;
  private readonly intro: HTMLElement;
  private readonly pickerHeading: HTMLElement;
  private readonly rosterNote: HTMLElement;
  private readonly picker: HTMLElement;
  private readonly searchLabel: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly list: HTMLElement;
  private readonly codeStep: HTMLElement;
  private readonly codeHeading: HTMLElement;
  private readonly chosenLine: HTMLElement;
  private readonly codeLabel: HTMLElement;
  private readonly codeInput: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly error: HTMLElement;
  private readonly busy: HTMLElement;

  private lang = '';
  private rosterKey = '';
  private listKey = '';
  private prefilled: string | null = null;
  /** A name was just tapped: the code step is brought into view once the choice is drawn. */
  private tapped = false;

  constructor(private readonly controller: TabletController) {
    this.heading = h('h2', { id: 'tablet-checkin-heading' });
    this.revoked = h('p', { class: 'warn' });
    this.intro = h('p');
    this.pickerHeading = h('h3', { id: 'tablet-picker-heading' });
    this.rosterNote = h('div', { class: 'roster-note' });
    this.searchInput = h('input', {
      id: 'tablet-member-search',
      'data-testid': 'member-search',
      type: 'search',
      autocomplete: 'off',
      spellcheck: 'false',
      enterkeyhint: 'search',
      class: 'search-input',
      'aria-describedby': 'tablet-picker-status',
    });
    this.searchInput.addEventListener('input', (e) => {
      // During a composition the text is still pinyin; the search waits for the characters.
      if (!(e as InputEvent).isComposing) this.controller.searchRoster(this.searchInput.value);
    });
    this.searchInput.addEventListener('compositionend', () => this.controller.searchRoster(this.searchInput.value));
    this.searchInput.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.isComposing) return;
      e.preventDefault();
      // Enter on a search that found exactly one member chooses them.
      const only = this.list.querySelectorAll<HTMLButtonElement>('button.member-option');
      if (only.length === 1) only[0]!.click();
    });
    this.searchLabel = h('label', { for: 'tablet-member-search' });
    this.status = h('p', { id: 'tablet-picker-status', class: 'picker-status', role: 'status', 'aria-live': 'polite' });
    this.list = h('div', { class: 'member-list', role: 'group', 'aria-labelledby': 'tablet-picker-heading' });
    this.picker = h('div', { class: 'picker' }, this.searchLabel, this.searchInput, this.status, this.list);

    this.codeHeading = h('h3', { id: 'tablet-code-heading' });
    this.chosenLine = h('p', { class: 'chosen-line', 'data-testid': 'member-chosen', role: 'status', 'aria-live': 'polite' });
    this.codeLabel = h('label', { for: 'tablet-checkin-code' });
    this.codeInput = h('input', {
      id: 'tablet-checkin-code',
      'data-testid': 'checkin-code',
      type: 'text',
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      enterkeyhint: 'go',
      class: 'code-input',
    });
    this.submit = h('button', { type: 'submit', class: 'primary big-button', 'data-testid': 'checkin-submit' });
    this.error = h('p', { class: 'error', id: 'tablet-checkin-error', role: 'alert', 'data-testid': 'checkin-error' });
    this.busy = h('p', { class: 'notice', role: 'status' });
    this.codeStep = h(
      'div',
      { class: 'checkin-step', role: 'group', 'aria-labelledby': 'tablet-code-heading' },
      this.codeHeading,
      this.chosenLine,
      h(
        'form',
        {
          class: 'checkin-form',
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.controller.checkIn(this.codeInput.value);
          },
        },
        this.codeLabel,
        this.codeInput,
        // Under the field it is about, above the button: seen without scrolling, even at 200%.
        this.error,
        this.busy,
        h('div', { class: 'actions' }, this.submit),
      ),
    );
    this.root = h(
      'section',
      { class: 'card tablet-checkin', 'aria-labelledby': 'tablet-checkin-heading' },
      this.heading,
      this.revoked,
      this.intro,
      h('div', { class: 'checkin-step' }, this.pickerHeading, this.rosterNote, this.picker),
      this.codeStep,
    );
    this.root.hidden = true;
  }

  render(c: CheckinPanel | null, lang: string): void {
    if (!c) {
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    if (lang !== this.lang) {
      this.lang = lang;
      this.heading.textContent = t('checkin_heading');
      this.revoked.textContent = t('checkin_revoked');
      this.intro.textContent = t('checkin_intro');
      this.pickerHeading.textContent = t('picker_heading');
      this.searchLabel.textContent = t('picker_search_label');
      this.codeHeading.textContent = t('code_heading');
      this.codeLabel.textContent = t('checkin_label');
      this.submit.textContent = t('checkin_submit');
      this.busy.textContent = t('checkin_busy');
    }
    this.revoked.hidden = !c.revoked;
    this.renderRoster(c, lang);
    const picker = c.roster.state === 'ready' ? c.roster.picker : null;
    this.renderList(picker, c.busy, lang);

    const chosen = picker?.selected ?? null;
    const chosenText = chosen
      ? chosen.seat
        ? t('chosen_line', { name: chosen.name, seat: chosen.seat })
        : t('chosen_line_no_seat', { name: chosen.name })
      : t('chosen_none');
    if (this.chosenLine.textContent !== chosenText) this.chosenLine.textContent = chosenText;
    this.chosenLine.classList.toggle('chosen', chosen !== null);
    // After a tap the next step is the code, which may be below the fold (a long list, 200%).
    if (this.tapped && chosen) this.codeStep.scrollIntoView?.({ block: 'nearest' });
    this.tapped = false;

    if (c.addressCode !== null && c.addressCode !== this.prefilled) {
      this.prefilled = c.addressCode;
      if (this.codeInput.value === '') this.codeInput.value = c.addressCode;
    }
    this.codeInput.disabled = c.busy;
    this.submit.disabled = c.busy;
    this.busy.hidden = !c.busy;

    const errorText = c.error ? text(c.error) : '';
    this.error.hidden = c.error === null;
    if (this.error.textContent !== errorText) {
      this.error.textContent = errorText;
      // A refusal after the member pressed 签到 must be seen where they are looking.
      if (errorText !== '') this.error.scrollIntoView?.({ block: 'nearest' });
    }
    if (c.error) this.codeInput.setAttribute('aria-describedby', 'tablet-checkin-error');
    else this.codeInput.removeAttribute('aria-describedby');
    this.codeInput.setAttribute('aria-invalid', c.error && c.error.key !== 'checkin_error_choose' ? 'true' : 'false');
  }

  private renderRoster(c: CheckinPanel, lang: string): void {
    const r = c.roster;
    const key = `${lang}|${r.state}|${r.state === 'failed' ? JSON.stringify(r.error) : ''}`;
    this.picker.hidden = r.state !== 'ready';
    if (key === this.rosterKey) return;
    this.rosterKey = key;
    const parts: Child[] = [];
    if (r.state === 'loading') parts.push(h('p', { class: 'notice', role: 'status' }, t('picker_loading')));
    if (r.state === 'failed') {
      parts.push(
        h('p', { class: 'error', role: 'alert', 'data-testid': 'roster-error' }, text(r.error)),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'secondary', 'data-testid': 'roster-retry', onclick: () => void this.controller.loadRoster() },
            t('picker_retry'),
          ),
        ),
      );
    }
    replace(this.rosterNote, ...parts);
    this.rosterNote.hidden = parts.length === 0;
  }

  private renderList(p: PickerView | null, busy: boolean, lang: string): void {
    const key = p
      ? `${lang}|${busy}|${p.selected?.id ?? ''}|${p.state}|${p.hidden}|${p.total}|${p.state === 'none' ? p.query : ''}|${p.shown.map((o) => o.id).join('\u0000')}`
      : '';
    if (key === this.listKey) return;
    this.listKey = key;
    if (!p) {
      replace(this.list);
      this.status.textContent = '';
      return;
    }
    const statusText = pickerStatus(p);
    if (this.status.textContent !== statusText) this.status.textContent = statusText;
    // Focus follows the tapped name into the redrawn list.
    const active = document.activeElement;
    const focusId = active instanceof HTMLElement && this.list.contains(active) ? active.dataset.testid : undefined;
    const choose = (id: string) => {
      this.tapped = true;
      this.controller.chooseMember(id);
    };
    replace(this.list, ...p.shown.map((o) => optionButton(o, o.id === p.selected?.id, busy, choose)));
    this.list.hidden = p.shown.length === 0;
    if (focusId) this.list.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focusId)}"]`)?.focus();
  }
}
