// Accessibility measurements taken from the live page: accessible names as Chromium itself
// computes them (the accessibility tree over CDP), touch-target sizes and WCAG 2 contrast from
// computed styles. Each function returns a list of problems, empty when all is well, so that a
// failing assertion names every offending element at once.

const INTERACTIVE_ROLES = new Set([
  'button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'switch',
  'spinbutton', 'slider', 'menuitem', 'tab', 'option', 'Date', 'DateTime', 'InputTime',
]);

// The browser's own controls inside a form field (the date picker's button in <input
// type=date>'s user-agent shadow tree) are named by the browser, not by the page.
async function userAgentShadowNodes(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const inside = new Set();
  const walk = (node, underUa) => {
    if (underUa) inside.add(node.backendNodeId);
    for (const child of node.children ?? []) walk(child, underUa);
    for (const shadow of node.shadowRoots ?? []) walk(shadow, underUa || shadow.shadowRootType === 'user-agent');
    if (node.contentDocument) walk(node.contentDocument, underUa);
  };
  walk(root, false);
  return inside;
}

// A name counts only when it comes from a label, aria-label(ledby) or the element's text:
// a placeholder disappears as soon as one types, and a title is not shown on a tablet.
// relatedElement: aria-labelledby; labelfor / labelwrapped / label: a <label>; attribute:value:
// the visible text of an <input type=button|submit>.
const ACCEPTED_SOURCES = new Set([
  'relatedElement', 'labelfor', 'labelwrapped', 'label', 'attribute:aria-label', 'attribute:value', 'contents',
]);

function winningSource(name) {
  for (const source of name?.sources ?? []) {
    if (source.superseded || !source.value || source.value.value === '') continue;
    if (source.type === 'relatedElement') return source.nativeSource ?? 'relatedElement';
    if (source.type === 'attribute') return `attribute:${source.attribute}`;
    return source.type;
  }
  return null;
}

/** Every button, link, input and select in the page's accessibility tree has a proper name. */
export async function unnamedControls(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const browserOwned = await userAgentShadowNodes(cdp);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const problems = [];
    for (const node of nodes) {
      const role = node.role?.value;
      if (node.ignored || !INTERACTIVE_ROLES.has(role) || browserOwned.has(node.backendDOMNodeId)) continue;
      const name = (node.name?.value ?? '').trim();
      const source = winningSource(node.name);
      let dom = null;
      if (node.backendDOMNodeId !== undefined) {
        ({ node: dom } = await cdp.send('DOM.describeNode', { backendNodeId: node.backendDOMNodeId }));
      }
      const attrs = new Map();
      for (let i = 0; i + 1 < (dom?.attributes ?? []).length; i += 2) attrs.set(dom.attributes[i], dom.attributes[i + 1]);
      // A file input's "contents" are the browser's "Choose File", not a label of the page's.
      const browserText = dom?.localName === 'input' && attrs.get('type') === 'file' && source === 'contents';
      if (name !== '' && ACCEPTED_SOURCES.has(source) && !browserText) continue;
      const what = dom
        ? `<${dom.localName} ${[...attrs].filter(([k]) => ['data-testid', 'id', 'class', 'type', 'name'].includes(k)).map(([k, v]) => `${k}="${v}"`).join(' ')}>`
        : `backend node ${node.backendDOMNodeId}`;
      problems.push(`${role} ${what}: ${name === '' ? 'no accessible name' : `named only by ${browserText ? "the browser's own button text" : source} ("${name}")`}`);
    }
    return problems;
  } finally {
    await cdp.detach();
  }
}

/** Every visible control on the page is at least `min` × `min` CSS px. */
export async function smallTouchTargets(page, min = 48) {
  return page.evaluate((minSize) => {
    const selector = 'button, a[href], input:not([type="hidden"]), select, textarea, [role="button"], [tabindex]:not([tabindex="-1"])';
    const problems = [];
    for (const el of document.querySelectorAll(selector)) {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden') continue;
      if (el.closest('dialog:not([open])')) continue;
      if (rect.width < minSize - 0.5 || rect.height < minSize - 0.5) {
        const label = el.dataset.testid ?? el.getAttribute('aria-label') ?? el.textContent.trim().slice(0, 30);
        problems.push(`${el.tagName.toLowerCase()} "${label}": ${rect.width.toFixed(1)}×${rect.height.toFixed(1)} px`);
      }
    }
    return problems;
  }, min);
}

/** WCAG 2 contrast of the text of every element matching `selector` (and, when `withText`, of
 *  every element directly holding visible text inside `scope`), against its effective
 *  background: the first opaque background up the tree, with translucent ones composited. */
