// HTTP calls to pingyi-server (docs/PROTOCOL.md §4). Same origin as the page, so no CORS.

import { ApiError, isErrorBody } from './errors';

export interface RequestOptions {
  adminToken?: string;
  /** Aborts the request after this long (default 30 s). */
  timeoutMs?: number;
  /** `omit` for the anonymous ballot: no cookie, no credential of any kind. */
  credentials?: RequestCredentials;
}

async function call(method: string, path: string, body: unknown, opts: RequestOptions): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.adminToken) headers.Authorization = `Bearer ${opts.adminToken}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 30000);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      credentials: opts.credentials ?? 'same-origin',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError('NETWORK', e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(timer);
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    throw new ApiError(response.ok ? 'BAD_REQUEST' : 'INTERNAL', `HTTP ${response.status}: not a JSON answer`, response.status);
  }
  if (isErrorBody(parsed)) throw new ApiError(parsed.error.code, parsed.error.message, response.status);
  if (!response.ok || !parsed || typeof parsed !== 'object') {
    throw new ApiError('INTERNAL', `HTTP ${response.status}`, response.status);
  }
  return parsed as Record<string, unknown>;
}

export function apiGet(path: string, opts: RequestOptions = {}): Promise<Record<string, unknown>> {
  return call('GET', path, undefined, opts);
}

export function apiPost(path: string, body: unknown, opts: RequestOptions = {}): Promise<Record<string, unknown>> {
  return call('POST', path, body, opts);
}

/** The chain as JSON Lines from seq `from`: each line exactly as hashed. */
export async function fetchChain(session: string, from = 0): Promise<string[]> {
  let response: Response;
  try {
    response = await fetch(`/api/sessions/${session}/chain?from=${from}`, { cache: 'no-store' });
  } catch (e) {
    throw new ApiError('NETWORK', e instanceof Error ? e.message : String(e));
  }
  const text = await response.text();
  if (!response.ok) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isErrorBody(parsed)) throw new ApiError(parsed.error.code, parsed.error.message, response.status);
    } catch (e) {
      if (e instanceof ApiError) throw e;
    }
    throw new ApiError('INTERNAL', `HTTP ${response.status}`, response.status);
  }
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface SessionSummary {
  session: string;
  title: string;
  committee: string;
  date: string;
  length: number;
}

export async function listSessions(): Promise<SessionSummary[]> {
  const reply = await apiGet('/api/sessions');
  const sessions = reply.sessions;
  if (!Array.isArray(sessions)) throw new ApiError('INTERNAL', 'sessions: missing');
  return sessions as SessionSummary[];
}

/** ws:// or wss:// on this page's host. */
export function wsUrl(path: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
