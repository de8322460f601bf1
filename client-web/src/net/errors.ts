// The one error type of every network call: the server's `{code, message}` (docs/PROTOCOL.md
// §7), or NETWORK when no answer came. Pages act on `code` and show `message`.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the request may be sent again unchanged: nothing was decided by the server. */
  get retryable(): boolean {
    return this.code === 'NETWORK' || this.code === 'RATE_LIMITED' || this.status === 503;
  }
}

interface ErrorBody {
  ok: false;
  error: { code: string; message: string };
}

export function isErrorBody(v: unknown): v is ErrorBody {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  if (o.ok !== false || !o.error || typeof o.error !== 'object') return false;
  const e = o.error as Record<string, unknown>;
  return typeof e.code === 'string' && typeof e.message === 'string';
}
