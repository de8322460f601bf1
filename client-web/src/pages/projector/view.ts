// The projector's DOM: paints a ProjectorView for a hall. Each region is repainted only when
// what it shows changed, so that ten verifier updates a second do not rebuild the QR code or
// make the results flicker; large rounds are paged, cycling slowly.

import { getLang } from '../../i18n/i18n';
import { h, replace, type Child } from '../../ui/dom';
import { qrSvg } from '../../ui/qr';
import { failureText } from '../../verify/failure-text';
import { formatHundredths, formatRank, formatRateBp, shortHash } from './format';
import { balancedPages, pageAt, rowsOfTarget, type Phase, type ProjectorView, type TargetView } from './model';
import { tp } from './strings';

/** How long each page of a large round stays up: slow enough to read a page aloud. */
export const PAGE_INTERVAL_MS = 15000;
const MAX_ROWS = 12;
const MIN_ROWS = 3;

// A translated sentence with its numbers set in bold: each parameter is put in as a private-use
// marker, and the text is cut at the markers.
function emphasize(translate: (params: Record<string, string>) => string, values: Record<string, string | number>): Child[] {
  const names = Object.keys(values);
  const markers: Record<string, string> = {};
  names.forEach((name, i) => {
    markers[name] = `\u{E000}${i}\u{E000}`;
  });
  const parts = translate(markers).split('\u{E000}');
  return parts.map((part, i) => (i % 2 === 1 ? h('b', null, String(values[names[Number(part)]!])) : part));
}

function bar(shareBp: number): HTMLElement {
  const fill = h('span', { class: 'pj-bar-fill', style: `width: ${formatHundredths(shareBp)}%` });
  return h('span', { class: 'pj-bar', 'aria-hidden': 'true' }, fill);
}

function optionCell(count: number, shareBp: number, label: string | null): HTMLElement {
  return h(
    'td',
    { class: 'pj-opt' },
    h(
      'span',
      { class: 'pj-opt-line' },
      label === null ? null : h('span', { class: 'pj-opt-label' }, label),
      h('span', { class: 'pj-count' }, count),
      bar(shareBp),
    ),
  );
}

function sameLabels(targets: TargetView[]): string[] | null {
  const first = targets[0]?.labels;
  if (!first) return null;
  return targets.every((t) => t.labels.length === first.length && t.labels.every((l, i) => l === first[i])) ? first : null;
}

function targetAttrs(t: TargetView, visible: boolean): Record<string, string | boolean> {
  const attrs: Record<string, string | boolean> = {
    'data-testid': `target-${t.id}`,
    'data-counts': t.counts.join(','),
    hidden: !visible,
  };
  if (t.kind === 'evaluation') {
    attrs['data-grade'] = t.grade;
    attrs['data-rate'] = t.rateBp === null ? '' : String(t.rateBp);
  }
  if (t.kind !== 'selection') attrs['data-passed'] = String(t.outcome.tone === 'ok');
  return attrs;
}

function rowTable(targets: TargetView[], visible: Set<string>): HTMLElement {
  const kind = targets[0]!.kind;
  const labels = sameLabels(targets);
  const optionCount = Math.max(...targets.map((t) => t.labels.length));
  const head = h(
    'tr',
    null,
    kind === 'evaluation' ? h('th', { scope: 'col', class: 'pj-rank' }, tp('col_rank')) : null,
    h('th', { scope: 'col', class: 'pj-name' }, tp(kind === 'evaluation' ? 'col_target' : 'col_motion')),
    labels ? labels.map((l) => h('th', { scope: 'col', class: 'pj-opt' }, l)) : Array.from({ length: optionCount }, () => h('th', { scope: 'col' })),
    kind === 'evaluation' ? [h('th', { scope: 'col' }, tp('col_rate')), h('th', { scope: 'col' }, tp('col_grade'))] : null,
    h('th', { scope: 'col' }, tp('col_outcome')),
  );
  const rows = targets.map((t) =>
    h(
      'tr',
      targetAttrs(t, visible.has(t.id)),
      kind === 'evaluation' ? h('td', { class: 'pj-rank' }, formatRank(t.rank)) : null,
      h('th', { scope: 'row', class: 'pj-name' }, t.title),
      t.counts.map((c, i) => optionCell(c, t.shares[i] ?? 0, labels ? null : t.labels[i] ?? '')),
      kind === 'evaluation'
        ? [h('td', { class: 'pj-rate' }, formatRateBp(t.rateBp)), h('td', { class: 'pj-grade' }, t.grade === '' ? tp('no_grade') : t.grade)]
        : null,
      h('td', { class: `pj-outcome ${t.outcome.tone}` }, t.outcome.text),
    ),
  );
  return h('table', { class: `pj-results pj-${kind}` }, h('thead', null, head), h('tbody', null, rows));
}

