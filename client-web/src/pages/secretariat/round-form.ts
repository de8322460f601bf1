// The round builder's form and the agenda list. The inputs are built once and kept (re-creating
// them would lose what is being typed and the focus); only their labels, hints and errors are
// repainted, on every change and on a language switch.

import { h } from '../../ui/dom';
import {
  buildRound,
  defaultDraft,
  errorsFor,
  withFraction,
  withScale,
  SCALES,
  type MotionBase,
  type RoundDraft,
  type RoundError,
  type RoundField,
  type RoundKind,
  type RoundSpec,
  type Scale,
} from './rounds';
import { t, type Key } from './strings';

let formCount = 0;

interface Field {
  wrap: HTMLElement;
  label: HTMLLabelElement;
  error: HTMLElement;
}

function field(id: string, control: HTMLElement, inline = false): Field {
  const label = h('label', { for: id });
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  control.id = id;
  control.setAttribute('aria-describedby', `${id}-error`);
  const wrap = inline ? h('div', { class: 'field field-check' }, control, label, error) : h('div', { class: 'field' }, label, control, error);
  return { wrap, label, error };
}

export function roundErrorText(e: RoundError): string {
  return t(`rerr.${e.code}` as Key, e.params);
}

export function kindShort(kind: string): string {
  if (kind === 'evaluation' || kind === 'motion' || kind === 'selection') return t(`kind_short_${kind}` as Key);
  return kind;
}

export interface RoundForm {
  el: HTMLElement;
  relabel(): void;
}

