// A whole committee meeting through the real pages, in real Chromium, against a real
// pingyi-server: the secretariat creates the session in its page, the chair runs it from the
// console, two scrutineers and six members vote on their own tablets (each its own browser
// context, so its own IndexedDB), the projector shows the results, the observer verifies the
// chain, and pingyi-verify (C++) agrees with the projector on the downloaded chain.
//
//   node --test client-web/e2e/        (env: PINGYI_SERVER, PINGYI_VERIFY, PINGYI_STATIC_DIR,
//                                        PINGYI_E2E_ARTIFACTS; see harness.mjs)
//
// The steps run in order and share the meeting; after the first failing step the rest are
// skipped (they could only fail for the same reason), with screenshots of every open page.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe } from 'node:test';
import {
  SIZES,
  STEP_TIMEOUT,
  artifactsDir,
  byTestId as tid,
  clickAndConfirm,
  clickThenMaybeConfirm,
  confirmModal,
  newPerson,
  scenarioSteps,
  screenshot,
  serverAndBrowser,
  verifierBinary,
  waitUntil,
  watchdog,
} from './harness.mjs';
import {
  comparisonCode,
  evaluationResults,
  motionResults,
  only,
  parseChain,
  receiptCode,
  recordsOf,
  sha256,
  tally,
} from './chain.mjs';
import { qrText } from './qr.mjs';

// Both files together must stop by themselves within 4 minutes: 160 s here, 75 s for accessibility.
watchdog(160_000, 'session.test.mjs');

// The roster as the secretariat pastes it: Chinese header, a quoted seat holding a comma, two
// scrutineers marked 是.
const ROSTER = [
  { id: 'm01', name: '张伟', seat: '1', scrutineer: true },
  { id: 'm02', name: '王芳', seat: '2', scrutineer: true },
  { id: 'm03', name: '李娜', seat: '3', scrutineer: false },
  { id: 'm04', name: '刘洋', seat: '4', scrutineer: false },
  { id: 'm05', name: '陈静', seat: 'A区,5', scrutineer: false },
  { id: 'm06', name: '杨磊', seat: '6', scrutineer: false },
  { id: 'm07', name: '赵敏', seat: '7', scrutineer: false },
  { id: 'm08', name: '黄强', seat: '8', scrutineer: false },
];
const ROSTER_CSV = [
  '编号,姓名,座位,监票人',
  ...ROSTER.map((m) => [m.id, m.name, m.seat.includes(',') ? `"${m.seat}"` : m.seat, m.scrutineer ? '是' : ''].join(',')),
].join('\n');

const SESSION = {
  title: '某县人大常委会第十一次会议 述职评议',
  committee: '某县人民代表大会常务委员会',
  date: '2026-11-23',
};
const ROUND1 = { title: '对政府组成部门的满意度测评', targets: ['县教育局', '县卫生健康局', '县交通运输局'] };
const ROUND2 = { title: '关于两项事项的表决', motions: ['关于批准某某决算的决议', '关于修改某某条例的决定'] };

// Predetermined votes, by member: an option index per contest. Round 1 gives one target each
// grade (满意 5/2/1, 基本满意 2/3/3, 不满意 1/2/5); round 2 one motion passing with 5 of 8 and one
// failing with 4 of 8 (the bar is more than half of all members).
const VOTES1 = {
  m01: [0, 0, 2], m02: [0, 1, 2], m03: [0, 2, 1], m04: [0, 1, 0],
  m05: [0, 2, 2], m06: [1, 0, 2], m07: [1, 1, 1], m08: [2, 2, 2],
};
const VOTES2 = {
  m01: [0, 0], m02: [0, 1], m03: [1, 0], m04: [0, 0],
  m05: [2, 1], m06: [0, 2], m07: [1, 1], m08: [0, 0],
};
const RELOADED = 'm05';   // reloaded mid-round 1 after choosing some options
const TYPED = 'm08';      // checks in by typing the code instead of the card's URL

const HAN = /\p{Script=Han}/u;

const state = {
  server: null,
  browser: null,
  people: [],           // every person, for failure screenshots and page errors
  session: null,
  chairCode: null,
  codes: {},            // member id → check-in code, as read from the printed cards
  cardUrls: {},         // member id → the URL in the card's QR code
  tablets: {},          // member id → person
  receipts: { 1: {}, 2: {} },
  projectorCounts: { 1: {}, 2: {} },
  defects: [],          // layout problems found on the way, reported at the end
  failed: null,
};

async function person(name, viewport) {
  const p = await newPerson(state.browser, name, viewport);
  state.people.push(p);
  return p;
}

async function chain() {
  return parseChain(await state.server.chain(state.session));
}

async function waitForRecord(type, predicate, what, timeout = STEP_TIMEOUT) {
  return waitUntil(async () => recordsOf(await chain(), type, predicate)[0], what ?? `a ${type} record`, timeout);
}

async function testText(page, id) {
  return (await page.locator(tid(id)).innerText({ timeout: STEP_TIMEOUT })).trim();
}

async function waitAttr(page, id, name, value, timeout = STEP_TIMEOUT) {
  const selector = `${tid(id)}[${name}="${value}"]`;
  try {
    await page.locator(selector).first().waitFor({ state: 'attached', timeout });
  } catch {
    const actual = await page.locator(tid(id)).first().getAttribute(name, { timeout: 1000 }).catch(() => '(no element)');
    throw new Error(`${id}: expected ${name}="${value}", found ${JSON.stringify(actual)}`);
  }
}

function extract(text, pattern, what) {
  const m = pattern.exec(text);
  if (!m) throw new Error(`${what}: no match for ${pattern} in ${JSON.stringify(text.slice(0, 200))}`);
  return m[0];
}
const COMPARISON = /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/;
const RECEIPT = /\b[0-9A-Z]{4}-[0-9A-Z]{4}\b/;

