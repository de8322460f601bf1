// The tablet's screen: a thin rendering of the controller's view (controller.ts). Each section is
// rebuilt only when its part of the view (or the language) changed; the inputs and the live
// regions are kept across rebuilds, so that what a member types, where the focus is, and what a
// screen reader announces survive an update.

import { displayRecoveryCode } from '../../crypto/trustee';
import { getLang } from '../../i18n/i18n';
import { type Child, confirmDialog, h, replace } from '../../ui/dom';
import type { BallotHint } from './ballot-model';
import { reviewItems } from './ballot-model';
import { CheckinScreen } from './checkin-view';
import type { BallotPanel, DecryptPanel, TabletController, TabletView, TrusteePanel } from './controller';
import type { Inclusion } from './model';
import { t } from './strings';
import { text } from './text';

function hintText(hint: BallotHint): string {
  switch (hint.kind) {
    case 'evaluation':
      return t('hint.evaluation');
    case 'motion':
      return t('hint.motion');
    case 'selection_exact':
      return t('hint.selection_exact', { n: hint.n });
    case 'selection_range':
      return t('hint.selection_range', { min: hint.min, max: hint.max });
    case 'selection_max':
      return t('hint.selection_max', { max: hint.max });
  }
}

/** A section rebuilt only when its key changes. */
class Section {
  readonly el: HTMLElement;
  private key = '';

  constructor(el: HTMLElement) {
    this.el = el;
  }

  update(key: string | null, build: () => Child[]): void {
    if (key === null) {
      if (this.key !== '') replace(this.el);
      this.key = '';
      this.el.hidden = true;
      return;
    }
    this.el.hidden = false;
    if (key === this.key) return;
    this.key = key;
    // Focus follows the element with the same test id into the rebuilt section.
    const active = document.activeElement;
    const focusId = active instanceof HTMLElement && this.el.contains(active) ? active.dataset.testid : undefined;
    replace(this.el, ...build());
    if (focusId) {
      const again = this.el.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focusId)}"]`);
      again?.focus();
    }
  }
}

export class TabletScreen {
  readonly root: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly memberLine: HTMLElement;
  private readonly hintLine: HTMLElement;
  private readonly verifyLine: HTMLElement;
  private readonly verifyText: HTMLElement;
  private readonly verifyBar: HTMLProgressElement;
  private readonly alarmBox: HTMLElement;
  private readonly checkin: CheckinScreen;
  private readonly ballot: Section;
  private readonly inclusion: Section;
  private readonly trustee: Section;
  private readonly decrypt: Section;
  private readonly decryptDone: Section;
  private readonly fatal: Section;

  private readonly confirmInput: HTMLInputElement;
  private readonly restoreInput: HTMLInputElement;
  private alarmKey = '';
  private last: TabletView | null = null;

  constructor(private readonly controller: TabletController) {
    this.statusLine = h('p', { class: 'status-line', 'data-testid': 'status', role: 'status', 'aria-live': 'polite' });
    this.memberLine = h('p', { class: 'member-line' });
    this.hintLine = h('p', { class: 'status-hint' });
    this.verifyText = h('span', { 'data-testid': 'verify-progress', role: 'status', 'aria-live': 'polite' });
    this.verifyBar = h('progress', { class: 'verify-bar', max: '1', value: '0' });
    this.verifyLine = h('p', { class: 'verify-line' }, this.verifyText, this.verifyBar);
    this.verifyLine.hidden = true;
    this.alarmBox = h('div', { class: 'tablet-alarms', role: 'alert', 'aria-live': 'assertive' });
    this.confirmInput = h('input', {
      id: 'tablet-recovery-confirm',
      'data-testid': 'recovery-confirm-input',
      type: 'text',
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      class: 'code-input',
    });
    this.restoreInput = h('input', {
      id: 'tablet-trustee-restore',
      'data-testid': 'trustee-restore-input',
      type: 'text',
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      class: 'code-input',
    });
    this.checkin = new CheckinScreen(controller);
    this.ballot = new Section(h('section', { class: 'tablet-ballot', 'aria-labelledby': 'tablet-ballot-heading' }));
    this.inclusion = new Section(h('section', { class: 'tablet-inclusion' }));
    this.trustee = new Section(h('section', { class: 'card tablet-trustee', 'aria-labelledby': 'tablet-trustee-heading' }));
    this.decrypt = new Section(h('div', { class: 'tablet-decryptions' }));
    this.decryptDone = new Section(h('div', { class: 'tablet-decryptions-done' }));
    this.fatal = new Section(h('div', { class: 'tablet-fatal' }));
    this.root = h(
      'div',
      { class: 'tablet' },
      h('section', { class: 'tablet-status' }, this.statusLine, this.memberLine, this.hintLine, this.verifyLine),
      this.alarmBox,
      this.fatal.el,
      this.checkin.root,
      this.decrypt.el,
      this.ballot.el,
      this.inclusion.el,
      this.trustee.el,
      this.decryptDone.el,
    );
  }

