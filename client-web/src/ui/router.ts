// Hash routes (docs/PROTOCOL.md §9): `#/page?key=value&…`. The part after `#` never reaches the
// server, its logs or a proxy, so session ids and check-in codes stay in the browser.

export interface Route {
  page: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const query = q < 0 ? '' : body.slice(q + 1);
  const page = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return { page, params: new URLSearchParams(query) };
}

export function routeHref(page: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params).toString();
  return `#/${page}${query ? `?${query}` : ''}`;
}

/** The absolute URL of a route on this server (for QR codes and printed cards). */
export function absoluteRouteUrl(page: string, params: Record<string, string> = {}): string {
  const base = `${location.origin}${location.pathname}`;
  return `${base}${routeHref(page, params)}`;
}
