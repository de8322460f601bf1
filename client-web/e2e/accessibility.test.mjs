// Accessibility of the pages people touch: the tablet's ballot above all (members are often
// older and not technical), the chair console and the secretariat's form. Measured in real
// Chromium on the live pages: accessible names from Chromium's own accessibility tree, touch
// targets ≥ 48 × 48 CSS px on the tablet, WCAG 2 contrast ≥ 4.5:1 from computed colours, and the
// ballot at 200% zoom — usable without horizontal scrolling, and a ballot cast at that zoom.
//
// 200% zoom is emulated by halving the viewport (800 × 1280 → 400 × 640 CSS px) on the same page.
// That is what browser zoom does to layout: the page sees a viewport of half as many CSS pixels,
// media queries, vw units and line wrapping respond exactly as under zoom, and WCAG's reflow
// criterion (1.4.10) is defined that way. `document.body.style.zoom` was not used: CSS zoom
// leaves the viewport width, media queries and vw units as they were, so a layout that only
// breaks at a narrow viewport would pass, and hit-testing under CSS zoom is not what a tap does.
// Keeping the same page (rather than a new context with a smaller viewport) keeps the tablet's
// IndexedDB, so the ballot being measured is the checked-in member's.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe } from 'node:test';
import {
  SIZES,
  STEP_TIMEOUT,
  artifactsDir,
  byTestId as tid,
  clickAndConfirm,
  clickThenMaybeConfirm,
  newPerson,
  scenarioSteps,
  serverAndBrowser,
  waitUntil,
  watchdog,
} from './harness.mjs';
import { horizontalOverflow, lowContrast, smallTouchTargets, stickyShare, unnamedControls, unreachable } from './a11y.mjs';

watchdog(75_000, 'accessibility.test.mjs');

const FOUR_GRADES = ['优秀', '称职', '基本称职', '不称职'];
const TARGETS = [
  '县人民政府办公室',
  '县发展和改革局（县粮食和物资储备局、县国防动员办公室）',
  '县教育局',
  '县公安局',
  '县财政局',
  '县自然资源和规划局',
];
const CANDIDATES = ['周明', '吴刚', '郑丽', '孙强', '欧阳明远'];

const state = { server: null, browser: null, people: [], session: null, failed: null };

const step = scenarioSteps(state, { label: 'accessibility', prefix: 'a11y-', timeout: 60_000 });

function none(problems, what) {
  assert.deepEqual(problems, [], `${what}:\n  ${problems.join('\n  ')}`);
}

async function checkNamesAndContrast(page, what, selectors = []) {
  none(await unnamedControls(page), `${what}: controls without an accessible name`);
  const contrast = await lowContrast(page, { selectors });
  assert.ok(contrast.checked > 0, `${what}: some text was measured`);
  none(contrast.problems, `${what}: text below 4.5:1`);
}

async function waitStatus(page, status) {
  await page.locator(`${tid('status')}[data-status="${status}"]`).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
}

async function chainHas(type, predicate = () => true) {
  const lines = await state.server.chain(state.session);
  return lines.map((l) => JSON.parse(l)).some((r) => r.type === type && predicate(r));
}

async function submitBallot(page) {
  await clickThenMaybeConfirm(page, page.locator(tid('submit')), page.locator(tid('receipt-code')));
  await waitStatus(page, 'voted');
}