function selectionTable(targets: TargetView[], visible: Set<string>): HTMLElement {
  const bodies = targets.map((t) => {
    const order = t.labels.map((_, i) => i);
    return h(
      'tbody',
      targetAttrs(t, visible.has(t.id)),
      h(
        'tr',
        { class: 'pj-contest' },
        h(
          'th',
          { scope: 'rowgroup', colspan: 3 },
          h('span', { class: 'pj-contest-title' }, t.title),
          ' ',
          h('span', { class: `pj-outcome ${t.outcome.tone}` }, t.outcome.text),
          t.outcome.runoff ? h('div', { class: 'pj-runoff', role: 'note' }, t.outcome.runoff) : null,
        ),
      ),
      order.map((i) => {
        const label = t.labels[i]!;
        const mark = t.outcome.selected.includes(label) ? 'selected' : t.outcome.tied.includes(label) ? 'tied' : '';
        return h(
          'tr',
          { class: mark ? `pj-cand ${mark}` : 'pj-cand' },
          h('th', { scope: 'row', class: 'pj-name' }, label),
          optionCell(t.counts[i] ?? 0, t.shares[i] ?? 0, null),
          h('td', { class: 'pj-mark' }, mark === 'selected' ? tp('selected_mark') : mark === 'tied' ? tp('tied_mark') : ''),
        );
      }),
    );
  });
  return h(
    'table',
    { class: 'pj-results pj-selection' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, tp('col_candidate')), h('th', { scope: 'col' }, tp('col_votes')), h('th', { scope: 'col' }))),
    bodies,
  );
}

function roundHeading(round: number, title: string): HTMLElement {
  return h('h2', { class: 'pj-round' }, tp('round_heading', { round, title }));
}

export interface ProjectorScreen {
  paint(view: ProjectorView, failureType: string | null): void;
  /** Called every second: moves to the next page of a large round when its time has come. */
  tick(): void;
  /** The window changed size: fit the pages to it again. */
  refit(): void;
  destroy(): void;
}

