// Stable API error codes, their HTTP statuses and the CLI exit code each maps to (DESIGN.md §4, §6).
import { EXIT, type ExitCode } from '../../shared/exit-codes.js';

export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  session_conflict: 409,
  flash_in_progress: 409,
  session_expired: 410,
  payload_too_large: 413,
  idempotency_mismatch: 422,
  concurrency_limit: 429,
  quota_exceeded: 429,
  rate_limited: 429,
  internal_error: 500,
  upstream_unavailable: 502,
  /** A board's power command failed on its host (its exit code and output are in the sentence). */
  power_failed: 502,
  no_board_available: 503,
  isolation_unavailable: 503,
  store_unavailable: 503,
  version_mismatch: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export { EXIT, type ExitCode } from '../../shared/exit-codes.js';

const EXIT_BY_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  invalid_request: EXIT.usage,
  payload_too_large: EXIT.usage,
  not_found: EXIT.not_found,
  session_conflict: EXIT.conflict,
  idempotency_mismatch: EXIT.conflict,
  payment_required: EXIT.payment,
  concurrency_limit: EXIT.limit,
  quota_exceeded: EXIT.limit,
  rate_limited: EXIT.limit,
  no_board_available: EXIT.conflict,
  flash_in_progress: EXIT.conflict,
  session_expired: EXIT.not_found,
  isolation_unavailable: EXIT.isolation_unavailable,
  upstream_unavailable: EXIT.daemon_unavailable,
  store_unavailable: EXIT.daemon_unavailable,
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