describe('accessibility of the tablet, the chair console and the secretariat', { timeout: 70_000 }, () => {
  serverAndBrowser(state);

  step('the secretariat\'s form: every control named, text contrast ≥ 4.5:1', async () => {
    const sec = await newPerson(state.browser, 'secretariat', { width: 1280, height: 1000 });
    state.people.push(sec);
    const { page } = sec;
    await page.goto(`${state.server.url}/#/secretariat`);
    await page.locator(tid('admin-token')).waitFor({ state: 'visible' });
    await checkNamesAndContrast(page, 'secretariat login');
    await page.locator(tid('admin-token')).fill(state.server.adminToken);
    await page.locator(tid('admin-login')).click();
    await page.locator(tid('session-title')).waitFor({ state: 'visible' });
    await page.locator(tid('roster-csv')).fill('id,name,seat,scrutineer\na1,周明,1,\na2,吴刚,2,yes\na2,郑丽,3,maybe');
    await page.locator(tid('roster-import')).click();
    await page.locator(tid('roster-table')).waitFor({ state: 'visible' });
    await page.locator(tid('round-title')).fill('测评');
    await page.locator(tid('round-contests')).fill(TARGETS.slice(0, 2).join('\n'));
    await page.locator(tid('round-add')).click();
    await waitUntil(async () => (await page.locator(tid('agenda')).innerText()).includes('测评'), 'the round on the agenda');
    // The form with a roster showing its problems (duplicate id, bad scrutineer value) and an agenda.
    await checkNamesAndContrast(page, 'secretariat form', ['button.primary']);
  });

  step('a session to vote in (created through the admin API)', async () => {
    const created = await state.server.adminPost('/api/sessions', {
      title: '无障碍检查',
      committee: '某县人民代表大会常务委员会',
      date: '2026-11-23',
      members: [{ id: 'a1', name: '周明', seat: '1' }],
      rounds: [
        {
          title: '述职评议',
          kind: 'evaluation',
          contests: TARGETS.map((title, k) => ({ id: `t${k + 1}`, title, options: FOUR_GRADES, min: 1, max: 1 })),
          rule: {},
        },
        {
          title: '推选明年述职的部门负责人',
          kind: 'selection',
          contests: [{ id: 's1', title: '述职人选', options: CANDIDATES, min: 1, max: 2 }],
          rule: {},
        },
      ],
      quorum: { num: 1, den: 2 },
    });
    state.session = created.session;
    state.chairCode = created.chair_code;
    state.code = created.codes.a1;
  });

  step('the chair console: every control named, text contrast ≥ 4.5:1', async () => {
    const chair = await newPerson(state.browser, 'chair', { width: 1280, height: 1000 });
    state.people.push(chair);
    state.chair = chair;
    const { page } = chair;
    await page.goto(`${state.server.url}/#/chair?session=${state.session}`);
    await page.locator(tid('chair-code')).waitFor({ state: 'visible' });
    await checkNamesAndContrast(page, 'chair login');
    await page.locator(tid('chair-code')).fill(state.chairCode);
    await page.locator(tid('chair-login')).click();
    await page.locator(tid('attendance')).waitFor({ state: 'visible' });

    const tablet = await newPerson(state.browser, 'tablet', SIZES.tablet);
    state.people.push(tablet);
    state.tablet = tablet;
    // The check-in screen first: what a member sees before scanning the card.
    await tablet.page.goto(`${state.server.url}/#/tablet?session=${state.session}`);
    await tablet.page.locator(tid('checkin-code')).waitFor({ state: 'visible' });
    none(await unnamedControls(tablet.page), 'tablet check-in: controls without an accessible name');
    none(await smallTouchTargets(tablet.page), 'tablet check-in: touch targets under 48 × 48 px');
    none((await lowContrast(tablet.page, { selectors: [tid('status'), 'button.primary'] })).problems, 'tablet check-in: text below 4.5:1');
    await tablet.page.goto(`${state.server.url}/#/tablet?session=${state.session}&member=a1&code=${state.code}`);
    await waitUntil(async () => ['checked_in', 'waiting'].includes(await tablet.page.locator(tid('status')).getAttribute('data-status')),
      'the tablet checked in');
    await page.locator(`${tid('attendance')}[data-present="1"]`).waitFor({ state: 'attached' });
    await checkNamesAndContrast(page, 'chair console', ['button.primary', 'button.danger']);
    await clickAndConfirm(page, 'seal-key');
    await waitUntil(() => chainHas('election_key'), 'the election key');
    await clickAndConfirm(page, 'open-1');
    await waitUntil(() => chainHas('round_opened', (r) => r.round === 1), 'round 1 open');
  });

  step('the tablet\'s ballot: named controls, touch targets ≥ 48 px, contrast ≥ 4.5:1', async () => {
    const { page } = state.tablet;
    await waitStatus(page, 'voting');
    await page.locator(tid('option-t1-0')).waitFor({ state: 'visible' });
    const ballotSelectors = [tid('status'), '[data-testid^="option-"]', 'button.primary'];
    none(await unnamedControls(page), 'ballot: controls without an accessible name');
    none(await smallTouchTargets(page), 'ballot: touch targets under 48 × 48 px');
    const before = await lowContrast(page, { selectors: ballotSelectors });
    none(before.problems, 'ballot (nothing chosen): text below 4.5:1');
    assert.ok(before.checked > TARGETS.length * FOUR_GRADES.length, `every option's text was measured (${before.checked} elements)`);
    // Chosen options look different: measure them too, and the enabled review button.
    for (let k = 1; k <= TARGETS.length; k++) await page.locator(tid(`option-t${k}-${k % FOUR_GRADES.length}`)).click();
    await waitUntil(() => page.locator(tid('review')).isEnabled(), 'review enabled once every target is answered');
    const chosen = await lowContrast(page, { selectors: [...ballotSelectors, '[aria-pressed="true"]', tid('review')] });
    none(chosen.problems, 'ballot (options chosen): text below 4.5:1');
    none(await smallTouchTargets(page), 'ballot (options chosen): touch targets under 48 × 48 px');
    // Keyboard and screen-reader users keep their place when the chain moves on: a record
    // pushed while the ballot is on screen (here a round added to the agenda) leaves the focus
    // where it was.
    await page.locator(tid('option-t2-0')).focus();
    const focusedBefore = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    assert.equal(focusedBefore, 'option-t2-0');
    await state.server.adminPost(`/api/sessions/${state.session}/rounds`, {
      title: '补充议程', kind: 'motion', contests: [{ id: 'x1', title: '补充事项', options: ['赞成', '反对', '弃权'], min: 1, max: 1 }], rule: {},
    });
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName),
      'option-t2-0', 'the focus stays on the option after a record arrives');
    await page.locator(tid('review')).click();
    await page.locator(tid('review-list')).waitFor({ state: 'visible' });
    none(await unnamedControls(page), 'review: controls without an accessible name');
    none(await smallTouchTargets(page), 'review: touch targets under 48 × 48 px');
    none((await lowContrast(page, { selectors: [tid('status'), tid('submit'), tid('back')] })).problems, 'review: text below 4.5:1');
    await page.locator(tid('back')).click();
    await page.locator(tid('option-t1-0')).waitFor({ state: 'visible' });
  });

  step('at 200% zoom the evaluation ballot reflows, every option and submit can be tapped, and it is cast', async (t) => {
    const { page } = state.tablet;
    await page.setViewportSize({ width: SIZES.tablet.width / 2, height: SIZES.tablet.height / 2 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await horizontalOverflow(page), null, 'no horizontal scrolling on the ballot');
    const pinned = await stickyShare(page);
    t.diagnostic(`at 200%, sticky/fixed bars keep ${(pinned.share * 100).toFixed(0)}% of the screen: ${pinned.parts.join(', ') || 'none'}`);
    assert.ok(pinned.share <= 0.5, `at 200% sticky bars leave at least half the screen to the ballot (${pinned.parts.join(', ')})`);
    const options = await unreachable(page, '[data-testid^="option-"]');
    assert.equal(options.count, TARGETS.length * FOUR_GRADES.length, 'every option is on the page');
    none(options.problems, 'options at 200%');
    // Change every answer at this zoom, so each contest is tapped here.
    for (let k = 1; k <= TARGETS.length; k++) {
      const option = page.locator(tid(`option-t${k}-${(k + 1) % FOUR_GRADES.length}`));
      await option.click();
      await waitUntil(async () => (await option.getAttribute('aria-pressed')) === 'true', `option-t${k} pressed at 200%`);
    }
    none((await unreachable(page, tid('review'))).problems, 'review at 200%');
    await page.screenshot({ path: path.join(artifactsDir(), 'tablet-ballot-zoom200.png'), fullPage: true });
    await page.locator(tid('review')).click();
    await page.locator(tid('review-list')).waitFor({ state: 'visible' });
    assert.equal(await horizontalOverflow(page), null, 'no horizontal scrolling on the review');
    none((await unreachable(page, tid('submit'))).problems, 'submit at 200%');
    await submitBallot(page);
    assert.equal(await horizontalOverflow(page), null, 'no horizontal scrolling on the receipt');
    none(await smallTouchTargets(page), 'receipt: touch targets under 48 × 48 px');
    none((await lowContrast(page, { selectors: [tid('status'), tid('receipt-code')] })).problems, 'receipt at 200%: text below 4.5:1');
    none((await unreachable(page, tid('receipt-code'))).problems, 'the receipt code at 200%');
    await waitUntil(() => chainHas('ballot', (r) => r.round === 1), 'the ballot on the chain');
  });

  step('at 200% zoom a selection ballot (choose 1 to 2 of 5) is usable and cast', async () => {
    const chair = state.chair.page;
    await clickAndConfirm(chair, 'close-1');
    await waitUntil(() => chainHas('result', (r) => r.round === 1), 'round 1 counted');
    await clickAndConfirm(chair, 'open-2');
    const { page } = state.tablet;
    await waitStatus(page, 'voting');
    await page.locator(tid('option-s1-0')).waitFor({ state: 'visible' });
    assert.equal(await horizontalOverflow(page), null, 'no horizontal scrolling on the selection ballot');
    none(await unnamedControls(page), 'selection ballot: controls without an accessible name');
    none((await lowContrast(page, { selectors: [tid('status'), '[data-testid^="option-"]', 'button.primary'] })).problems,
      'selection ballot at 200%: text below 4.5:1');
    const options = await unreachable(page, '[data-testid^="option-s1-"]');
    assert.equal(options.count, CANDIDATES.length);
    none(options.problems, 'candidates at 200%');
    for (const i of [4, 1]) await page.locator(tid(`option-s1-${i}`)).click();
    await waitUntil(() => page.locator(tid('review')).isEnabled(), 'review enabled with two candidates');
    await page.locator(tid('review')).click();
    await page.locator(tid('review-list')).waitFor({ state: 'visible' });
    none((await unreachable(page, tid('submit'))).problems, 'submit at 200%');
    await submitBallot(page);
    await waitUntil(() => chainHas('ballot', (r) => r.round === 2), 'the selection ballot on the chain');
  });
});
