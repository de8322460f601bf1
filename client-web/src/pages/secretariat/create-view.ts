// Creating a session: the session's fields, the roster import, the agenda, then POST
// /api/sessions. The reply's codes live in this object's memory only (never stored, never in a
// URL) until the secretariat says they are printed and saved.

import { describeError, tc } from '../../i18n/common';
import { apiPost } from '../../net/http';
import { confirmDialog, downloadBlob, h, replace } from '../../ui/dom';
import { absoluteRouteUrl, routeHref } from '../../ui/router';
import { allCards, codesCsv, codesFileName, type Card } from './cards';
import { printView } from './cards-view';
import { agendaImport } from './agenda-import-view';
import { decodeCsvBytes } from './csv';
import { parseRoster, type Roster, type RosterProblem } from './roster';
import { agendaList, roundForm } from './round-form';
import type { RoundSpec } from './rounds';
import { buildSessionRequest, defaultSessionDraft, parseCreated, ReplyError, type SessionError } from './session';
import { setupRosterCsv, type SessionSetup } from './session-file';
import { sessionFileCard } from './session-file-view';
import { t, type Key } from './strings';

export interface AdminAccess {
  token(): string;
  /** Called with every admin call's error; returns true when it was the token's fault (the page
   *  then asks for the token again). */
  refused(err: unknown): boolean;
}

interface Created {
  session: string;
  title: string;
  date: string;
  chairCode: string;
  cards: Card[];
}

export interface CreateView {
  el: HTMLElement;
  relabel(): void;
  /** True while codes are held that have not been declared saved. */
  holdsCodes(): boolean;
}

export function rosterProblemText(p: RosterProblem): string {
  const where = p.line === null ? t('whole_roster') : t('line_n', { line: p.line });
  return `${where}${t('colon')}${t(`problem.${p.code}` as Key, p.params)}`;
}

export function sessionErrorText(e: SessionError): string {
  return t(`serr.${e.code}` as Key, { ...e.params, field: t(`field_${e.field}` as Key) });
}

function labelled(id: string, control: HTMLElement): { wrap: HTMLElement; label: HTMLLabelElement } {
  const label = h('label', { for: id });
  control.id = id;
  return { wrap: h('div', { class: 'field' }, label, control), label };
}