/** The form; `onAdd` receives each valid round. */
export function roundForm(onAdd: (round: RoundSpec) => void): RoundForm {
  const n = ++formCount;
  const id = (name: string) => `rf${n}-${name}`;
  let draft: RoundDraft = defaultDraft();
  let errors: RoundError[] = [];
  let shownErrors = false;

  const kind = h(
    'select',
    { 'data-testid': 'round-kind' },
    h('option', { value: 'evaluation' }),
    h('option', { value: 'motion' }),
    h('option', { value: 'selection' }),
  );
  const title = h('input', { type: 'text', 'data-testid': 'round-title', autocomplete: 'off' });
  const contests = h('textarea', { rows: 6, 'data-testid': 'round-contests' });
  const scale = h('select', { 'data-testid': 'round-scale' }, h('option', { value: 'three' }), h('option', { value: 'four' }));
  const passGrades = h('input', { type: 'text', inputmode: 'numeric', 'data-testid': 'round-pass-grades' });
  const weights = h('input', { type: 'text', 'data-testid': 'round-weights' });
  const base = h(
    'select',
    { 'data-testid': 'round-base' },
    h('option', { value: 'members' }),
    h('option', { value: 'present' }),
    h('option', { value: 'ballots' }),
  );
  const num = h('input', { type: 'text', inputmode: 'numeric', 'data-testid': 'round-num' });
  const den = h('input', { type: 'text', inputmode: 'numeric', 'data-testid': 'round-den' });
  const inclusive = h('input', { type: 'checkbox', 'data-testid': 'round-inclusive' });
  const min = h('input', { type: 'text', inputmode: 'numeric', 'data-testid': 'round-min' });
  const max = h('input', { type: 'text', inputmode: 'numeric', 'data-testid': 'round-max' });

  const fKind = field(id('kind'), kind);
  const fTitle = field(id('title'), title);
  const fContests = field(id('contests'), contests);
  const fScale = field(id('scale'), scale);
  const scaleHint = h('p', { class: 'hint muted' });
  const fPass = field(id('pass'), passGrades);
  const fWeights = field(id('weights'), weights);
  const fBase = field(id('base'), base);
  const fNum = field(id('num'), num);
  const fDen = field(id('den'), den);
  const fInclusive = field(id('inclusive'), inclusive, true);
  const fMin = field(id('min'), min);
  const fMax = field(id('max'), max);
  const ruleHint = h('p', { class: 'hint muted', 'aria-live': 'polite' });
  const presetMajority = h('button', { type: 'button', class: 'secondary', 'data-testid': 'round-preset-majority' });
  const presetTwoThirds = h('button', { type: 'button', class: 'secondary', 'data-testid': 'round-preset-two-thirds' });
  const add = h('button', { type: 'button', class: 'primary', 'data-testid': 'round-add' });
  const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'muted' });

  const evaluationPart = h('div', { class: 'rule-part' }, fScale.wrap, scaleHint, h('div', { class: 'field-row' }, fPass.wrap, fWeights.wrap));
  const fractionPart = h(
    'div',
    { class: 'rule-part' },
    fBase.wrap,
    h('div', { class: 'field-row' }, fNum.wrap, fDen.wrap),
    fInclusive.wrap,
    h('div', { class: 'actions' }, presetMajority, presetTwoThirds),
  );
  const selectionPart = h('div', { class: 'rule-part field-row' }, fMin.wrap, fMax.wrap);

  const fields: Record<RoundField, Field> = {
    title: fTitle,
    contests: fContests,
    passGrades: fPass,
    weights: fWeights,
    num: fNum,
    den: fDen,
    min: fMin,
    max: fMax,
  };

  const writeInputs = () => {
    kind.value = draft.kind;
    title.value = draft.title;
    contests.value = draft.contests;
    scale.value = draft.scale;
    passGrades.value = draft.passGrades;
    weights.value = draft.weights;
    base.value = draft.base;
    num.value = draft.num;
    den.value = draft.den;
    inclusive.checked = draft.inclusive;
    min.value = draft.min;
    max.value = draft.max;
  };
  const readInputs = () => {
    draft = {
      kind: kind.value as RoundKind,
      title: title.value,
      contests: contests.value,
      scale: scale.value as Scale,
      passGrades: passGrades.value,
      weights: weights.value,
      base: base.value as MotionBase,
      num: num.value,
      den: den.value,
      inclusive: inclusive.checked,
      min: min.value,
      max: max.value,
    };
  };

  const relabel = () => {
    const k = draft.kind;
    fKind.label.textContent = t('round_kind');
    for (const o of Array.from(kind.options)) o.textContent = t(`kind_${o.value}` as Key);
    fTitle.label.textContent = t('round_title');
    fContests.label.textContent = t(`round_contests_${k}` as Key);
    fScale.label.textContent = t('round_scale');
    for (const o of Array.from(scale.options)) o.textContent = t(`scale_${o.value}` as Key);
    scaleHint.textContent = t(draft.scale === 'three' ? 'scale_default_three' : 'scale_default_four');
    fPass.label.textContent = t('round_pass_grades', { max: SCALES[draft.scale].length });
    fWeights.label.textContent = t('round_weights');
    fBase.label.textContent = t('round_base');
    for (const o of Array.from(base.options)) o.textContent = t(`base_${o.value}` as Key);
    fNum.label.textContent = t('round_num');
    fDen.label.textContent = t('round_den');
    fInclusive.label.textContent = t('round_inclusive');
    fMin.label.textContent = t('round_min');
    fMax.label.textContent = t('round_max');
    presetMajority.textContent = t('preset_majority');
    presetTwoThirds.textContent = t('preset_two_thirds');
    add.textContent = t('round_add');
    const op = draft.inclusive ? '≥' : '>';
    const fractionParams = { num: draft.num.trim() || '?', den: draft.den.trim() || '?', op, max: draft.max.trim() || '?' };
    ruleHint.textContent = k === 'motion' ? t('motion_rule_explain', fractionParams) : k === 'selection' ? t('selection_rule_explain', fractionParams) : '';
    evaluationPart.hidden = k !== 'evaluation';
    fractionPart.hidden = k === 'evaluation';
    fBase.wrap.hidden = k !== 'motion';
    selectionPart.hidden = k !== 'selection';
    for (const [name, f] of Object.entries(fields) as [RoundField, Field][]) {
      const list = shownErrors ? errorsFor(errors, name) : [];
      f.error.hidden = list.length === 0;
      f.error.textContent = list.map(roundErrorText).join('；');
      const control = f.wrap.querySelector('input, textarea, select');
      if (list.length > 0) control?.setAttribute('aria-invalid', 'true');
      else control?.removeAttribute('aria-invalid');
    }
  };

  const changed = () => {
    readInputs();
    if (shownErrors) {
      const built = buildRound(draft);
      errors = built.ok ? [] : built.errors;
    }
    relabel();
  };
  for (const el of [title, contests, passGrades, weights, num, den, min, max]) el.addEventListener('input', changed);
  for (const el of [base, inclusive]) el.addEventListener('change', changed);
  kind.addEventListener('change', () => {
    readInputs();
    relabel();
    status.textContent = '';
  });
  scale.addEventListener('change', () => {
    readInputs();
    draft = withScale(draft, draft.scale);
    writeInputs();
    changed();
  });
  presetMajority.addEventListener('click', () => {
    readInputs();
    draft = withFraction(draft, 'majority');
    writeInputs();
    changed();
  });
  presetTwoThirds.addEventListener('click', () => {
    readInputs();
    draft = withFraction(draft, 'two_thirds');
    writeInputs();
    changed();
  });
  add.addEventListener('click', () => {
    readInputs();
    const built = buildRound(draft);
    if (!built.ok) {
      errors = built.errors;
      shownErrors = true;
      status.textContent = '';
      relabel();
      const first = built.errors[0];
      if (first) (fields[first.field].wrap.querySelector('input, textarea, select') as HTMLElement | null)?.focus();
      return;
    }
    onAdd(built.round);
    status.textContent = t('round_added', { title: built.round.title });
    // Keep the kind and the rule (the next round is often alike); clear what names the round.
    draft = { ...draft, title: '', contests: '' };
    errors = [];
    shownErrors = false;
    writeInputs();
    relabel();
  });

  writeInputs();
  relabel();
  const el = h(
    'div',
    { class: 'round-form' },
    fKind.wrap,
    fTitle.wrap,
    fContests.wrap,
    evaluationPart,
    fractionPart,
    selectionPart,
    ruleHint,
    h('div', { class: 'actions' }, add),
    status,
  );
  return { el, relabel };
}