  /** Renders the view. Every section's key holds the language, so a switch rebuilds them. */
  render(v: TabletView): void {
    this.last = v;
    const lang = getLang();
    this.renderStatus(v);
    this.renderAlarms(v, lang);
    this.fatal.update(v.phase === 'fatal' && v.fatal ? `${lang}|${JSON.stringify(v.fatal)}` : null, () => [
      h('p', { class: 'error big-notice', role: 'alert' }, text(v.fatal!)),
    ]);
    this.checkin.render(v.phase === 'checkin' ? v.checkin : null, lang);
    this.renderBallot(v.phase === 'active' ? v.ballot : null, lang);
    this.renderInclusion(v.phase === 'active' ? v.inclusion : null, lang);
    this.renderTrustee(v.phase === 'active' ? v.trustee : null, lang);
    this.renderDecryptions(v.phase === 'active' ? v.decryptions : [], lang);
  }

  rerender(): void {
    if (this.last) this.render(this.last);
  }

  // ---- status -------------------------------------------------------------------------------

  private renderStatus(v: TabletView): void {
    this.statusLine.hidden = v.phase === 'fatal';
    this.statusLine.dataset.saved = v.selectionsSaved ? 'true' : 'false';
    if (v.status === null) {
      // Not known yet: no data-status, so that nothing reads a status the chain has not given.
      delete this.statusLine.dataset.status;
      this.statusLine.className = 'status-line status-loading';
      this.statusLine.textContent = t('starting');
    } else {
      this.statusLine.dataset.status = v.status;
      this.statusLine.className = `status-line status-${v.status}`;
      const label = t(`status.${v.status}`);
      if (this.statusLine.textContent !== label) this.statusLine.textContent = label;
    }
    const parts: Child[] = [];
    if (v.member) {
      parts.push(v.member.seat ? t('member_line', { name: v.member.name, seat: v.member.seat }) : t('member_line_no_seat', { name: v.member.name }));
      if (v.scrutineer) parts.push(' ', h('span', { class: 'badge wait' }, t('role_scrutineer')));
    }
    if (v.progress && (v.status === 'voting' || v.status === 'voted')) {
      parts.push(h('span', { class: 'progress-line' }, t('progress_line', { present: v.progress.present, ballots: v.progress.ballots })));
    }
    replace(this.memberLine, ...parts);
    this.memberLine.hidden = parts.length === 0;
    const hint =
      v.phase !== 'active'
        ? ''
        : v.status === 'checked_in'
          ? t('checked_in_hint')
          : v.status === 'waiting' || (v.status === 'closed' && !v.ballot)
            ? t('waiting_hint')
            : v.status === 'adjourned'
              ? t('adjourned_hint')
              : '';
    this.hintLine.textContent = hint;
    this.hintLine.hidden = hint === '';
    this.renderVerification(v.phase === 'active' ? v.verification : null);
  }

  // A scrutineer's tablet catching up: its own verification of every proof, which a decryption
  // waits for (DESIGN.md §3.4).
  private renderVerification(p: TabletView['verification']): void {
    this.verifyLine.hidden = p === null;
    if (p === null) {
      this.verifyText.textContent = '';
      return;
    }
    const label = t('verify_progress', { done: p.done, total: p.total });
    if (this.verifyText.textContent !== label) this.verifyText.textContent = label;
    this.verifyBar.max = Math.max(1, p.total);
    this.verifyBar.value = Math.min(p.done, p.total);
    this.verifyBar.setAttribute('aria-label', t('verify_progress_label'));
  }

  private renderAlarms(v: TabletView, lang: string): void {
    const items = [...v.alarms];
    if (v.phase === 'active' && !v.present && v.status !== 'adjourned' && v.member) items.push({ key: 'checked_out' });
    const key = `${lang}|${JSON.stringify(items)}`;
    if (key === this.alarmKey) return;
    this.alarmKey = key;
    replace(
      this.alarmBox,
      ...items.map((a) =>
        h(
          'div',
          { class: a.key === 'checked_out' ? 'warn alarm' : 'error alarm' },
          h('p', null, text(a)),
          a.key === 'checked_out'
            ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-testid': 'rejoin', onclick: () => this.controller.rejoin() }, t('rejoin')))
            : null,
        ),
      ),
    );
    this.alarmBox.hidden = items.length === 0;
  }

