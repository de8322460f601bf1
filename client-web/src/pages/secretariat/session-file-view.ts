// The session file card: read a setup file saved at an earlier meeting into the form (nothing is
// sent), or save the form's setup as that file for the next one.

import { describeError } from '../../i18n/common';
import { downloadBlob, h, replace } from '../../ui/dom';
import { readSessionFile, sessionFileName, sessionFileText, type JsonType, type SessionFileProblem, type SessionSetup } from './session-file';
import type { SessionBuild } from './session';
import { t } from './strings';

export function fileProblemText(p: SessionFileProblem): string {
  const params = { ...p.params };
  if (typeof params.expected === 'string') params.expected = t(`jtype.${params.expected as JsonType}`);
  const message = t(`ferr.${p.code}`, params);
  const where =
    p.line === null ? '' : p.code === 'syntax' && p.column !== null ? t('at_line_col', { line: p.line, column: p.column }) : t('line_n', { line: p.line });
  const field = p.path ?? (where === '' ? t('whole_file') : '');
  const head = where !== '' && field !== '' ? `${where}${t('comma')}${field}` : `${where}${field}`;
  return `${head}${t('colon')}${message}`;
}

export interface SessionFileCard {
  el: HTMLElement;
  relabel(): void;
}

export interface SessionFileHooks {
  /** Fills the form with a file's setup. */
  load(setup: SessionSetup): void;
  /** The request the form would send now, or its errors. */
  current(): SessionBuild;
  /** The text of a session error, as the create button shows it. */
  errorText: (e: Extract<SessionBuild, { ok: false }>['errors'][number]) => string;
}

export function sessionFileCard(hooks: SessionFileHooks): SessionFileCard {
  let result: (() => HTMLElement) | null = null;

  const heading = h('h2');
  const help = h('p', { class: 'hint muted' });
  const file = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'session-file', id: 'sec-session-file' });
  const fileLabel = h('label', { for: 'sec-session-file' });
  const save = h('button', { type: 'button', class: 'secondary', 'data-testid': 'session-save' });
  const box = h('div', { class: 'session-file-result', 'aria-live': 'polite' });
  const paint = () => replace(box, result ? result() : null);

  const problems = (title: () => string, lines: () => string[]) =>
    h('div', { class: 'error', role: 'alert', 'data-testid': 'session-file-problems' }, h('p', null, title()), h('ul', null, lines().map((l) => h('li', null, l))));

  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    const name = f.name;
    try {
      const read = readSessionFile(new Uint8Array(await f.arrayBuffer()));
      if (read.ok) {
        hooks.load(read.setup);
        const members = read.setup.members.length;
        const rounds = read.setup.rounds.length;
        result = () => h('p', { class: 'notice', 'data-testid': 'session-file-loaded' }, t('file_loaded', { name, members, rounds }));
      } else {
        const list = read.problems;
        result = () =>
          problems(
            () => t('file_problems', { name, count: list.length }),
            () => list.map(fileProblemText),
          );
      }
    } catch (e) {
      result = () => h('p', { class: 'error', role: 'alert' }, t('roster_read_failed', { error: describeError(e) }));
    } finally {
      file.value = '';
    }
    paint();
  });

  save.addEventListener('click', () => {
    const built = hooks.current();
    if (!built.ok) {
      const errors = built.errors;
      result = () =>
        problems(
          () => t('fix_first'),
          () => errors.map(hooks.errorText),
        );
    } else {
      const name = sessionFileName(built.body.date);
      downloadBlob(name, new Blob([sessionFileText(built.body)], { type: 'application/json;charset=utf-8' }));
      result = () => h('p', { class: 'notice', 'data-testid': 'session-file-saved' }, t('file_saved', { name }));
    }
    paint();
  });

  const relabel = () => {
    heading.textContent = t('file_heading');
    help.textContent = t('file_help');
    fileLabel.textContent = t('file_load');
    save.textContent = t('file_save');
    paint();
  };
  relabel();

  const el = h('section', { class: 'card' }, heading, help, h('div', { class: 'field' }, fileLabel, file), h('div', { class: 'actions' }, save), box);
  return { el, relabel };
}
