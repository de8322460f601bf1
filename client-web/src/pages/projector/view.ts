// The projector's DOM: paints a ProjectorView for a hall. Each region is repainted only when
// what it shows changed, so that ten verifier updates a second do not rebuild the QR code or
// make the results flicker. On a wall the results are a table whose type is fitted to the screen
// (fit.ts) and large rounds are paged, cycling slowly; in a narrow or short window (a tablet,
// 200% zoom) each target is a card and the page scrolls vertically.

import { getLang } from '../../i18n/i18n';
import { h, replace, type Child } from '../../ui/dom';
import { qrSvg } from '../../ui/qr';
import { failureText } from '../../verify/failure-text';
import { formatHundredths, formatRank, formatRateBp, shortHash } from './format';
import { bestSetting, fitRows, fitsIn, largestFitting, rowHeightPx, screenLayout, typeBounds, type ScreenLayout, type TableSetting } from './fit';
import { balancedPages, pageAt, rowsOfTarget, type Phase, type ProjectorView, type TargetView } from './model';
import { tp } from './strings';

/** How long each page of a large round stays up: slow enough to read a page aloud. */
export const PAGE_INTERVAL_MS = 15000;
const MAX_ROWS = 12;
const MIN_ROWS = 3;
/** The last resort for a page that still overflows at MIN_ROWS (one selection of twenty
 *  candidates): smaller type rather than rows cut off. */
const FLOOR_FONT_PX = 12;

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
  // When names may wrap, their column is at least half the longest name wide (in ems, as wide as
  // a Chinese character), so that a name takes two lines, never a column of three or four.
  const longest = Math.max(...targets.map((t) => [...t.title].length));
  return h(
    'table',
    { class: `pj-results pj-${kind}`, style: `--pj-wrapped-name: ${Math.ceil(longest / 2) + 1}em` },
    h('thead', null, head),
    h('tbody', null, rows),
  );
}

type Mark = 'selected' | 'tied' | '';

function candidateMark(t: TargetView, label: string): Mark {
  return t.outcome.selected.includes(label) ? 'selected' : t.outcome.tied.includes(label) ? 'tied' : '';
}