  // ---- the ballot ---------------------------------------------------------------------------

  private renderBallot(b: BallotPanel | null, lang: string): void {
    this.ballot.update(b ? `${lang}|${JSON.stringify(b)}` : null, () => (b ? this.ballotContent(b) : []));
  }

  private ballotContent(b: BallotPanel): Child[] {
    const heading = h('h2', { id: 'tablet-ballot-heading' }, t('round_heading', { round: b.round, title: b.title }));
    const error = b.error ? h('p', { class: 'error', role: 'alert' }, text(b.error)) : null;
    switch (b.step) {
      case 'preparing':
        return [heading, h('p', { class: 'notice big-notice', role: 'status' }, t('preparing')), error];
      case 'choose':
        return [heading, ...this.chooseContent(b), error];
      case 'review':
        return [heading, ...this.reviewContent(b), error];
      case 'sending':
        return [heading, h('p', { class: 'notice big-notice', role: 'status' }, b.retrying ? t('retrying') : t('sending')), error];
      case 'receipt':
        return [
          heading,
          h(
            'div',
            { class: 'card receipt' },
            h('h3', null, t('receipt_heading')),
            h('p', { class: 'receipt-label' }, t('receipt_label')),
            h('p', { class: 'receipt-code mono', 'data-testid': 'receipt-code' }, b.receiptCode ?? ''),
            h('p', { class: 'muted' }, t('receipt_note')),
            b.open && !b.declared && !b.error ? h('p', { class: 'muted', role: 'status' }, t('declaring')) : null,
          ),
          error,
          b.open ? h('p', { class: 'status-hint' }, t('voted_hint')) : null,
        ];
      case 'closed':
        return [heading, h('p', { class: b.unsent ? 'error' : 'notice' }, b.unsent ? t('closed_unvoted') : t('closed_no_ballot')), error];
    }
  }