/** A step of the meeting (harness.mjs scenarioSteps). */
const step = scenarioSteps(state, { label: 'session', timeout: 90_000 });

/** The contests of round n as the chain defines them (ids, titles, options). */
async function roundRecord(n) {
  return only(await chain(), 'round', (r) => r.round === n).record;
}

/** Chooses the given options on a tablet's ballot, checking each press is shown. */
async function choose(page, contests, choices, from = 0, to = contests.length) {
  for (let k = from; k < to; k++) {
    const option = page.locator(tid(`option-${contests[k].id}-${choices[k]}`));
    await option.click();
    await waitUntil(async () => (await option.getAttribute('aria-pressed')) === 'true', `option-${contests[k].id}-${choices[k]} pressed`);
  }
}

/** Review, submit (confirming if the page asks), then the receipt code and 已投票 ✓. */
async function castAndReceipt(tablet, round, roundRec, choices) {
  const { page } = tablet;
  await page.locator(tid('review')).click();
  const list = page.locator(tid('review-list'));
  await list.waitFor({ state: 'visible' });
  const reviewText = await list.innerText();
  for (let k = 0; k < roundRec.contests.length; k++) {
    assert.ok(reviewText.includes(roundRec.contests[k].title), `${tablet.name}: review-list names ${roundRec.contests[k].title}`);
    assert.ok(reviewText.includes(roundRec.contests[k].options[choices[k]]), `${tablet.name}: review-list shows the choice for ${roundRec.contests[k].title}`);
  }
  if (tablet.name === 'tablet-m03' && round === 1) await screenshot(page, 'tablet', 'review');
  // Submitting is irreversible: the page may ask once more through confirmDialog.
  const receipt = page.locator(tid('receipt-code'));
  await clickThenMaybeConfirm(page, page.locator(tid('submit')), receipt);
  const code = extract(await receipt.innerText(), RECEIPT, `${tablet.name} receipt-code`);
  await waitAttr(page, 'status', 'data-status', 'voted');
  assert.match(await testText(page, 'status'), /已投票\s*✓/, `${tablet.name}: status says 已投票 ✓`);
  state.receipts[round][tablet.member] = code;
}

