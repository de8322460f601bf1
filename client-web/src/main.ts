// The router: one page per hash route (docs/PROTOCOL.md §9), each loaded on demand so that
// the projector does not download the secretariat's code, nor a tablet the observer's.

import { sodiumReady } from './crypto/sodium';
import { getLang } from './i18n/i18n';
import { createShell, type Shell } from './ui/layout';
import { leaveMessage, setLeaveGuard, type MountPage } from './ui/page';
import { parseRoute } from './ui/router';
import { h, replace } from './ui/dom';

type Variant = 'default' | 'projector' | 'tablet';

const pages: Record<string, { variant: Variant; load: () => Promise<{ mount: MountPage }> }> = {
  '': { variant: 'default', load: () => import('./pages/start/page') },
  tablet: { variant: 'tablet', load: () => import('./pages/tablet/page') },
  chair: { variant: 'default', load: () => import('./pages/chair/page') },
  projector: { variant: 'projector', load: () => import('./pages/projector/page') },
  observer: { variant: 'default', load: () => import('./pages/observer/page') },
  secretariat: { variant: 'default', load: () => import('./pages/secretariat/page') },
};

const app = document.getElementById('app')!;
let cleanup: (() => void) | null = null;
let shell: Shell | null = null;
let generation = 0;
let currentHash = location.hash;

async function show(): Promise<void> {
  const mine = ++generation;
  currentHash = location.hash;
  setLeaveGuard(null);
  cleanup?.();
  cleanup = null;
  shell?.destroy();
  shell = null;
  const route = parseRoute(location.hash);
  const entry = pages[route.page] ?? pages['']!;
  try {
    const [module] = await Promise.all([entry.load(), sodiumReady()]);
    if (mine !== generation) return;
    shell = createShell(app, entry.variant);
    const done = await module.mount({ shell, params: route.params });
    if (mine !== generation) {
      done();
      return;
    }
    cleanup = done;
  } catch (e) {
    if (mine !== generation) return;
    const message = e instanceof Error ? e.message : String(e);
    replace(app, h('div', { class: 'fatal', role: 'alert' }, getLang() === 'zh' ? `页面加载失败：${message}` : `The page failed to load: ${message}`));
  }
}

document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
window.addEventListener('hashchange', () => {
  const message = leaveMessage();
  if (message !== null && !window.confirm(message)) {
    // Stay: put the address back without another hashchange.
    history.replaceState(null, '', currentHash || location.pathname);
    return;
  }
  void show();
});
void show();
