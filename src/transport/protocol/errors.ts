// Stable API error codes, their HTTP statuses and the CLI exit code each maps to (DESIGN.md §4, §6).

export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  session_conflict: 409,
  payload_too_large: 413,
  idempotency_mismatch: 422,
  concurrency_limit: 429,
  quota_exceeded: 429,
  rate_limited: 429,
  internal_error: 500,
  upstream_unavailable: 502,
  no_board_available: 503,
  version_mismatch: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  daemon_unavailable: 3,
  not_found: 4,
  conflict: 5,
  payment: 6,
  limit: 7,
  timeout: 8,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const EXIT_BY_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  invalid_request: EXIT.usage,
  not_found: EXIT.not_found,
  session_conflict: EXIT.conflict,
  idempotency_mismatch: EXIT.conflict,
  payment_required: EXIT.payment,
  concurrency_limit: EXIT.limit,
  quota_exceeded: EXIT.limit,
  rate_limited: EXIT.limit,
  no_board_available: EXIT.conflict,
  upstream_unavailable: EXIT.daemon_unavailable,
};

export function exitCodeFor(code: string): ExitCode {
  return EXIT_BY_CODE[code as ErrorCode] ?? EXIT.error;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}

/** An error the API reports to its caller: a status, a stable code and a sentence a person can act on. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  toBody(): { error: string; code: string } & Record<string, unknown> {
    return { error: this.message, code: this.code, ...this.extra };
  }
}
