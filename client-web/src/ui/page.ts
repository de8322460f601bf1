import type { Shell } from './layout';

/** What the router gives a page: its frame and the route's parameters. */
export interface PageContext {
  shell: Shell;
  params: URLSearchParams;
}

/** A page mounts itself into `ctx.shell.main` and returns its clean-up (closing sockets,
 *  stopping workers and timers), called when the route changes. */
export type MountPage = (ctx: PageContext) => (() => void) | Promise<() => void>;