function markText(mark: Mark): string {
  return mark === 'selected' ? tp('selected_mark') : mark === 'tied' ? tp('tied_mark') : '';
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
        const mark = candidateMark(t, label);
        return h(
          'tr',
          { class: mark ? `pj-cand ${mark}` : 'pj-cand' },
          h('th', { scope: 'row', class: 'pj-name' }, label),
          optionCell(t.counts[i] ?? 0, t.shares[i] ?? 0, null),
          h('td', { class: 'pj-mark' }, markText(mark)),
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

// The cards of a narrow window: what a table row says, top to bottom, with every number
// labelled where it stands (there are no column headings to look up to).

function cardOption(label: string, count: number, shareBp: number, mark: Mark | null): HTMLElement {
  return h(
    'li',
    { class: mark === null ? 'pj-card-opt' : `pj-card-opt pj-cand ${mark}`.trim() },
    h('span', { class: 'pj-card-opt-label pj-name' }, label),
    h('span', { class: 'pj-count' }, count),
    bar(shareBp),
    mark === null ? null : h('span', { class: 'pj-mark' }, markText(mark)),
  );
}

function verdictPart(label: string, value: string, valueClass: string): HTMLElement {
  return h('span', { class: 'pj-card-fact' }, h('span', { class: 'pj-card-fact-label' }, label), ' ', h('span', { class: valueClass }, value));
}

function targetCard(t: TargetView): HTMLElement {
  return h(
    'li',
    { class: 'pj-card', ...targetAttrs(t, true) },
    t.kind === 'evaluation' ? h('p', { class: 'pj-card-rank' }, tp('col_rank'), ' ', h('b', { class: 'pj-rank' }, formatRank(t.rank))) : null,
    h('h3', { class: 'pj-card-title' }, t.title),
    h(
      'ul',
      { class: 'pj-card-opts' },
      t.labels.map((label, i) => cardOption(label, t.counts[i] ?? 0, t.shares[i] ?? 0, null)),
    ),
    h(
      'p',
      { class: 'pj-card-verdict' },
      t.kind === 'evaluation'
        ? [
            verdictPart(tp('col_rate'), formatRateBp(t.rateBp), 'pj-rate'),
            verdictPart(tp('col_grade'), t.grade === '' ? tp('no_grade') : t.grade, 'pj-grade'),
          ]
        : null,
      verdictPart(tp('col_outcome'), t.outcome.text, `pj-outcome ${t.outcome.tone}`),
    ),
  );
}

function selectionCard(t: TargetView): HTMLElement {
  return h(
    'li',
    { class: 'pj-card', ...targetAttrs(t, true) },
    h('h3', { class: 'pj-card-title' }, t.title),
    h('p', { class: `pj-card-verdict pj-outcome ${t.outcome.tone}` }, t.outcome.text),
    t.outcome.runoff ? h('p', { class: 'pj-runoff', role: 'note' }, t.outcome.runoff) : null,
    h(
      'ul',
      { class: 'pj-card-opts' },
      t.labels.map((label, i) => cardOption(label, t.counts[i] ?? 0, t.shares[i] ?? 0, candidateMark(t, label))),
    ),
  );
}

function resultCards(targets: TargetView[]): HTMLElement {
  const kind = targets[0]!.kind;
  return h('ol', { class: `pj-cards pj-${kind}` }, targets.map((t) => (kind === 'selection' ? selectionCard(t) : targetCard(t))));
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
  // Set when a region was repainted: the space left for the results may have changed.
  let repainted = false;
  let layout: ScreenLayout = screenLayout(window.innerWidth, window.innerHeight);
  let rowsPerPage = MAX_ROWS;
  // How the results were last set, for which page layout and space: the next page of the same
  // round keeps it if it fits, or starts from it, so that every page is set alike.
  let fitted: { key: string; setting: TableSetting } | null = null;
  let pagesSince = Date.now();
  let pageKey = '';
  let shownPage = -1;
  let membersSince = Date.now();
  let qrLang = '';

  // Repaints a region only when its key (what it shows, in which language) changed.
  const region = (name: string, key: string, paint: () => void) => {
    if (painted.get(name) === key) return;
    painted.set(name, key);
    repainted = true;
    paint();
  };

  // A flowing page holds every target: it scrolls, so nothing needs to be paged away.
  const pagesOf = (phase: Phase): TargetView[][] => {
    if (phase.kind !== 'revealed') return [];
    return layout.flowing ? [phase.targets] : balancedPages(phase.targets, rowsOfTarget, rowsPerPage);
  };

  const paintStage = (phase: Phase, lang: string) => {
    const pages = pagesOf(phase);
    const mode = `${layout.cards ? 'cards' : 'table'}:${layout.flowing ? 'flow' : 'wall'}`;
    const key = `${phase.kind}:${phase.kind === 'revealed' ? `${phase.round}:${rowsPerPage}:${mode}` : ''}`;
    if (key !== pageKey) {
      pageKey = key;
      pagesSince = Date.now();
    }
    const page = pageAt(Date.now(), pagesSince, pages.length, PAGE_INTERVAL_MS);
    region('stage', JSON.stringify([phase, lang, page, rowsPerPage, mode]), () => {
      shownPage = page;
      replace(stage, stageContent(phase, pages, page));
      stage.dataset.phase = phase.kind;
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
        let results: HTMLElement | null = null;
        if (phase.targets.length > 0 && layout.cards) {
          results = resultCards(phase.targets);
        } else if (phase.targets.length > 0) {
          const visible = new Set((pages[page] ?? []).map((t) => t.id));
          const table = phase.roundKind === 'selection' ? selectionTable(phase.targets, visible) : rowTable(phase.targets, visible);
          // Every page is set for the fullest one, so that the type does not jump as pages turn.
          const rows = Math.max(...pages.map((p) => p.reduce((n, t) => n + rowsOfTarget(t), 0)));
          table.dataset.rows = String(rows);
          results = h('div', { class: 'pj-fit' }, table);
        }
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
          results,
          pages.length > 1
            ? h('p', { class: 'pj-page', 'data-testid': 'page-indicator', 'data-page': page + 1, 'data-pages': pages.length }, tp('page_indicator', { page: page + 1, pages: pages.length }))
            : null,
        ];
      }
    }
  };

  // On a wall: sets the results' type as large as the space under the heading allows for the
  // rows of a page, measuring each size tried (a long name may wrap, a wide table may not fit
  // across); when even the smallest does not fit, fewer rows a page. Synchronous, so that the
  // frame after a resize is already fitted.
  const fitResults = () => {
    if (!last || last.view.phase.kind !== 'revealed' || layout.flowing) return;
    const box = stage.querySelector<HTMLElement>('.pj-fit');
    const table = box?.querySelector<HTMLElement>('.pj-results');
    if (!box || !table) return;
    const rows = Number(table.dataset.rows);
    const available = { width: box.clientWidth, height: box.clientHeight };
    if (!Number.isInteger(rows) || rows < 1 || available.width === 0 || available.height === 0) return;
    const lastResort = rowsPerPage <= MIN_ROWS;
    const key = JSON.stringify([pageKey, getLang(), available, lastResort]);
    const setAt = (setting: TableSetting) => {
      table.classList.toggle('pj-stack-bars', setting.stackBars);
      table.classList.toggle('pj-wrap-names', setting.wrapNames);
      table.style.fontSize = `${setting.fontPx}px`;
      const head = table.querySelector('thead')?.offsetHeight ?? 0;
      table.style.setProperty('--pj-row', `${rowHeightPx(available.height - head, rows, setting.fontPx)}px`);
    };
    const fitsNow = () => fitsIn({ width: table.offsetWidth, height: table.offsetHeight }, available);
    // The next page of the same round, or a repaint elsewhere: what fitted last still does,
    // usually, and one measurement says so.
    if (fitted?.key === key) {
      setAt(fitted.setting);
      if (fitsNow()) return;
    }
    const acrossAt = (fontPx: number) => {
      setAt({ fontPx, stackBars: true, wrapNames: true });
      return fitsIn({ width: table.offsetWidth, height: 0 }, available);
    };
    const screen = typeBounds(window.innerHeight);
    let minPx = lastResort ? Math.min(screen.minPx, FLOOR_FONT_PX) : screen.minPx;
    // Fewer rows a page make the table shorter, not narrower: when not even its narrowest
    // variant fits across at the smallest type, the smallest is whatever does (down to
    // FLOOR_FONT_PX).
    if (!acrossAt(minPx)) minPx = largestFitting(Math.min(minPx, FLOOR_FONT_PX), minPx, acrossAt) ?? FLOOR_FONT_PX;
    const bounds = { minPx, maxPx: Math.max(minPx, screen.maxPx) };
    const start = Math.max(minPx, fitted?.key === key ? fitted.setting.fontPx : fitRows(available.height, rows, bounds).fontPx);
    const setting = bestSetting(start, (variant) =>
      largestFitting(minPx, start, (fontPx) => {
        setAt({ fontPx, ...variant });
        return fitsNow();
      }),
    );
    if (setting !== null) {
      setAt(setting);
      fitted = { key, setting };
    } else if (!lastResort) {
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
    layout = screenLayout(window.innerWidth, window.innerHeight);
    root.classList.toggle('pj-flow', layout.flowing);
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
    if (repainted) {
      repainted = false;
      fitResults();
    }
  };

  // The space for the results also changes without a repaint of ours (the shell's warning
  // banner, the window): fit again whenever the stage changes size. Fitting changes only the
  // table inside a box of fixed size, so it cannot set this off again.
  const resizes = new ResizeObserver(() => fitResults());
  resizes.observe(stage);

  return {
    paint,
    tick() {
      if (!last) return;
      const phase = last.view.phase;
      if (phase.kind === 'revealed') {
        const pages = pagesOf(phase).length;
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
      resizes.disconnect();
      root.remove();
    },
  };
}