describe('a whole meeting through the pages', { timeout: 150_000 }, () => {
  serverAndBrowser(state);

  after(() => {
    const errors = state.people.flatMap((p) => p.errors);
    if (errors.length) writeFileSync(path.join(artifactsDir(), 'session-page-errors.txt'), errors.join('\n'));
  });

  step('the secretariat creates the session, its roster and its agenda in its page', async () => {
    const sec = await person('secretariat', { width: 1280, height: 1000 });
    state.secretariat = sec;
    const { page } = sec;
    await page.goto(`${state.server.url}/#/secretariat`);
    await page.locator(tid('admin-token')).waitFor({ state: 'visible' });
    await screenshot(page, 'secretariat', 'login');
    await page.locator(tid('admin-token')).fill(state.server.adminToken);
    await page.locator(tid('admin-login')).click();
    await page.locator(tid('session-title')).waitFor({ state: 'visible' });
    // The admin token is kept in sessionStorage only: never in the address, never in localStorage.
    assert.ok(!page.url().includes(state.server.adminToken), 'the admin token is not in the URL');
    const stored = await page.evaluate(() => JSON.stringify(Object.values(localStorage)));
    assert.ok(!stored.includes(state.server.adminToken), 'the admin token is not in localStorage');

    await page.locator(tid('session-title')).fill(SESSION.title);
    await page.locator(tid('session-committee')).fill(SESSION.committee);
    await page.locator(tid('session-date')).fill(SESSION.date);
    await page.locator(tid('quorum-num')).fill('1');
    await page.locator(tid('quorum-den')).fill('2');

    await page.locator(tid('roster-csv')).fill(ROSTER_CSV);
    await page.locator(tid('roster-import')).click();
    const table = page.locator(tid('roster-table'));
    await table.waitFor({ state: 'visible' });
    const tableText = await table.innerText();
    for (const m of ROSTER) {
      assert.ok(tableText.includes(m.name), `roster-table lists ${m.name}`);
      assert.ok(tableText.includes(m.seat), `roster-table shows ${m.name}'s seat ${m.seat} (a quoted field with a comma)`);
    }

    // Round 1: evaluation of three targets on the 3-grade scale.
    await page.locator(tid('round-kind')).selectOption('evaluation');
    await page.locator(tid('round-title')).fill(ROUND1.title);
    await page.locator(tid('round-contests')).fill(ROUND1.targets.join('\n'));
    const scale = page.locator(tid('round-scale'));
    const threeGrade = await scale.evaluate((select) =>
      [...select.options].find((o) => o.textContent.includes('基本满意'))?.value ?? null);
    assert.ok(threeGrade !== null, 'round-scale offers the 3-grade 满意/基本满意/不满意 scale');
    await scale.selectOption(threeGrade);
    await page.locator(tid('round-add')).click();
    await waitUntil(async () => (await page.locator(tid('agenda')).innerText()).includes(ROUND1.title), 'round 1 on the agenda');

    // Round 2: two motions, every rule left at its default, imported as a table pasted from a
    // spreadsheet (tab-separated, one motion a row, the round name merged over both).
    await page.locator(tid('agenda-csv')).fill(['轮次名称\t类型\t对象', `${ROUND2.title}\t表决\t${ROUND2.motions[0]}`, `\t\t${ROUND2.motions[1]}`].join('\n'));
    await page.locator(tid('agenda-import')).click();
    await page.locator(tid('agenda-imported')).waitFor({ state: 'visible' });
    await waitUntil(async () => (await page.locator(tid('agenda')).innerText()).includes(ROUND2.title), 'round 2 on the agenda');
    await screenshot(page, 'secretariat', 'form');

    const created = page.locator(tid('created-session'));
    await clickThenMaybeConfirm(page, page.locator(tid('create-session')), created);
    state.session = extract(await created.innerText(), /[0-9a-f]{64}/, 'created-session');
    await screenshot(page, 'secretariat', 'created');

    // What the page sent is what the chain says.
    const c = await chain();
    const genesis = c[0].record;
    assert.equal(genesis.type, 'genesis');
    assert.equal(genesis.title, SESSION.title);
    assert.equal(genesis.committee, SESSION.committee);
    assert.equal(genesis.date, SESSION.date);
    assert.deepEqual(genesis.quorum, { num: 1, den: 2 });
    assert.deepEqual(genesis.members, ROSTER.map(({ id, name, seat }) => ({ id, name, seat })));
    assert.deepEqual(genesis.scrutineers, ROSTER.filter((m) => m.scrutineer).map((m) => m.id));
    const r1 = only(c, 'round', (r) => r.round === 1).record;
    assert.equal(r1.kind, 'evaluation');
    assert.equal(r1.title, ROUND1.title);
    assert.deepEqual(r1.contests.map((x) => x.title), ROUND1.targets);
    for (const x of r1.contests) {
      assert.deepEqual(x.options, ['满意', '基本满意', '不满意']);
      assert.equal(x.min, 1);
      assert.equal(x.max, 1);
    }
    const r2 = only(c, 'round', (r) => r.round === 2).record;
    assert.equal(r2.kind, 'motion');
    assert.deepEqual(r2.contests.map((x) => x.title), ROUND2.motions);
    for (const x of r2.contests) assert.deepEqual(x.options, ['赞成', '反对', '弃权']);
  });

  step('the printed cards carry every code, and each QR code the tablet URL with it', async () => {
    const { page, context } = state.secretariat;
    // The print view may open in the same page or in a new one.
    const popup = context.waitForEvent('page', { timeout: 5_000 }).catch(() => null);
    await page.locator(tid('print-cards')).click();
    const chairCardHere = page.locator(tid('card-chair'));
    const cards = await Promise.race([
      chairCardHere.waitFor({ state: 'attached', timeout: STEP_TIMEOUT }).then(() => page),
      popup.then(async (p) => {
        if (!p) return new Promise(() => {});
        await p.locator(tid('card-chair')).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
        return p;
      }),
    ]);
    await screenshot(cards, 'cards', 'screen');
    await cards.emulateMedia({ media: 'print' });
    await screenshot(cards, 'cards', 'print');
    // On A4 paper (794 CSS px wide at 96 dpi) every card keeps its content inside its own box.
    const screenViewport = cards.viewportSize();
    await cards.setViewportSize({ width: 794, height: 1123 });
    const spills = await cards.evaluate(() => [...document.querySelectorAll('[data-testid^="card-"]')].flatMap((card) => {
      const box = card.getBoundingClientRect();
      return [...card.querySelectorAll('*')].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1);
      }).map((el) => `${card.dataset.testid}: <${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 16)}" spills out of the card`);
    }));
    state.defects.push(...spills.map((x) => `cards print view (A4): ${x}`));
    await cards.setViewportSize(screenViewport);
    await cards.emulateMedia({ media: 'screen' });
    state.chairCode = await cards.locator(tid('card-chair')).getAttribute('data-code');
    assert.match(state.chairCode ?? '', /^[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}$/, 'card-chair data-code is a chair code');
    const origin = state.server.url;
    for (const m of ROSTER) {
      const card = cards.locator(tid(`card-${m.id}`));
      const code = await card.getAttribute('data-code');
      assert.match(code ?? '', /^[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}$/, `card-${m.id} data-code is a check-in code`);
      const cardText = await card.innerText();
      assert.ok(cardText.includes(m.name), `card-${m.id} names ${m.name}`);
      assert.ok(cardText.includes(m.seat), `card-${m.id} shows the seat`);
      assert.ok(cardText.replace(/\s/g, '').includes(code), `card-${m.id} shows its code as text`);
      state.codes[m.id] = code;
      const qr = await card.locator('svg path').first().getAttribute('d');
      const bare = code.replace(/-/g, '');
      // docs/PROTOCOL.md §9: #/tablet?session=ID&member=MEMBER&code=CODE, the member id
      // percent-encoded (URLSearchParams, as routeHref writes it), the code as printed or bare.
      const candidates = [code, bare].map((c) =>
        `${origin}/#/tablet?${new URLSearchParams({ session: state.session, member: m.id, code: c })}`);
      const url = qrText(qr, candidates);
      assert.ok(url, `card-${m.id}: its QR code holds #/tablet?session=ID&member=MEMBER&code=CODE (tried ${candidates.length} spellings of the code)`);
      state.cardUrls[m.id] = url;
    }
    assert.equal(new Set(Object.values(state.codes)).size, ROSTER.length, 'every member has a different code');
    if (cards !== page) await cards.close();
  });

  step('the start page lists the session with its links', async () => {
    const start = await person('start', SIZES.projector);
    await start.page.goto(`${state.server.url}/#/`);
    const entry = start.page.locator(tid(`session-${state.session}`));
    await entry.waitFor({ state: 'visible' });
    const text = await entry.innerText();
    assert.ok(text.includes(SESSION.title), 'the start page shows the title');
    const hrefs = await entry.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const pageName of ['projector', 'observer', 'chair', 'tablet']) {
      assert.ok(hrefs.some((h) => h.includes(`#/${pageName}?session=${state.session}`)), `the start page links the ${pageName}`);
    }
    await screenshot(start.page, 'start', 'list');
    await start.context.close();
    state.people.splice(state.people.indexOf(start), 1);
  });

  step('the chair console logs in; the projector and the observer follow the session', async () => {
    const chair = await person('chair', { width: 1280, height: 1000 });
    state.chair = chair;
    await chair.page.goto(`${state.server.url}/#/chair?session=${state.session}`);
    await chair.page.locator(tid('chair-code')).waitFor({ state: 'visible' });
    await screenshot(chair.page, 'chair', 'login');
    await chair.page.locator(tid('chair-code')).fill(state.chairCode.toLowerCase());
    await chair.page.locator(tid('chair-login')).click();
    await waitAttr(chair.page, 'attendance', 'data-members', String(ROSTER.length));
    await waitAttr(chair.page, 'attendance', 'data-present', '0');
    await waitAttr(chair.page, 'quorum', 'data-met', 'false');
    assert.ok(!chair.page.url().toUpperCase().includes(state.chairCode.replace(/-/g, '')), 'the chair code is not in the URL');

    const projector = await person('projector', SIZES.projector);
    state.projector = projector;
    await projector.page.goto(`${state.server.url}/#/projector?session=${state.session}`);
    await waitAttr(projector.page, 'attendance', 'data-members', String(ROSTER.length));
    const projectorText = await projector.page.locator('main').innerText();
    assert.ok(projectorText.includes(SESSION.title), 'the projector shows the title');

    const observer = await person('observer', { width: 1280, height: 1000 });
    state.observer = observer;
    await observer.page.goto(`${state.server.url}/#/observer?session=${state.session}`);
    await observer.page.locator(tid('verify-status')).waitFor({ state: 'attached' });
  });

  step('two scrutineers check in from their cards and generate their keys', async () => {
    for (const m of ROSTER.filter((x) => x.scrutineer)) {
      const tablet = await person(`tablet-${m.id}`, SIZES.tablet);
      tablet.member = m.id;
      state.tablets[m.id] = tablet;
      const { page } = tablet;
      await page.goto(state.cardUrls[m.id]);
      const generate = page.locator(tid('trustee-generate'));
      await generate.waitFor({ state: 'visible' });
      // The check-in code leaves the address once used.
      await waitUntil(() => !page.url().includes('code='), `${m.id}: code dropped from the address`);
      await generate.click();
      const shown = page.locator(tid('recovery-code'));
      await shown.waitFor({ state: 'visible' });
      const code = extract(await shown.innerText(), /[0-9A-Z]{4}(-[0-9A-Z]{4}){4}/, `${m.id} recovery-code`);
      if (m.id === 'm01') await screenshot(page, 'scrutineer', 'keygen');
      // The page asks "written down?" (recovery-written) before asking to type the code back.
      const written = page.locator(tid('recovery-written'));
      if (await written.isVisible()) await written.click();
      await page.locator(tid('recovery-confirm-input')).waitFor({ state: 'visible' });
      // A wrong copy is refused: nothing is sent.
      const flipped = (code[0] === '0' ? '1' : '0') + code.slice(1);
      await page.locator(tid('recovery-confirm-input')).fill(flipped);
      await page.locator(tid('recovery-confirm')).click();
      await page.waitForTimeout(500);
      assert.equal(recordsOf(await chain(), 'trustee', (r) => r.id === m.id).length, 0, `${m.id}: a mistyped recovery code sends no key`);
      // Typed back as a person would: lower case, spaces instead of dashes.
      await page.locator(tid('recovery-confirm-input')).fill(code.toLowerCase().replace(/-/g, ' '));
      await page.locator(tid('recovery-confirm')).click();
      await waitForRecord('trustee', (r) => r.id === m.id, `${m.id}'s trustee record`);
      await page.locator(tid('trustee-status')).waitFor({ state: 'visible' });
      assert.equal(await page.locator(tid('recovery-code')).count(), 0, `${m.id}: the recovery code is no longer shown`);
    }
    const c = await chain();
    for (const m of ROSTER.filter((x) => x.scrutineer)) {
      assert.equal(recordsOf(c, 'check_in', (r) => r.member === m.id).length, 1, `${m.id} checked in once`);
    }
  });

  step('six members check in: five from their cards, one by choosing their name and typing the code', async () => {
    for (const m of ROSTER.filter((x) => !x.scrutineer)) {
      const tablet = await person(`tablet-${m.id}`, SIZES.tablet);
      tablet.member = m.id;
      state.tablets[m.id] = tablet;
      const { page } = tablet;
      if (m.id === TYPED) {
        await page.goto(`${state.server.url}/#/tablet?session=${state.session}`);
        await waitAttr(page, 'status', 'data-status', 'checkin');
        assert.ok((await testText(page, 'status')).includes('请签到'), 'status says 请签到');
        await screenshot(page, 'tablet', 'checkin');
        // The member finds their own name: the roster is listed, the search narrows it as typed.
        const options = page.locator('[data-testid^="member-option-"]');
        await waitUntil(async () => (await options.count()) === ROSTER.length, 'the whole roster listed');
        await page.locator(tid('member-search')).fill(m.name);
        await waitUntil(async () => (await options.count()) === 1, `the search leaves only ${m.name}`);
        // Another member's name with this code: one hello, refused and explained; nothing recorded.
        const wrong = ROSTER.find((x) => x.id !== m.id && !x.scrutineer);
        const checkInsBefore = recordsOf(await chain(), 'check_in').length;
        await page.locator(tid('member-search')).fill(wrong.seat);
        await page.locator(tid(`member-option-${wrong.id}`)).click();
        await waitAttr(page, `member-option-${wrong.id}`, 'aria-pressed', 'true');
        await page.locator(tid('checkin-code')).fill(state.codes[m.id]);
        await page.locator(tid('checkin-submit')).click();
        await waitUntil(async () => (await page.locator(tid('checkin-error')).innerText()).includes('签到码与所选姓名不符'),
          'the code refused for the name chosen');
        assert.equal(recordsOf(await chain(), 'check_in').length, checkInsBefore, 'a code for another name records nothing');
        // The member chooses again: their own name.
        await page.locator(tid('member-search')).fill(m.name);
        await page.locator(tid(`member-option-${m.id}`)).click();
        await waitAttr(page, `member-option-${m.id}`, 'aria-pressed', 'true');
        assert.ok((await testText(page, 'member-chosen')).includes(m.name), 'the chosen name is shown by the code field');
        await screenshot(page, 'tablet', 'picker');
        // Too short: refused before anything is sent.
        await page.locator(tid('checkin-code')).fill(state.codes[m.id].slice(0, 6));
        await page.locator(tid('checkin-submit')).click();
        await page.waitForTimeout(300);
        assert.equal(recordsOf(await chain(), 'check_in', (r) => r.member === m.id).length, 0, 'a short code is not sent');
        // Typed loosely: lower case, spaces for dashes.
        await page.locator(tid('checkin-code')).fill(state.codes[m.id].toLowerCase().replace(/-/g, ' '));
        await page.locator(tid('checkin-submit')).click();
      } else {
        await page.goto(state.cardUrls[m.id]);
      }
      await waitUntil(async () => ['checked_in', 'waiting'].includes(await page.locator(tid('status')).getAttribute('data-status')),
        `${m.id}: checked in`);
      await waitUntil(() => !page.url().includes('code='), `${m.id}: code dropped from the address`);
      if (m.id === 'm03') await screenshot(page, 'tablet', await page.locator(tid('status')).getAttribute('data-status'));
    }
    const c = await chain();
    for (const m of ROSTER) {
      const ins = recordsOf(c, 'check_in', (r) => r.member === m.id);
      assert.equal(ins.length, 1, `${m.id} has exactly one check_in`);
    }
    await waitAttr(state.chair.page, 'attendance', 'data-present', String(ROSTER.length));
    await waitAttr(state.chair.page, 'quorum', 'data-met', 'true');
    await waitAttr(state.projector.page, 'attendance', 'data-present', String(ROSTER.length));
  });

  step('the chair seals the election key and opens round 1', async () => {
    const { page } = state.chair;
    await screenshot(page, 'chair', 'keys');
    await clickAndConfirm(page, 'seal-key');
    const key = await waitForRecord('election_key', () => true);
    assert.deepEqual(key.record.trustees, ['server', 'm01', 'm02']);
    await screenshot(state.projector.page, 'projector', 'waiting');
    // Sealed, no round open yet: the tablets wait.
    const m03 = state.tablets.m03.page;
    await waitAttr(m03, 'status', 'data-status', 'waiting');
    await screenshot(m03, 'tablet', 'waiting');
    await clickAndConfirm(page, 'open-1');
    await waitForRecord('round_opened', (r) => r.round === 1);
    for (const tablet of Object.values(state.tablets)) {
      await waitAttr(tablet.page, 'status', 'data-status', 'voting');
    }
  });

  step('every tablet votes in round 1; a tablet reloaded mid-ballot keeps its choices and casts once', async () => {
    const round = await roundRecord(1);
    await state.tablets.m03.page.locator(tid(`option-${round.contests[0].id}-0`)).waitFor({ state: 'visible' });
    await screenshot(state.tablets.m03.page, 'tablet', 'voting');
    for (const c of round.contests) {
      const card = state.tablets.m03.page.locator(tid(`contest-${c.id}`));
      assert.ok((await card.innerText()).includes(c.title), `contest-${c.id} shows its title`);
    }
    // The reloaded tablet: two of three contests answered, then a reload.
    const reloaded = state.tablets[RELOADED];
    await reloaded.page.locator(tid(`option-${round.contests[0].id}-0`)).waitFor({ state: 'visible' });
    await choose(reloaded.page, round.contests, VOTES1[RELOADED], 0, 2);
    // The marks are in IndexedDB (a reload within milliseconds of a tap may lose that tap).
    await waitAttr(reloaded.page, 'status', 'data-saved', 'true');
    await reloaded.page.reload();
    await waitAttr(reloaded.page, 'status', 'data-status', 'voting');
    for (let k = 0; k < 2; k++) {
      const option = reloaded.page.locator(tid(`option-${round.contests[k].id}-${VOTES1[RELOADED][k]}`));
      await waitAttr(reloaded.page, `option-${round.contests[k].id}-${VOTES1[RELOADED][k]}`, 'aria-pressed', 'true');
      assert.equal(await option.getAttribute('aria-pressed'), 'true', `${RELOADED}: choice ${k} survived the reload`);
    }
    const unanswered = reloaded.page.locator(tid(`option-${round.contests[2].id}-${VOTES1[RELOADED][2]}`));
    assert.notEqual(await unanswered.getAttribute('aria-pressed'), 'true', `${RELOADED}: the unanswered contest is still unanswered`);

    // Every tablet in parallel, as in the room.
    await Promise.all(ROSTER.map(async (m) => {
      const tablet = state.tablets[m.id];
      const from = m.id === RELOADED ? 2 : 0;
      await tablet.page.locator(tid(`option-${round.contests[0].id}-0`)).waitFor({ state: 'visible' });
      await choose(tablet.page, round.contests, VOTES1[m.id], from);
      await castAndReceipt(tablet, 1, round, VOTES1[m.id]);
    }));
    await screenshot(state.tablets.m03.page, 'tablet', 'voted');
    await waitAttr(state.projector.page, 'progress', 'data-ballots', String(ROSTER.length));
    await screenshot(state.projector.page, 'projector', 'round');
    await screenshot(state.chair.page, 'chair', 'open');

    const c = await chain();
    const tokens = recordsOf(c, 'token', (r) => r.round === 1);
    assert.equal(tokens.length, ROSTER.length, 'one token per member');
    assert.equal(tokens.filter((e) => e.record.member === RELOADED).length, 1, `${RELOADED} requested one token despite the reload`);
    const ballots = recordsOf(c, 'ballot', (r) => r.round === 1);
    assert.equal(ballots.length, ROSTER.length, 'eight ballots, the reloaded tablet\'s once');
    const codesOnChain = ballots.map((e) => receiptCode(e.line)).sort();
    assert.deepEqual(Object.values(state.receipts[1]).sort(), codesOnChain, 'every receipt code shown is a ballot on the chain, each once');
  });

  step('the chair closes round 1; the scrutineers, the projector and the chair show one comparison code', async () => {
    await clickAndConfirm(state.chair.page, 'close-1');
    const closed = await waitForRecord('round_closed', (r) => r.round === 1);
    assert.equal(closed.record.ballots, ROSTER.length);
    assert.equal(closed.record.tokens, ROSTER.length);
    assert.deepEqual(closed.record.voted.map((v) => v.member), ROSTER.map((m) => m.id), 'every member declared');
    const expected = comparisonCode(closed.line);
    const onProjector = await waitUntil(async () => COMPARISON.exec(await testText(state.projector.page, 'comparison-code'))?.[0],
      'the projector\'s comparison-code');
    assert.equal(onProjector, expected, 'the projector shows round_closed\'s comparison code');
    const onChair = await waitUntil(async () => COMPARISON.exec(await testText(state.chair.page, 'comparison-code-1'))?.[0],
      'the chair\'s comparison-code-1');
    assert.equal(onChair, expected, 'the chair console shows the same code');
    for (const m of ROSTER.filter((x) => x.scrutineer)) {
      const { page } = state.tablets[m.id];
      const section = page.locator(tid('decrypt-1'));
      await section.waitFor({ state: 'visible' });
      const code = await waitUntil(async () => COMPARISON.exec(await section.locator(tid('comparison-code')).innerText())?.[0],
        `${m.id}'s comparison-code`);
      assert.equal(code, expected, `${m.id}'s tablet shows the same comparison code`);
      const count = await section.locator(tid('ballot-count')).innerText();
      assert.match(count, new RegExp(`(^|\\D)${ROSTER.length}(\\D|$)`), `${m.id}'s tablet shows the ballot count`);
    }
    await screenshot(state.tablets.m01.page, 'scrutineer', 'decrypt');
    await screenshot(state.projector.page, 'projector', 'closed');
    await screenshot(state.chair.page, 'chair', 'closed');
  });

  step('the scrutineers approve decryption; the chair reveals round 1', async () => {
    for (const m of ROSTER.filter((x) => x.scrutineer)) {
      const { page } = state.tablets[m.id];
      const approve = page.locator(`${tid('decrypt-1')} ${tid('decrypt-approve')}`);
      await waitUntil(() => approve.isEnabled(), `${m.id}: decrypt-approve enabled once the chain is verified`);
      await approve.click();
      await confirmModal(page);
      await waitForRecord('decryption', (r) => r.round === 1 && r.trustee === m.id, `${m.id}'s decryption record`);
    }
    await screenshot(state.tablets.m01.page, 'scrutineer', 'decrypted');
    await waitForRecord('result', (r) => r.round === 1);
    await clickAndConfirm(state.chair.page, 'reveal-1');
    await waitForRecord('revealed', (r) => r.round === 1);
  });

  step('the projector shows round 1\'s exact counts, grades and 满意率', async () => {
    const round = await roundRecord(1);
    const counts = tally(round.contests, ROSTER.map((m) => VOTES1[m.id]));
    const expected = evaluationResults(round, counts, ROSTER.length);
    const { page } = state.projector;
    for (const r of expected) {
      const target = page.locator(tid(`target-${r.id}`));
      await target.waitFor({ state: 'visible' });
      assert.equal(await target.getAttribute('data-counts'), r.counts.join(','), `target-${r.id} counts`);
      assert.equal(await target.getAttribute('data-grade'), r.gradeLabel, `target-${r.id} grade`);
      assert.equal(await target.getAttribute('data-rate'), String(r.rate_bp), `target-${r.id} rate_bp`);
      const text = await target.innerText();
      const percent = `${Math.floor(r.rate_bp / 100)}.${String(r.rate_bp % 100).padStart(2, '0')}%`;
      assert.ok(text.includes(percent), `target-${r.id} shows 满意率 ${percent}`);
      assert.ok(text.includes(r.gradeLabel), `target-${r.id} shows the grade ${r.gradeLabel}`);
      state.projectorCounts[1][r.id] = (await target.getAttribute('data-counts')).split(',').map(Number);
    }
    // The recorded result agrees with the rule applied to the votes (the server's fold).
    const result = only(await chain(), 'result', (x) => x.round === 1).record;
    for (const r of expected) {
      const rec = result.contests.find((x) => x.id === r.id);
      assert.deepEqual(
        { counts: rec.counts, grade: rec.grade, passed: rec.passed, rate_bp: rec.rate_bp, score_x100: rec.score_x100, rank: rec.rank },
        { counts: r.counts, grade: r.grade, passed: r.passed, rate_bp: r.rate_bp, score_x100: r.score_x100, rank: r.rank },
        `the result record for ${r.id}`,
      );
    }
    await waitAttr(page, 'verified', 'data-state', 'ok');
    const members = await testText(page, 'present-members');
    for (const m of ROSTER) assert.ok(members.includes(m.name), `present-members lists ${m.name}`);
    const head = await testText(page, 'head-hash');
    const lines = await state.server.chain(state.session);
    assert.ok(/[0-9a-f]{8,}/.test(head), 'head-hash shows hex');
    const recentHashes = lines.slice(-5).map((l) => sha256(l).toString('hex'));
    assert.ok(recentHashes.some((h) => h.startsWith(/[0-9a-f]{8,}/.exec(head)[0])), 'head-hash is a recent head of the chain');
    const qr = await page.locator(`${tid('observer-qr')} path, svg${tid('observer-qr')} path`).first().getAttribute('d');
    assert.ok(qrText(qr, [`${state.server.url}/#/observer?session=${state.session}`]), 'observer-qr holds the observer URL');
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    if (height > SIZES.projector.height + 1) state.defects.push(`projector: three targets need ${height} px on a 1920×1080 screen (scrolling)`);
    await screenshot(page, 'projector', 'revealed', ['tablet', 'projector', 'projector720']);
    await screenshot(state.chair.page, 'chair', 'revealed');
  });

  step('the members\' tablets check their ballots are on the board (✓)', async () => {
    for (const m of ROSTER) {
      const { page } = state.tablets[m.id];
      await waitAttr(page, 'status', 'data-status', 'closed');
      await waitAttr(page, 'inclusion', 'data-state', 'ok');
      assert.ok((await testText(page, 'inclusion')).includes('✓'), `${m.id}: the inclusion check shows ✓`);
    }
    assert.ok((await testText(state.tablets.m03.page, 'status')).includes('本轮已结束'), 'status says 本轮已结束');
    await screenshot(state.tablets.m03.page, 'tablet', 'closed');
  });

  step('round 2 (two motions) runs the same way with another pattern', async () => {
    const round = await roundRecord(2);
    await clickAndConfirm(state.chair.page, 'open-2');
    await waitForRecord('round_opened', (r) => r.round === 2);
    await Promise.all(ROSTER.map(async (m) => {
      const tablet = state.tablets[m.id];
      await waitAttr(tablet.page, 'status', 'data-status', 'voting');
      await tablet.page.locator(tid(`option-${round.contests[0].id}-0`)).waitFor({ state: 'visible' });
      await choose(tablet.page, round.contests, VOTES2[m.id]);
      await castAndReceipt(tablet, 2, round, VOTES2[m.id]);
    }));
    await waitAttr(state.projector.page, 'progress', 'data-ballots', String(ROSTER.length));
    await clickAndConfirm(state.chair.page, 'close-2');
    const closed = await waitForRecord('round_closed', (r) => r.round === 2);
    const expectedCode = comparisonCode(closed.line);
    for (const m of ROSTER.filter((x) => x.scrutineer)) {
      const { page } = state.tablets[m.id];
      const section = page.locator(tid('decrypt-2'));
      await section.waitFor({ state: 'visible' });
      const code = await waitUntil(async () => COMPARISON.exec(await section.locator(tid('comparison-code')).innerText())?.[0],
        `${m.id}'s comparison-code for round 2`);
      assert.equal(code, expectedCode, `${m.id}: round 2's comparison code`);
      const approve = section.locator(tid('decrypt-approve'));
      await waitUntil(() => approve.isEnabled(), `${m.id}: decrypt-approve enabled for round 2`);
      await approve.click();
      await confirmModal(page);
      await waitForRecord('decryption', (r) => r.round === 2 && r.trustee === m.id, `${m.id}'s decryption of round 2`);
    }
    // Round 1 was decrypted on this device: it must not be offered again.
    for (const m of ROSTER.filter((x) => x.scrutineer)) {
      const again = state.tablets[m.id].page.locator(`${tid('decrypt-1')} ${tid('decrypt-approve')}`);
      assert.ok((await again.count()) === 0 || !(await again.isEnabled()), `${m.id}: round 1 cannot be decrypted twice`);
    }
    await waitForRecord('result', (r) => r.round === 2);
    await clickAndConfirm(state.chair.page, 'reveal-2');
    await waitForRecord('revealed', (r) => r.round === 2);

    const counts = tally(round.contests, ROSTER.map((m) => VOTES2[m.id]));
    const expected = motionResults(round, counts, { members: ROSTER.length, present: ROSTER.length, ballots: ROSTER.length });
    assert.deepEqual(expected.map((r) => r.passed), [true, false], 'the pattern gives one motion passing and one failing');
    const { page } = state.projector;
    for (const r of expected) {
      const target = page.locator(tid(`target-${r.id}`));
      await target.waitFor({ state: 'visible' });
      assert.equal(await target.getAttribute('data-counts'), r.counts.join(','), `target-${r.id} counts`);
      const text = await target.innerText();
      if (r.passed) assert.ok(text.includes('通过') && !text.includes('未通过'), `target-${r.id} says 通过`);
      else assert.ok(text.includes('未通过'), `target-${r.id} says 未通过`);
      state.projectorCounts[2][r.id] = (await target.getAttribute('data-counts')).split(',').map(Number);
    }
    const result = only(await chain(), 'result', (x) => x.round === 2).record;
    assert.deepEqual(result.contests.map((x) => x.passed), expected.map((r) => r.passed), 'the result record agrees');
    await screenshot(page, 'projector', 'motion');
    for (const m of ROSTER) {
      await waitAttr(state.tablets[m.id].page, 'inclusion', 'data-state', 'ok');
    }
  });

  step('the language switch: the projector and a tablet in English, then back to Chinese', async () => {
    const projector = state.projector.page;
    const tablet = state.tablets.m03.page;
    const zhVerified = await testText(projector, 'verified');
    assert.ok(zhVerified.includes('已验证'), 'the projector says 已验证 in Chinese');
    const zhStatus = await testText(tablet, 'status');
    for (const page of [projector, tablet]) await page.locator(tid('lang-switch')).click();
    await waitUntil(async () => !HAN.test(await testText(projector, 'verified')), 'the projector\'s verified mark in English');
    assert.equal(await projector.evaluate(() => document.documentElement.lang), 'en');
    assert.ok(/verified/i.test(await testText(projector, 'verified')), 'the projector says verified');
    await waitUntil(async () => {
      const s = await testText(tablet, 'status');
      return s !== zhStatus && !HAN.test(s) && /[a-z]/i.test(s);
    }, 'the tablet\'s status in English');
    const progress = await testText(projector, 'attendance');
    assert.ok(!HAN.test(progress), `the projector's attendance in English: ${progress}`);
    await screenshot(projector, 'projector', 'en');
    await screenshot(tablet, 'tablet', 'en');
    for (const page of [projector, tablet]) await page.locator(tid('lang-switch')).click();
    await waitUntil(async () => (await testText(projector, 'verified')).includes('已验证'), 'the projector back in Chinese');
    await waitUntil(async () => (await testText(tablet, 'status')) === zhStatus, 'the tablet back in Chinese');
  });

  step('the chair adjourns; every tablet and the projector say so', async () => {
    await clickAndConfirm(state.chair.page, 'adjourn');
    await waitForRecord('adjourned', () => true);
    for (const m of ROSTER) await waitAttr(state.tablets[m.id].page, 'status', 'data-status', 'adjourned');
    assert.ok((await testText(state.tablets.m03.page, 'status')).includes('会议已结束'), 'status says 会议已结束');
    await screenshot(state.tablets.m03.page, 'tablet', 'adjourned');
    await screenshot(state.chair.page, 'chair', 'adjourned');
    await screenshot(state.projector.page, 'projector', 'adjourned');
  });

  step('the observer verifies every record and every round, finds a receipt and downloads the chain', async () => {
    const { page } = state.observer;
    const lines = await state.server.chain(state.session);
    await waitAttr(page, 'verify-status', 'data-state', 'ok', 60_000);
    const status = await testText(page, 'verify-status');
    assert.ok(status.includes(String(lines.length)), `verify-status counts ${lines.length} records: ${status}`);
    const rows = page.locator('[data-testid^="record-"]');
    const oks = await rows.evaluateAll((els) => els.map((e) => [e.dataset.testid, e.dataset.ok]));
    assert.deepEqual(oks.map(([id]) => id), lines.map((_, seq) => `record-${seq}`), 'the record table shows every record');
    for (const [id, ok] of oks) assert.equal(ok, 'true', `${id} is verified`);
    for (const n of [1, 2]) await waitAttr(page, `round-check-${n}`, 'data-state', 'ok');
    await screenshot(page, 'observer', 'verified');

    const code = state.receipts[1].m03;
    await page.locator(tid('receipt-input')).fill(code.toLowerCase().replace('-', ''));
    await page.locator(tid('receipt-lookup')).click();
    await waitAttr(page, 'receipt-result', 'data-found', 'true');
    const ballot = parseChain(lines).find((e) => e.record.type === 'ballot' && receiptCode(e.line) === code);
    assert.ok((await testText(page, 'receipt-result')).includes(String(ballot.record.seq)), 'the lookup names the ballot\'s seq');
    await screenshot(page, 'observer', 'receipt');
    // A code that is no ballot's.
    const taken = new Set(parseChain(lines).map((e) => receiptCode(e.line)));
    const absent = ['ZZZZ-ZZZZ', 'YYYY-YYYY'].find((x) => !taken.has(x));
    await page.locator(tid('receipt-input')).fill(absent);
    await page.locator(tid('receipt-lookup')).click();
    await waitAttr(page, 'receipt-result', 'data-found', 'false');

    const downloads = [];
    page.on('download', (d) => downloads.push(d));
    await page.locator(tid('download-chain')).click();
    const jsonl = await waitUntil(() => downloads.find((d) => d.suggestedFilename().endsWith('.jsonl')), 'the .jsonl download');
    const saved = path.join(artifactsDir(), 'observer-download.jsonl');
    await jsonl.saveAs(saved);
    assert.equal(readFileSync(saved, 'utf8'), lines.join('\n') + '\n', 'the observer\'s download is the chain byte for byte');
  });

  step('pingyi-verify accepts the chain; its counts equal the projector\'s', async () => {
    const file = path.join(artifactsDir(), 'session-chain.jsonl');
    writeFileSync(file, await (await state.server.get(`/api/sessions/${state.session}/chain`)).text());
    const { code, stdout, stderr } = await new Promise((resolve) => {
      execFile(verifierBinary(), ['--json', '--lang', 'en', file], { timeout: 60_000, maxBuffer: 64 << 20 },
        (err, out, errOut) => resolve({ code: err ? (err.code ?? 1) : 0, stdout: out, stderr: errOut }));
    });
    assert.equal(code, 0, `pingyi-verify exits 0 (stderr: ${stderr.slice(0, 500)})`);
    const report = JSON.parse(stdout);
    assert.equal(report.verified, true);
    assert.equal(report.members, ROSTER.length);
    for (const n of [1, 2]) {
      const r = report.rounds.find((x) => x.round === n);
      assert.equal(r.ballots, ROSTER.length, `round ${n}: ballots`);
      assert.equal(r.undeclared, 0, `round ${n}: undeclared`);
      for (const contest of r.contests) {
        assert.deepEqual(contest.counts, state.projectorCounts[n][contest.id], `round ${n} ${contest.id}: pingyi-verify and the projector agree`);
      }
      assert.equal(r.contests.length, Object.keys(state.projectorCounts[n]).length);
    }
  });

  step('the layout checks that do not stop the meeting found nothing', async () => {
    assert.deepEqual(state.defects, [], 'layout defects');
  });

  step('no page threw an uncaught error', async () => {
    const errors = state.people.flatMap((p) => p.errors);
    assert.deepEqual(errors, [], 'uncaught page errors');
  });
});