  private chooseContent(b: BallotPanel): Child[] {
    const cards = b.contests.map((contest, k) => {
      const chosen = b.choices[k] ?? [];
      const need = b.needs[k]!;
      const titleId = `tablet-contest-${k}`;
      const hint = b.hints[k]!;
      const radio = contest.max <= 1;
      return h(
        'fieldset',
        { class: `card contest need-${need.kind}`, 'data-testid': `contest-${contest.id}`, 'aria-labelledby': titleId },
        h('legend', { id: titleId, class: 'contest-title' }, contest.title),
        hint.kind === 'evaluation' || hint.kind === 'motion' ? null : h('p', { class: 'contest-hint' }, hintText(hint)),
        h(
          'div',
          { class: `options options-${b.kind}` },
          contest.options.map((label, i) =>
            h(
              'button',
              {
                type: 'button',
                class: `option${chosen.includes(i) ? ' chosen' : ''}${radio ? ' single' : ''}`,
                'data-testid': `option-${contest.id}-${i}`,
                'aria-pressed': chosen.includes(i) ? 'true' : 'false',
                onclick: () => this.controller.select(contest.id, i),
              },
              h('span', { class: 'option-mark', 'aria-hidden': 'true' }, chosen.includes(i) ? '✓' : ''),
              h('span', { class: 'option-label' }, label),
            ),
          ),
        ),
        h(
          'p',
          { class: `need need-${need.kind}`, 'aria-live': 'polite' },
          need.kind === 'more'
            ? t('need.more', { n: need.count })
            : need.kind === 'less'
              ? t('need.less', { n: need.count })
              : need.chosen === 0
                ? t('need.ok_none')
                : t('need.ok'),
        ),
        b.refusedMax === contest.id ? h('p', { class: 'warn', role: 'alert' }, t('at_max', { max: contest.max })) : null,
      );
    });
    const hint = b.kind === 'evaluation' ? t('hint.evaluation') : b.kind === 'motion' ? t('hint.motion') : null;
    return [
      hint ? h('p', { class: 'ballot-hint' }, hint) : null,
      ...cards,
      h(
        'div',
        { class: 'card ballot-footer' },
        b.missing.length > 0
          ? h(
              'p',
              { class: 'warn', 'data-testid': 'missing' },
              t('missing_summary', { n: b.missing.length, list: b.missing.join(t('list_separator')) }),
            )
          : null,
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'primary big-button', 'data-testid': 'review', disabled: !b.reviewEnabled, onclick: () => this.controller.review() },
            t('review'),
          ),
        ),
      ),
    ];
  }

  private reviewContent(b: BallotPanel): Child[] {
    const items = reviewItems(b, b.choices);
    const submit = async () => {
      const ok = await confirmDialog(t('submit_confirm'), t('submit_confirm_yes'), t('submit_confirm_no'));
      if (ok) await this.controller.submit();
    };
    return [
      h('h3', null, t('review_heading')),
      h(
        'ol',
        { class: 'card review-list', 'data-testid': 'review-list' },
        items.map((item) =>
          h(
            'li',
            { 'data-contest': item.contestId },
            h('span', { class: 'review-title' }, item.title),
            h('span', { class: 'review-choice' }, item.labels.length > 0 ? item.labels.join(t('list_separator')) : t('review_nothing')),
          ),
        ),
      ),
      b.tokenReady ? null : h('p', { class: 'notice', role: 'status' }, t('preparing')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'secondary big-button', 'data-testid': 'back', onclick: () => this.controller.back() }, t('back')),
        h(
          'button',
          { type: 'button', class: 'primary big-button', 'data-testid': 'submit', disabled: !b.tokenReady, onclick: () => void submit() },
          t('submit'),
        ),
      ),
    ];
  }

  private renderInclusion(i: Inclusion | null, lang: string): void {
    this.inclusion.update(i ? `${lang}|${JSON.stringify(i)}` : null, () => {
      if (!i) return [];
      return [
        h(
          'div',
          {
            class: i.state === 'ok' ? 'notice inclusion' : i.state === 'missing' ? 'error inclusion' : 'inclusion muted',
            'data-testid': 'inclusion',
            'data-state': i.state,
            'data-round': String(i.round),
            role: i.state === 'missing' ? 'alert' : 'status',
          },
          h('p', { class: 'inclusion-text' }, t(`inclusion.${i.state}`, { round: i.round })),
          i.reasons.map((r) => h('p', null, r === 'ballot' ? t('inclusion.reason_ballot') : t('inclusion.reason_declaration'))),
        ),
      ];
    });
  }

  // ---- scrutineer ---------------------------------------------------------------------------

  private renderTrustee(p: TrusteePanel | null, lang: string): void {
    this.trustee.update(p ? `${lang}|${JSON.stringify(p)}` : null, () => (p ? this.trusteeContent(p) : []));
  }

  private trusteeContent(p: TrusteePanel): Child[] {
    const out: Child[] = [
      h('h2', { id: 'tablet-trustee-heading' }, t('trustee_heading')),
      h(
        'p',
        { class: `trustee-status ${p.stage === 'ready' ? 'check-ok' : ''}`, 'data-testid': 'trustee-status', 'data-state': p.stage, role: 'status' },
        t(`trustee.${p.stage}`),
      ),
    ];
    if (p.stage === 'none') {
      out.push(
        h('p', null, t('trustee_generate_intro')),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'primary big-button', 'data-testid': 'trustee-generate', onclick: () => this.controller.trusteeGenerate() }, t('trustee_generate')),
        ),
      );
    } else if (p.stage === 'show' && p.code) {
      out.push(
        h('h3', null, t('recovery_heading')),
        h('p', { class: 'warn' }, t('recovery_instruction')),
        h('p', { class: 'recovery-code mono', 'data-testid': 'recovery-code' }, displayRecoveryCode(p.code)),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'primary big-button', 'data-testid': 'recovery-written', onclick: () => this.controller.trusteeWritten() }, t('recovery_written')),
        ),
      );
    } else if (p.stage === 'confirm') {
      this.confirmInput.setAttribute('aria-invalid', p.confirmError ? 'true' : 'false');
      out.push(
        h(
          'form',
          {
            novalidate: true,
            onsubmit: (e: Event) => {
              e.preventDefault();
              void this.controller.trusteeConfirm(this.confirmInput.value);
            },
          },
          h('label', { for: 'tablet-recovery-confirm' }, t('recovery_confirm_label')),
          this.confirmInput,
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary big-button', 'data-testid': 'recovery-confirm' }, t('recovery_confirm'))),
        ),
        p.confirmError ? h('p', { class: 'error', role: 'alert' }, text(p.confirmError)) : null,
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-testid': 'recovery-restart',
              onclick: () => {
                this.confirmInput.value = '';
                this.controller.trusteeRestart();
              },
            },
            t('recovery_restart'),
          ),
        ),
      );
    } else if (p.stage === 'missing' || p.stage === 'mismatch') {
      this.restoreInput.setAttribute('aria-invalid', p.restoreError ? 'true' : 'false');
      out.push(
        h('h3', null, t('restore_heading')),
        h(
          'form',
          {
            novalidate: true,
            onsubmit: (e: Event) => {
              e.preventDefault();
              void this.controller.trusteeRestore(this.restoreInput.value);
            },
          },
          h('label', { for: 'tablet-trustee-restore' }, t('restore_label')),
          this.restoreInput,
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary big-button', 'data-testid': 'trustee-restore' }, t('restore'))),
        ),
        p.restoreError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'trustee-restore-error' }, text(p.restoreError)) : null,
      );
    }
    if (p.restored && p.stage === 'ready') {
      this.restoreInput.value = '';
      out.push(h('p', { class: 'notice', role: 'status' }, t('restore_ok')));
    }
    if (p.error) out.push(h('p', { class: 'error', role: 'alert' }, text(p.error)));
    return out;
  }

  // A round waiting for this scrutineer comes before the ballot: it is the action due now.
  // Of the rounds already decrypted, only the latest is shown, below.
  private renderDecryptions(list: DecryptPanel[], lang: string): void {
    const due = list.filter((d) => d.stage.kind !== 'done');
    const done = list.filter((d) => d.stage.kind === 'done').slice(-1);
    this.decrypt.update(due.length > 0 ? `${lang}|${JSON.stringify(due)}` : null, () => due.map((d) => this.decryptCard(d)));
    this.decryptDone.update(done.length > 0 ? `${lang}|${JSON.stringify(done)}` : null, () => done.map((d) => this.decryptCard(d)));
  }

  private decryptCard(d: DecryptPanel): HTMLElement {
    const s = d.stage;
    const body: Child[] = [];
    switch (s.kind) {
      case 'done':
        body.push(h('p', { class: 'check-ok' }, t('decrypt.done')));
        break;
      case 'no_key':
        body.push(h('p', { class: 'warn' }, t('decrypt.no_key')));
        break;
      case 'refused':
        body.push(h('p', { class: 'error', role: 'alert' }, t('decrypt.refused', { round: d.round })));
        break;
      case 'verifying':
        body.push(h('p', { class: 'notice', role: 'status' }, t('decrypt.verifying', { done: s.done, total: s.total })));
        break;
      case 'failed':
        body.push(h('p', { class: 'error', role: 'alert' }, t('decrypt.failed')));
        if (s.error) body.push(h('p', { class: 'muted' }, `${s.error.seq} · ${s.error.code} · ${s.error.field}`));
        break;
      case 'sending':
        body.push(h('p', { class: 'notice', role: 'status' }, t('decrypt.sending')));
        break;
      case 'ready': {
        const approve = async () => {
          const ok = await confirmDialog(
            t('decrypt_confirm', { count: s.ballots, code: s.comparisonCode }),
            t('decrypt_confirm_yes'),
            t('decrypt_confirm_no'),
          );
          if (ok) await this.controller.approveDecryption(d.round);
        };
        body.push(
          h(
            'dl',
            { class: 'compare' },
            h('dt', null, t('ballot_count_label')),
            h('dd', { class: 'compare-value', 'data-testid': 'ballot-count' }, String(s.ballots)),
            h('dt', null, t('comparison_label')),
            h('dd', { class: 'compare-value mono', 'data-testid': 'comparison-code' }, s.comparisonCode),
          ),
          h('p', { class: 'warn' }, t('decrypt_instruction')),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'primary big-button', 'data-testid': 'decrypt-approve', onclick: () => void approve() }, t('decrypt_approve')),
          ),
        );
        break;
      }
    }
    if (d.error) body.push(h('p', { class: 'error', role: 'alert' }, text(d.error)));
    return h(
      'section',
      { class: 'card tablet-decrypt', 'data-testid': `decrypt-${d.round}`, 'data-stage': s.kind, 'aria-labelledby': `tablet-decrypt-${d.round}` },
      h('h2', { id: `tablet-decrypt-${d.round}` }, t('decrypt_heading', { round: d.round })),
      h('p', { class: 'muted' }, d.title),
      ...body,
    );
  }

  /** The shell's parts this page drives. */
  title(v: TabletView | null): string {
    return v?.scrutineer ? t('title_scrutineer') : t('title');
  }
}