export function createView(admin: AdminAccess): CreateView {
  const defaults = defaultSessionDraft();
  let roster: Roster | null = null;
  const agenda: RoundSpec[] = [];
  let phase: 'form' | 'created' | 'print' = 'form';
  let created: Created | null = null;
  let busy = false;
  let createErrors: SessionError[] = [];
  let failure: unknown = null;
  let rosterNotice: (() => string) | null = null;

  // ---- the form's controls, built once --------------------------------------------------------
  const title = h('input', { type: 'text', 'data-testid': 'session-title', autocomplete: 'off' });
  const committee = h('input', { type: 'text', 'data-testid': 'session-committee', autocomplete: 'off' });
  const date = h('input', { type: 'date', 'data-testid': 'session-date', value: defaults.date });
  const quorumNum = h('input', { type: 'text', inputmode: 'numeric', 'data-testid': 'quorum-num', value: defaults.quorumNum });
  const quorumDen = h('input', { type: 'text', inputmode: 'numeric', 'data-testid': 'quorum-den', value: defaults.quorumDen });
  const fTitle = labelled('sec-title', title);
  const fCommittee = labelled('sec-committee', committee);
  const fDate = labelled('sec-date', date);
  const fNum = labelled('sec-quorum-num', quorumNum);
  const fDen = labelled('sec-quorum-den', quorumDen);
  const quorumExplain = h('p', { class: 'hint muted', 'aria-live': 'polite' });
  const sessionHeading = h('h2');
  const quorumHeading = h('h3');

  const rosterFile = h('input', { type: 'file', accept: '.csv,.txt,text/csv,text/plain', 'data-testid': 'roster-file' });
  const rosterCsv = h('textarea', { rows: 8, 'data-testid': 'roster-csv', spellcheck: 'false' });
  const rosterImport = h('button', { type: 'button', class: 'secondary', 'data-testid': 'roster-import' });
  const fFile = labelled('sec-roster-file', rosterFile);
  const fCsv = labelled('sec-roster-csv', rosterCsv);
  const rosterHeading = h('h2');
  const rosterHelp = h('p', { class: 'hint muted' });
  const rosterResult = h('div', { class: 'roster-result', 'aria-live': 'polite' });

  const roundsHeading = h('h2');
  const roundsIntro = h('p', { class: 'muted' });
  const form = roundForm((round) => {
    agenda.push(round);
    paintAgenda();
  });
  const agendaBox = h('div', { class: 'agenda-box' });
  const agendaCsv = agendaImport((rounds) => {
    agenda.push(...rounds);
    paintAgenda();
    refreshCreateErrors();
    return agenda.length;
  });

  const createHeading = h('h2');
  const createButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'create-session' });
  const createStatus = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'create-status' });

  const fileCard = sessionFileCard({
    load: (setup) => fillForm(setup),
    current: () => buildSessionRequest(draft(), roster, agenda),
    errorText: sessionErrorText,
  });

  const formEl = h(
    'div',
    { class: 'create-form' },
    fileCard.el,
    h('section', { class: 'card' }, sessionHeading, fTitle.wrap, fCommittee.wrap, fDate.wrap, quorumHeading, h('div', { class: 'field-row' }, fNum.wrap, fDen.wrap), quorumExplain),
    h('section', { class: 'card' }, rosterHeading, rosterHelp, fFile.wrap, fCsv.wrap, h('div', { class: 'actions' }, rosterImport), rosterResult),
    h('section', { class: 'card' }, roundsHeading, roundsIntro, form.el, agendaCsv.el, agendaBox),
    h('section', { class: 'card' }, createHeading, createStatus, h('div', { class: 'actions' }, createButton)),
  );
  const el = h('div', { class: 'create-view' });

  // ---- roster ---------------------------------------------------------------------------------
  const readRoster = (text: string) => {
    roster = parseRoster(text);
    rosterNotice = null;
    paintRoster();
    refreshCreateErrors();
  };
  rosterImport.addEventListener('click', () => readRoster(rosterCsv.value));
  rosterFile.addEventListener('change', async () => {
    const file = rosterFile.files?.[0];
    if (!file) return;
    try {
      const decoded = decodeCsvBytes(new Uint8Array(await file.arrayBuffer()));
      if (!decoded.ok) {
        roster = null;
        rosterNotice = () => t('roster_not_utf8');
        paintRoster();
        return;
      }
      rosterCsv.value = decoded.text.startsWith('\uFEFF') ? decoded.text.slice(1) : decoded.text;
      readRoster(decoded.text);
    } catch (e) {
      roster = null;
      rosterNotice = () => t('roster_read_failed', { error: describeError(e) });
      paintRoster();
    }
  });

  const paintRoster = () => {
    if (rosterNotice) {
      replace(rosterResult, h('p', { class: 'error', role: 'alert' }, rosterNotice()));
      return;
    }
    if (!roster) {
      replace(rosterResult);
      return;
    }
    const r = roster;
    const scrutineers = r.members.filter((m) => m.scrutineer).length;
    const byLine = new Map<number, RosterProblem[]>();
    for (const p of r.problems) if (p.line !== null) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
    replace(
      rosterResult,
      h('p', null, t('roster_summary', { count: r.members.length, scrutineers })),
      r.problems.length > 0
        ? h(
            'div',
            { class: 'error', role: 'alert', 'data-testid': 'roster-problems' },
            h('p', null, t('roster_problems', { count: r.problems.length })),
            h('ul', null, r.problems.map((p) => h('li', null, rosterProblemText(p)))),
          )
        : h('p', { class: 'notice', 'data-testid': 'roster-ok' }, t('roster_ok')),
      r.problems.length === 0 && scrutineers === 0 ? h('p', { class: 'warn' }, t('roster_no_scrutineers')) : null,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'data-testid': 'roster-table' },
          h('thead', null, h('tr', null, ['col_line', 'col_id', 'col_name', 'col_seat', 'col_scrutineer', 'col_problems'].map((k) => h('th', { scope: 'col' }, t(k as Key))))),
          h(
            'tbody',
            null,
            r.members.map((m) => {
              const problems = byLine.get(m.line) ?? [];
              return h(
                'tr',
                { class: problems.length > 0 ? 'has-problem' : null, 'data-line': m.line },
                h('td', null, m.line),
                h('td', { class: 'mono' }, m.id),
                h('td', null, m.name),
                h('td', null, m.seat),
                h('td', null, m.scrutineer ? t('yes') : t('no')),
                h('td', { class: 'problem-cell' }, problems.map((p) => t(`problem.${p.code}` as Key, p.params)).join('；')),
              );
            }),
          ),
        ),
      ),
    );
  };

  // ---- agenda ---------------------------------------------------------------------------------
  const paintAgenda = () => {
    replace(
      agendaBox,
      agendaList(agenda, (i) => {
        agenda.splice(i, 1);
        paintAgenda();
      }),
    );
  };

  // ---- create ---------------------------------------------------------------------------------
  const draft = () => ({ title: title.value, committee: committee.value, date: date.value, quorumNum: quorumNum.value, quorumDen: quorumDen.value });

  const paintQuorum = () => {
    const num = quorumNum.value.trim();
    const den = quorumDen.value.trim();
    const valid = /^\d+$/.test(num) && /^\d+$/.test(den) && Number(num) > 0 && Number(num) < Number(den);
    quorumExplain.textContent = valid ? t('quorum_explain', { num, den }) : t('quorum_explain_bad');
  };
  quorumNum.addEventListener('input', paintQuorum);
  quorumDen.addEventListener('input', paintQuorum);

  const paintCreateStatus = () => {
    if (busy) {
      replace(createStatus, h('p', { class: 'muted' }, t('creating')));
    } else if (createErrors.length > 0) {
      replace(createStatus, h('div', { class: 'error', role: 'alert', 'data-testid': 'create-errors' }, h('p', null, t('fix_first')), h('ul', null, createErrors.map((e) => h('li', null, sessionErrorText(e))))));
    } else if (failure instanceof ReplyError) {
      replace(createStatus, h('p', { class: 'error', role: 'alert', 'data-testid': 'create-errors' }, t('reply_malformed', { field: failure.field })));
    } else if (failure !== null) {
      replace(createStatus, h('p', { class: 'error', role: 'alert', 'data-testid': 'create-errors' }, t('create_failed', { error: describeError(failure) })));
    } else {
      replace(createStatus);
    }
    createButton.disabled = busy;
  };

  // Once the errors are shown they follow the form, so that a fixed field stops being listed.
  const refreshCreateErrors = () => {
    if (createErrors.length === 0) return;
    const built = buildSessionRequest(draft(), roster, agenda);
    createErrors = built.ok ? [] : built.errors;
    paintCreateStatus();
  };
  formEl.addEventListener('input', refreshCreateErrors);

  createButton.addEventListener('click', async () => {
    if (busy) return;
    const built = buildSessionRequest(draft(), roster, agenda);
    failure = null;
    if (!built.ok) {
      createErrors = built.errors;
      paintCreateStatus();
      return;
    }
    createErrors = [];
    paintCreateStatus();
    const body = built.body;
    const ok = await confirmDialog(t('create_confirm', { title: body.title, members: body.members.length, rounds: body.rounds.length }), t('create_session'), tc('cancel'));
    if (!ok) return;
    busy = true;
    paintCreateStatus();
    try {
      const reply = await apiPost('/api/sessions', body, { adminToken: admin.token() });
      const parsed = parseCreated(reply, body.members.map((m) => m.id));
      const members = (roster?.members ?? []).map((m) => ({ id: m.id, name: m.name, seat: m.seat, scrutineer: m.scrutineer }));
      created = {
        session: parsed.session,
        title: body.title,
        date: body.date,
        chairCode: parsed.chairCode,
        cards: allCards(parsed.session, parsed.chairCode, members, parsed.codes, absoluteRouteUrl),
      };
      phase = 'created';
    } catch (e) {
      if (!admin.refused(e)) failure = e;
    } finally {
      busy = false;
    }
    render();
  });

  // ---- after creation -------------------------------------------------------------------------
  const download = (c: Created) => {
    downloadBlob(codesFileName(c.session, c.date), new Blob([codesCsv(c.session, c.cards)], { type: 'text/csv;charset=utf-8' }));
  };

  const forget = async () => {
    if (!(await confirmDialog(t('forget_confirm'), t('forget_codes'), tc('cancel')))) return;
    created = null;
    phase = 'form';
    resetForm();
    render();
  };

  const resetForm = () => {
    title.value = '';
    committee.value = '';
    date.value = defaultSessionDraft().date;
    quorumNum.value = '1';
    quorumDen.value = '2';
    rosterCsv.value = '';
    rosterFile.value = '';
    roster = null;
    agenda.splice(0);
    agendaCsv.clear();
    createErrors = [];
    failure = null;
  };

  // A session file replaces the whole form; the secretariat reviews it before creating.
  const fillForm = (setup: SessionSetup) => {
    title.value = setup.draft.title;
    committee.value = setup.draft.committee;
    date.value = setup.draft.date;
    quorumNum.value = setup.draft.quorumNum;
    quorumDen.value = setup.draft.quorumDen;
    rosterFile.value = '';
    rosterCsv.value = setupRosterCsv(setup);
    agenda.splice(0, agenda.length, ...setup.rounds);
    agendaCsv.clear();
    createErrors = [];
    failure = null;
    paintQuorum();
    paintAgenda();
    paintCreateStatus();
    readRoster(rosterCsv.value);
  };

  const createdPanel = (c: Created) => {
    const chair = c.cards.find((x) => x.kind === 'chair');
    const members = c.cards.filter((x) => x.kind === 'member');
    return h(
      'section',
      { class: 'card created' },
      h('h2', null, t('created_heading')),
      h('p', null, t('created_session'), t('colon'), h('code', { 'data-testid': 'created-session', class: 'session-id' }, c.session)),
      h('p', { class: 'warn', role: 'alert' }, t('codes_once')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-testid': 'print-cards', onclick: () => { phase = 'print'; render(); } }, t('print_cards')),
        h('button', { type: 'button', 'data-testid': 'download-codes', onclick: () => download(c) }, t('download_codes')),
        h('a', { class: 'button secondary', href: routeHref('chair', { session: c.session }), target: '_blank', rel: 'noopener' }, t('chair_console')),
      ),
      chair ? h('p', null, t('chair_code'), t('colon'), h('strong', { class: 'mono code-text', 'data-testid': 'chair-code-value' }, chair.code)) : null,
      h('h3', null, t('member_codes')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'data-testid': 'codes-table' },
          h('thead', null, h('tr', null, ['col_id', 'col_name', 'col_seat', 'col_code'].map((k) => h('th', { scope: 'col' }, t(k as Key))))),
          h('tbody', null, members.map((m) => h('tr', null, h('td', { class: 'mono' }, m.memberId ?? ''), h('td', null, m.name), h('td', null, m.seat), h('td', { class: 'mono code-text' }, m.code)))),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', 'data-testid': 'forget-codes', onclick: () => void forget() }, t('forget_codes'))),
    );
  };

  // ---- painting -------------------------------------------------------------------------------
  const relabelForm = () => {
    fileCard.relabel();
    agendaCsv.relabel();
    sessionHeading.textContent = t('session_heading');
    fTitle.label.textContent = t('session_title');
    fCommittee.label.textContent = t('session_committee');
    fDate.label.textContent = t('session_date');
    quorumHeading.textContent = t('quorum_heading');
    fNum.label.textContent = t('quorum_num');
    fDen.label.textContent = t('quorum_den');
    rosterHeading.textContent = t('roster_heading');
    rosterHelp.textContent = t('roster_help');
    fFile.label.textContent = t('roster_file');
    fCsv.label.textContent = t('roster_csv');
    rosterImport.textContent = t('roster_import');
    roundsHeading.textContent = t('rounds_heading');
    roundsIntro.textContent = t('rounds_intro');
    createHeading.textContent = t('create_heading');
    createButton.textContent = t('create_session');
    paintQuorum();
    form.relabel();
  };

  const render = () => {
    if (phase === 'print' && created) {
      const c = created;
      replace(el, printView(c.cards, c.title, () => { phase = 'created'; render(); }));
    } else if (phase === 'created' && created) {
      replace(el, createdPanel(created));
    } else {
      relabelForm();
      paintRoster();
      paintAgenda();
      paintCreateStatus();
      replace(el, formEl);
    }
  };

  render();
  return {
    el,
    relabel: render,
    holdsCodes: () => created !== null,
  };
}