export async function lowContrast(page, { selectors = [], scope = 'main', withText = true, min = 4.5 } = {}) {
  return page.evaluate(({ selectors, scope, withText, min }) => {
    const parse = (css) => {
      const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(css);
      if (!m) return null;
      let a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
      return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), a];
    };
    const over = (top, bottom) => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
    };
    const luminance = (c) => {
      const lin = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.backgroundImage !== 'none' && !e.matches('svg, svg *')) return { unknown: `background-image on ${e.tagName}` };
        const c = parse(style.backgroundColor);
        if (c === null) return { unknown: `colour ${style.backgroundColor}` };
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let result = [255, 255, 255, 1];
      for (let i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
      return { color: result };
    };
    const visible = (el) => {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && style.opacity !== '0';
    };
    const targets = new Set();
    for (const s of selectors) for (const el of document.querySelectorAll(s)) targets.add(el);
    if (withText) {
      const root = document.querySelector(scope) ?? document.body;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.textContent.trim() !== '' && n.parentElement && !n.parentElement.closest('svg, script, style')) targets.add(n.parentElement);
      }
    }
    const problems = [];
    let checked = 0;
    for (const el of targets) {
      if (!visible(el) || el.closest('dialog:not([open])')) continue;
      const fg = parse(getComputedStyle(el).color);
      const bg = background(el);
      const label = el.dataset.testid ?? `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${el.textContent.trim().slice(0, 24)}"`;
      if (fg === null || bg.unknown) {
        problems.push(`${label}: cannot compute (${bg.unknown ?? getComputedStyle(el).color})`);
        continue;
      }
      const text = over(fg, bg.color);
      const [l1, l2] = [luminance(text), luminance(bg.color)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      checked++;
      if (ratio < min) problems.push(`${label}: ${ratio.toFixed(2)}:1 (${getComputedStyle(el).color} on rgb(${bg.color.slice(0, 3).map(Math.round).join(', ')}))`);
    }
    return { problems, checked };
  }, { selectors, scope, withText, min });
}

/** Whether each element is inside the viewport's width and is what a tap at its centre hits,
 *  once scrolled to the middle of the screen (as a person scrolls to what they want to tap,
 *  clear of a sticky header or footer): "reachable and clickable". Scrolling and hit-testing
 *  happen in one task, on elements found afresh, so a page re-rendering between two protocol
 *  calls cannot make a reachable element look covered. */
export async function unreachable(page, selector) {
  return page.evaluate((sel) => {
    const problems = [];
    const elements = [...document.querySelectorAll(sel)];
    const width = document.documentElement.clientWidth;
    for (const node of elements) {
      node.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
      const rect = node.getBoundingClientRect();
      const id = node.dataset.testid ?? node.tagName.toLowerCase();
      if (rect.left < -0.5 || rect.right > width + 0.5) {
        problems.push(`${id}: outside the viewport's width (${rect.left.toFixed(0)}–${rect.right.toFixed(0)} of ${width})`);
        continue;
      }
      const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
      if (!hit || !(hit === node || node.contains(hit))) {
        problems.push(`${id}: covered by ${hit ? hit.tagName.toLowerCase() + (hit.dataset.testid ? `[${hit.dataset.testid}]` : '') : 'nothing'}`);
      }
    }
    return { problems, count: elements.length };
  }, selector);
}

/** How much of the viewport's height sticky and fixed elements keep for themselves: at 200%
 *  zoom, bars that stay on screen leave little room for the ballot itself. */
export async function stickyShare(page) {
  return page.evaluate(() => {
    const pinned = (el) => ['sticky', 'fixed'].includes(getComputedStyle(el).position);
    const pinnedAncestor = (el) => {
      for (let a = el.parentElement; a; a = a.parentElement) if (pinned(a)) return true;
      return false;
    };
    let covered = 0;
    const parts = [];
    for (const el of document.querySelectorAll('body *')) {
      if (!pinned(el) || pinnedAncestor(el)) continue;
      const rect = el.getBoundingClientRect();
      const visible = Math.max(0, Math.min(rect.bottom, innerHeight) - Math.max(rect.top, 0));
      if (visible === 0) continue;
      covered += visible;
      parts.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} ${visible.toFixed(0)} px`);
    }
    return { share: covered / innerHeight, parts };
  });
}

/** No horizontal scrolling: the document is no wider than its viewport. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    return doc.scrollWidth > doc.clientWidth ? `${doc.scrollWidth} px of content in a ${doc.clientWidth} px viewport` : null;
  });
}
