// The member's and the scrutineer's tablet (`#/tablet?session=ID[&member=MEMBER&code=CODE]`,
// docs/PROTOCOL.md §9): wires the controller to the real network, storage, workers and verifier,
// and the screen to the shell. Everything the tablet decides is in controller.ts and model.ts.

import { systemRng } from '../../crypto/rng';
import { tc } from '../../i18n/common';
import { onLangChange } from '../../i18n/i18n';
import { apiPost } from '../../net/http';
import { ReconnectingSocket } from '../../net/socket';
import { type Kv, openKv } from '../../store/kv';
import { h, replace } from '../../ui/dom';
import type { MountPage } from '../../ui/page';
import { routeHref } from '../../ui/router';
import { ChainVerifier } from '../../verify/chain-verifier';
import { VerifierClient } from '../../verify/client';
import { workerBallotBuilder } from './ballot-builder';
import { fetchGenesisLine, parseSessionId, sendCheckInHello } from './checkin';
import { TabletController, type TabletView } from './controller';
import { TabletStore } from './store';
import { t } from './strings';
import { text } from './text';
import { TabletScreen } from './view';
import './tablet.css';

/** Only one tab may drive a tablet's session: two would each request a token with their own
 *  blinded element, and the second would be ALREADY_ISSUED. Resolves to a release function, or
 *  null when another tab holds the session. Browsers without Web Locks are let through. */
async function lockSession(sessionId: string): Promise<(() => void) | null> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return () => undefined;
  return new Promise((resolve) => {
    void locks.request(`pingyi-tablet-${sessionId}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      return new Promise<void>((release) => resolve(release));
    });
  });
}

/** Proof workers for a scrutineer's verification: one core is left to the page and to the
 *  worker that builds this tablet's own ballot. */
function proofWorkers(): number {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, cores - 1);
}

function showFatal(main: HTMLElement, message: string): void {
  replace(main, h('div', { class: 'tablet' }, h('p', { class: 'error big-notice', role: 'alert' }, message)));
}

export const mount: MountPage = async (ctx) => {
  const { shell, params } = ctx;
  shell.setTitle(t('title'));
  const sessionId = parseSessionId(params.get('session'));
  if (!sessionId) {
    showFatal(shell.main, t('checkin_no_session'));
    const off = onLangChange(() => showFatal(shell.main, t('checkin_no_session')));
    return off;
  }

  const release = await lockSession(sessionId);
  if (!release) {
    showFatal(shell.main, t('fatal_other_tab'));
    const off = onLangChange(() => showFatal(shell.main, t('fatal_other_tab')));
    return off;
  }

  let kv: Kv;
  try {
    kv = await openKv();
  } catch {
    release();
    showFatal(shell.main, t('fatal_storage'));
    const off = onLangChange(() => showFatal(shell.main, t('fatal_storage')));
    return off;
  }
  // Ask the browser not to evict this tablet's storage under pressure: it holds the token.
  void navigator.storage?.persist?.().catch(() => false);

  const builder = workerBallotBuilder();
  const code = params.get('code');
  const controller = new TabletController({
    sessionId,
    store: new TabletStore(kv, sessionId),
    rng: () => systemRng,
    genesis: () => fetchGenesisLine(sessionId),
    checkInHello: (fields) => sendCheckInHello(fields),
    openSocket: (opts) => new ReconnectingSocket(opts),
    castBallot: (body) => apiPost(`/api/sessions/${sessionId}/ballots`, body, { credentials: 'omit' }),
    buildBallot: builder.build,
    newVerifier: () => new ChainVerifier({ checkProofs: false }),
    newProofVerifier: () => new VerifierClient({ workers: proofWorkers() }),
    memberHint: params.get('member'),
    dropCode: () => {
      // The printed code leaves the address (and the history) once the device secret is held.
      const keep: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(location.hash.split('?')[1] ?? '')) if (k !== 'code') keep[k] = v;
      history.replaceState(history.state, '', routeHref('tablet', keep));
    },
  });

  const screen = new TabletScreen(controller);
  replace(shell.main, screen.root);
  let last: TabletView | null = null;
  const paint = (v: TabletView) => {
    last = v;
    shell.setTitle(screen.title(v));
    shell.setConnection(v.connection);
    shell.setWarning(v.noScrutineers ? tc('no_scrutineers') : null);
    screen.render(v);
    if (v.phase === 'fatal' && v.fatal) document.title = `${text(v.fatal)} · ${tc('app_name')}`;
  };
  const unsubscribe = controller.subscribe(paint);
  const offLang = onLangChange(() => {
    if (last) paint(last);
  });
  void controller.start(code);

  return () => {
    offLang();
    unsubscribe();
    controller.stop();
    builder.terminate();
    release();
  };
};