function ruleText(r: RoundSpec): string {
  const rule = r.rule;
  if ('pass_grades' in rule) {
    return t('rule_evaluation', { pass: rule.pass_grades, weights: rule.weights ? rule.weights.join('/') : t('no_weights') });
  }
  const op = rule.inclusive ? '≥' : '>';
  if ('base' in rule) return t('rule_motion', { op, base: t(`base_short_${rule.base}` as Key), num: rule.num, den: rule.den });
  const c = r.contests[0];
  return t('rule_selection', { op, num: rule.num, den: rule.den, min: c?.min ?? 0, max: c?.max ?? 0 });
}

/** The agenda being built, each round removable. */
export function agendaList(rounds: RoundSpec[], onRemove: (index: number) => void): HTMLElement {
  if (rounds.length === 0) return h('p', { class: 'muted', 'data-testid': 'agenda' }, t('agenda_empty'));
  return h(
    'ol',
    { class: 'agenda', 'data-testid': 'agenda', 'aria-label': t('agenda_label') },
    rounds.map((r, i) =>
      h(
        'li',
        { 'data-testid': `agenda-item-${i}` },
        h(
          'div',
          { class: 'agenda-text' },
          h('strong', null, t('agenda_item', { title: r.title, kind: kindShort(r.kind), count: r.kind === 'selection' ? (r.contests[0]?.options.length ?? 0) : r.contests.length })),
          h('div', { class: 'muted' }, r.kind === 'selection' ? (r.contests[0]?.options.join('、') ?? '') : r.contests.map((c) => c.title).join('、')),
          h('div', { class: 'muted' }, ruleText(r)),
        ),
        h(
          'button',
          { type: 'button', class: 'secondary', 'data-testid': `agenda-remove-${i}`, 'aria-label': t('agenda_remove_label', { title: r.title }), onclick: () => onRemove(i) },
          t('agenda_remove'),
        ),
      ),
    ),
  );
}
