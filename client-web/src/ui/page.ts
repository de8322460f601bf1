import type { Shell } from './layout';

/** What the router gives a page: its frame and the route's parameters. */
export interface PageContext {
  shell: Shell;
  params: URLSearchParams;
}

/** A page mounts itself into `ctx.shell.main` and returns its clean-up (closing sockets,
 *  stopping workers and timers), called when the route changes. */
export type MountPage = (ctx: PageContext) => (() => void) | Promise<() => void>;

let leaveGuard: (() => string | null) | null = null;

/** While set, leaving the page inside the app (another `#/…` route) first asks the person with
 *  the guard's message; null from the guard means nothing would be lost. A page that holds
 *  something that cannot be fetched again (the one-time codes) sets it and clears it on
 *  clean-up. Reloads and closing the tab are the page's own `beforeunload`. */
export function setLeaveGuard(guard: (() => string | null) | null): void {
  leaveGuard = guard;
}

export function leaveMessage(): string | null {
  return leaveGuard?.() ?? null;
}