export function createProjectorScreen(main: HTMLElement, observerUrl: string): ProjectorScreen {
  const title = h('h2', { class: 'pj-title' });
  const sub = h('p', { class: 'pj-sub' });
  const attendance = h('div', { class: 'pj-attendance', 'data-testid': 'attendance' });
  const verified = h('div', { class: 'pj-verified', 'data-testid': 'verified', role: 'status', 'aria-live': 'polite' });
  const failure = h('div', { class: 'pj-failure', role: 'alert', hidden: true });
  const adjourned = h('div', { class: 'pj-adjourned', role: 'status', hidden: true });
  // Not a live region as a whole: a results page turning every 15 s would be read out again and
  // again. The phase line and the counters are status regions of their own.
  const stage = h('section', { class: 'pj-stage' });
  const qrCaption = h('figcaption', { class: 'pj-qr-caption' });
  const qrBox = h('figure', { class: 'pj-qr', 'data-testid': 'observer-qr', 'data-url': observerUrl });
  const headHash = h('span', { class: 'pj-hash mono', 'data-testid': 'head-hash' });
  const headLabel = h('span', { class: 'pj-hash-label' });
  const asideCode = h('div', { class: 'pj-aside-code' });
  const membersHeading = h('h2', { class: 'pj-members-heading' });
  const membersList = h('p', { class: 'pj-members-list', 'data-testid': 'present-members' });
  const membersPage = h('span', { class: 'pj-members-page', 'aria-hidden': 'true' });
  const root = h(
    'div',
    { class: 'projector' },
    h('header', { class: 'pj-top' }, h('div', { class: 'pj-session' }, title, sub), attendance, verified),
    failure,
    adjourned,
    h('div', { class: 'pj-body' }, stage, h('aside', { class: 'pj-aside' }, qrBox, h('p', { class: 'pj-head' }, headLabel, ' ', headHash), asideCode)),
    h('footer', { class: 'pj-members' }, membersHeading, membersList, membersPage),
  );
  replace(main, root);

  let last: { view: ProjectorView; failureType: string | null } | null = null;
  const painted = new Map<string, string>();
  let rowsPerPage = MAX_ROWS;
  let pagesSince = Date.now();
  let pageKey = '';
  let shownPage = -1;
  let membersSince = Date.now();
  let qrLang = '';

  // Repaints a region only when its key (what it shows, in which language) changed.
  const region = (name: string, key: string, paint: () => void) => {
    if (painted.get(name) === key) return;
    painted.set(name, key);
    paint();
  };

  const paintStage = (phase: Phase, lang: string) => {
    const pages = phase.kind === 'revealed' ? balancedPages(phase.targets, rowsOfTarget, rowsPerPage) : [];
    const key = `${phase.kind}:${phase.kind === 'revealed' ? `${phase.round}:${rowsPerPage}` : ''}`;
    if (key !== pageKey) {
      pageKey = key;
      pagesSince = Date.now();
    }
    const page = pageAt(Date.now(), pagesSince, pages.length, PAGE_INTERVAL_MS);
    region('stage', JSON.stringify([phase, lang, page, rowsPerPage]), () => {
      shownPage = page;
      replace(stage, stageContent(phase, pages, page));
      stage.dataset.phase = phase.kind;
      if (phase.kind === 'revealed') requestAnimationFrame(fit);
    });
  };

  const stageContent = (phase: Phase, pages: TargetView[][], page: number): Child[] => {
    switch (phase.kind) {
      case 'loading':
        return [h('p', { class: 'pj-phase', role: 'status' }, tp('loading'))];
      case 'idle':
        return [h('p', { class: 'pj-phase pj-big', role: 'status' }, tp('idle')), h('p', { class: 'pj-detail' }, tp('idle_detail'))];
      case 'voting':
        return [
          roundHeading(phase.round, phase.title),
          h('p', { class: 'pj-phase' }, tp('voting')),
          h(
            'div',
            {
              class: 'pj-progress',
              'data-testid': 'progress',
              'data-ballots': phase.ballots,
              'data-present': phase.present,
              'data-members': phase.members,
              role: 'status',
            },
            emphasize((p) => tp('progress', p), { present: phase.present, members: phase.members, ballots: phase.ballots }),
          ),
        ];
      case 'counting':
        return [
          roundHeading(phase.round, phase.title),
          h('p', { class: 'pj-phase', role: 'status' }, tp(phase.resulted ? 'resulted' : 'counting')),
          phase.comparisonCode
            ? h(
                'div',
                { class: 'pj-code-block' },
                h('div', { class: 'pj-code-label' }, tp('comparison_code')),
                h('div', { class: 'pj-code mono', 'data-testid': 'comparison-code', 'data-code': phase.comparisonCode }, phase.comparisonCode),
                h('div', { class: 'pj-code-hint' }, tp('comparison_hint')),
              )
            : null,
          h('p', { class: 'pj-ballots', 'data-testid': 'ballot-count', 'data-ballots': phase.ballots }, tp('ballots_total', { ballots: phase.ballots })),
          phase.ballots === 0
            ? h('p', { class: 'pj-detail' }, tp('no_ballots_to_decrypt'))
            : h(
                'div',
                { class: 'pj-trustees' },
                h('h3', null, tp('trustees')),
                h(
                  'ul',
                  null,
                  phase.trustees.map((t) =>
                    h(
                      'li',
                      { class: t.done ? 'done' : 'waiting', 'data-trustee': t.id, 'data-done': String(t.done) },
                      h('span', { class: 'pj-trustee-mark', 'aria-hidden': 'true' }, t.done ? '✓' : '…'),
                      ' ',
                      t.id === 'server' ? tp('server_trustee') : t.name,
                      ' ',
                      h('span', { class: 'pj-trustee-state' }, tp(t.done ? 'trustee_done' : 'trustee_waiting')),
                    ),
                  ),
                ),
              ),
        ];
      case 'revealed': {
        const visible = new Set((pages[page] ?? []).map((t) => t.id));
        const table =
          phase.targets.length === 0 ? null : phase.roundKind === 'selection' ? selectionTable(phase.targets, visible) : rowTable(phase.targets, visible);
        // A page of few rows is set larger, to be read from the back of the hall.
        const rows = (pages[page] ?? []).reduce((n, t) => n + rowsOfTarget(t), 0);
        table?.classList.add(rows <= 4 ? 'pj-size-large' : rows <= 7 ? 'pj-size-medium' : 'pj-size-normal');
        return [
          h(
            'div',
            { class: 'pj-result-head' },
            roundHeading(phase.round, phase.title),
            h('p', { class: 'pj-summary', role: 'status' }, tp('result_summary', { present: phase.present, ballots: phase.ballots })),
          ),
          phase.undeclared
            ? h(
                'div',
                {
                  class: `pj-undeclared ${phase.undeclared.tone}`,
                  'data-testid': 'undeclared',
                  'data-tone': phase.undeclared.tone,
                  role: phase.undeclared.tone === 'ok' ? null : 'alert',
                },
                h('span', { class: 'pj-undeclared-text' }, phase.undeclared.text),
                phase.undeclared.tone === 'ok' ? null : h('span', { class: 'pj-undeclared-why' }, ' ', phase.undeclared.explanation),
              )
            : null,
          table,
          pages.length > 1
            ? h('p', { class: 'pj-page', 'data-testid': 'page-indicator', 'data-page': page + 1, 'data-pages': pages.length }, tp('page_indicator', { page: page + 1, pages: pages.length }))
            : null,
        ];
      }
    }
  };

  // After a results page is painted: if it overflows the stage, fewer rows per page, until it
  // fits or three rows are left (a window that short gets the flowing layout of projector.css,
  // where the page scrolls vertically instead).
  const fit = () => {
    if (!last || last.view.phase.kind !== 'revealed') return;
    if (stage.scrollHeight > stage.clientHeight + 1 && rowsPerPage > MIN_ROWS) {
      rowsPerPage -= 1;
      paint(last.view, last.failureType);
    }
  };

  const paintMembersPage = () => {
    // The names of everyone present must be on screen (DESIGN.md §7: the room checks them); when
    // they do not fit, the list turns its pages with the results.
    const pages = Math.max(1, Math.ceil(membersList.scrollHeight / Math.max(1, membersList.clientHeight)));
    if (pages <= 1) {
      membersList.scrollTop = 0;
      membersPage.textContent = '';
      return;
    }
    const page = pageAt(Date.now(), membersSince, pages, PAGE_INTERVAL_MS);
    membersList.scrollTop = page * membersList.clientHeight;
    membersPage.textContent = tp('page_indicator', { page: page + 1, pages });
  };

  const paint = (view: ProjectorView, failureType: string | null) => {
    last = { view, failureType };
    const lang = getLang();
    region('session', JSON.stringify([view.title, view.committee, view.date, lang]), () => {
      title.textContent = view.title;
      sub.textContent = view.committee || view.date ? [view.committee, view.date].filter(Boolean).join(' · ') : '';
    });
    region('attendance', JSON.stringify([view.present, view.members, lang]), () => {
      attendance.dataset.present = String(view.present);
      attendance.dataset.members = String(view.members);
      replace(attendance, emphasize((p) => tp('attendance', p), { present: view.present, members: view.members }));
    });
    region('verified', JSON.stringify([view.verification, view.verified, view.received, lang]), () => {
      verified.dataset.state = view.verification;
      verified.className = `pj-verified ${view.verification}`;
      verified.title = tp('verified_label');
      verified.textContent =
        view.verification === 'ok'
          ? tp('verified_ok')
          : view.verification === 'failed'
            ? tp('verified_failed')
            : tp('verified_running', { done: view.verified, total: Math.max(view.verified, view.received) });
    });
    region('failure', JSON.stringify([view.failure, failureType, lang]), () => {
      failure.hidden = view.failure === null;
      if (!view.failure) return replace(failure);
      const text = failureText(view.failure, failureType);
      replace(
        failure,
        h('p', { class: 'pj-failure-title' }, tp('failure_title')),
        h('p', { class: 'pj-failure-detail' }, `${text.where} · ${text.field} · ${text.reason}`),
      );
    });
    region('adjourned', JSON.stringify([view.adjourned, lang]), () => {
      adjourned.hidden = !view.adjourned;
      adjourned.textContent = view.adjourned ? tp('adjourned') : '';
    });
    paintStage(view.phase, lang);
    region('qr', lang, () => {
      if (qrLang === '') qrBox.append(qrSvg(observerUrl, tp('observer_qr_label')));
      else qrBox.querySelector('svg')?.setAttribute('aria-label', tp('observer_qr_label'));
      qrLang = lang;
      qrCaption.textContent = tp('observer_qr');
      qrBox.append(qrCaption);
    });
    region('head', JSON.stringify([view.headHash, lang]), () => {
      headLabel.textContent = tp('head_hash');
      headHash.textContent = view.headHash ? shortHash(view.headHash) : '—';
      if (view.headHash) headHash.dataset.hash = view.headHash;
      else delete headHash.dataset.hash;
    });
    const code = view.phase.kind === 'revealed' ? view.phase.comparisonCode : null;
    region('aside-code', JSON.stringify([code, lang]), () => {
      replace(
        asideCode,
        code
          ? [
              h('span', { class: 'pj-hash-label' }, tp('comparison_code')),
              ' ',
              h('span', { class: 'mono', 'data-testid': 'comparison-code', 'data-code': code }, code),
            ]
          : null,
      );
    });
    region('members', JSON.stringify([view.presentMembers, lang]), () => {
      membersHeading.textContent = tp('present_members', { n: view.presentMembers.length });
      // One unbreakable span per name, the separators between them (where a line may end), so that
      // a line never ends in the middle of a name.
      const separator = tp('list_separator');
      replace(
        membersList,
        view.presentMembers.map((name, i) => [h('span', { class: 'pj-member' }, name), i < view.presentMembers.length - 1 ? separator : null]),
      );
      membersList.dataset.count = String(view.presentMembers.length);
      membersSince = Date.now();
      requestAnimationFrame(paintMembersPage);
    });
  };

  return {
    paint,
    tick() {
      if (!last) return;
      const phase = last.view.phase;
      if (phase.kind === 'revealed') {
        const pages = balancedPages(phase.targets, rowsOfTarget, rowsPerPage).length;
        if (pageAt(Date.now(), pagesSince, pages, PAGE_INTERVAL_MS) !== shownPage) paint(last.view, last.failureType);
      }
      paintMembersPage();
    },
    refit() {
      rowsPerPage = MAX_ROWS;
      if (last) paint(last.view, last.failureType);
      paintMembersPage();
    },
    destroy() {
      root.remove();
    },
  };
}
