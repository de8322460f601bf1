// The projector (#/projector?session=ID): what the hall sees — attendance, the live count of a
// round, the comparison code after close, and the revealed results — all of it from the chain as
// this computer's own verifier (VerifierClient, in Web Workers) accepted it. Public: no credential.

import { onLangChange } from '../../i18n/i18n';
import { tc } from '../../i18n/common';
import { ChainFeed, followChain, readRecordHeader } from '../../net/chain-feed';
import { listSessions } from '../../net/http';
import { h, replace } from '../../ui/dom';
import type { MountPage } from '../../ui/page';
import { absoluteRouteUrl } from '../../ui/router';
import { VerifierClient, type VerifierSnapshot } from '../../verify/client';
import { parseProgress, projectorView, type Progress } from './model';
import { tp } from './strings';
import { createProjectorScreen } from './view';
import './projector.css';

export const mount: MountPage = (ctx) => {
  ctx.shell.setTitle(tp('page_title'));
  const session = ctx.params.get('session') ?? '';
  if (!/^[0-9a-f]{64}$/.test(session)) {
    const show = () => {
      ctx.shell.setTitle(tp('page_title'));
      replace(ctx.shell.main, h('p', { class: 'error', role: 'alert' }, tp('bad_session')));
    };
    show();
    return onLangChange(show);
  }

  const feed = new ChainFeed();
  const verifier = new VerifierClient();
  const screen = createProjectorScreen(ctx.shell.main, absoluteRouteUrl('observer', { session }));
  let snapshot: VerifierSnapshot | null = null;
  let progress: Progress | null = null;
  let caughtUp = false;
  let scheduled = false;

  const paint = () => {
    scheduled = false;
    if (stopped) return;
    const view = projectorView(snapshot, progress, feed.next, caughtUp);
    ctx.shell.setWarning(view.noScrutineers ? tc('no_scrutineers') : null);
    const failure = view.failure;
    let failureType: string | null = null;
    if (failure) {
      failureType = snapshot?.recordTypes[failure.seq] ?? null;
      const line = feed.line(failure.seq);
      if (!failureType && line) failureType = readRecordHeader(line).type || null;
    }
    screen.paint(view, failureType);
  };
  // Updates come up to ten times a second; the wall changes at most once a frame.
  const request = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(paint);
  };

  const offUpdate = verifier.onUpdate((s) => {
    snapshot = s;
    request();
  });
  const stopFeed = followChain(session, feed, {
    onRecords: (records) => {
      verifier.push(records);
      request();
    },
    onPush: (message) => {
      const p = parseProgress(message);
      if (p) {
        progress = p;
        request();
      }
    },
    onState: (state) => ctx.shell.setConnection(state),
    onCaughtUp: () => {
      caughtUp = true;
      request();
    },
  });

  let stopped = false;
  listSessions()
    .then((sessions) => {
      if (stopped || sessions.some((s) => s.session === session)) return;
      stopped = true;
      stopFeed();
      offUpdate();
      clearInterval(ticker);
      replace(ctx.shell.main, h('p', { class: 'error', role: 'alert' }, tp('session_unknown')));
    })
    .catch(() => {
      // Only a check for a mistyped address; the feed reports the connection itself.
    });

  const ticker = setInterval(() => screen.tick(), 1000);
  const onResize = () => screen.refit();
  window.addEventListener('resize', onResize);
  const offLang = onLangChange(() => {
    ctx.shell.setTitle(tp('page_title'));
    paint();
  });
  paint();

  return () => {
    stopped = true;
    clearInterval(ticker);
    window.removeEventListener('resize', onResize);
    offLang();
    offUpdate();
    stopFeed();
    verifier.terminate();
    screen.destroy();
  };
};
