// The agenda import panel of the round builder's card: a CSV file or a pasted table → rounds
// added to the agenda, or every problem listed by line and nothing added.

import { describeError } from '../../i18n/common';
import { downloadBlob, h, replace } from '../../ui/dom';
import { agendaTemplateCsv, parseAgenda, type AgendaColumn, type AgendaProblem } from './agenda';
import { decodeCsvBytes } from './csv';
import { kindShort } from './round-form';
import type { RoundSpec } from './rounds';
import { t } from './strings';

export function agendaProblemText(p: AgendaProblem): string {
  const params = { ...p.params };
  if (typeof params.column === 'string') params.column = t(`acol.${params.column as AgendaColumn}`);
  if (typeof params.kind === 'string') params.kind = kindShort(params.kind);
  const where = p.line === null ? t('whole_agenda') : t('line_n', { line: p.line });
  return `${where}${t('colon')}${t(`aproblem.${p.code}`, params)}`;
}

export interface AgendaImport {
  el: HTMLElement;
  relabel(): void;
  /** Forgets what was read (the form was reset or filled from a session file). */
  clear(): void;
}

/** `add` puts the rounds on the agenda and returns how many the agenda now holds. */
export function agendaImport(add: (rounds: RoundSpec[]) => number): AgendaImport {
  // What the result says, as a function so that a language switch repaints it.
  let result: (() => HTMLElement) | null = null;

  const heading = h('h3');
  const help = h('p', { class: 'hint muted' });
  const template = h('button', { type: 'button', class: 'secondary', 'data-testid': 'agenda-template' });
  const file = h('input', { type: 'file', accept: '.csv,.txt,text/csv,text/plain', 'data-testid': 'agenda-file', id: 'sec-agenda-file' });
  const fileLabel = h('label', { for: 'sec-agenda-file' });
  const csv = h('textarea', { rows: 6, 'data-testid': 'agenda-csv', spellcheck: 'false', id: 'sec-agenda-csv' });
  const csvLabel = h('label', { for: 'sec-agenda-csv' });
  const read = h('button', { type: 'button', class: 'secondary', 'data-testid': 'agenda-import' });
  const box = h('div', { class: 'agenda-import-result', 'aria-live': 'polite' });

  const paint = () => replace(box, result ? result() : null);

  const readText = (text: string) => {
    const agenda = parseAgenda(text);
    if (agenda.problems.length > 0) {
      const problems = agenda.problems;
      result = () =>
        h(
          'div',
          { class: 'error', role: 'alert', 'data-testid': 'agenda-problems' },
          h('p', null, t('agenda_problems', { count: problems.length })),
          h('ul', null, problems.map((p) => h('li', null, agendaProblemText(p)))),
        );
    } else {
      const count = agenda.rounds.length;
      const total = add(agenda.rounds);
      result = () => h('p', { class: 'notice', 'data-testid': 'agenda-imported' }, t('agenda_imported', { count, total }));
    }
    paint();
  };

  read.addEventListener('click', () => readText(csv.value));
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    try {
      const decoded = decodeCsvBytes(new Uint8Array(await f.arrayBuffer()));
      if (!decoded.ok) {
        result = () => h('p', { class: 'error', role: 'alert' }, t('roster_not_utf8'));
      } else {
        csv.value = decoded.text.startsWith('\uFEFF') ? decoded.text.slice(1) : decoded.text;
        readText(decoded.text);
        return;
      }
    } catch (e) {
      result = () => h('p', { class: 'error', role: 'alert' }, t('roster_read_failed', { error: describeError(e) }));
    } finally {
      // The same file, corrected, can be chosen again.
      file.value = '';
    }
    paint();
  });
  template.addEventListener('click', () => downloadBlob('pingyi-agenda-template.csv', new Blob([agendaTemplateCsv()], { type: 'text/csv;charset=utf-8' })));

  const relabel = () => {
    heading.textContent = t('agenda_import_heading');
    help.textContent = t('agenda_help');
    template.textContent = t('agenda_template');
    fileLabel.textContent = t('agenda_file');
    csvLabel.textContent = t('agenda_csv');
    read.textContent = t('agenda_import');
    paint();
  };
  relabel();

  const el = h(
    'div',
    { class: 'agenda-import' },
    heading,
    help,
    h('div', { class: 'actions' }, template),
    h('div', { class: 'field' }, fileLabel, file),
    h('div', { class: 'field' }, csvLabel, csv),
    h('div', { class: 'actions' }, read),
    box,
  );
  return {
    el,
    relabel,
    clear: () => {
      result = null;
      csv.value = '';
      file.value = '';
      paint();
    },
  };
}
