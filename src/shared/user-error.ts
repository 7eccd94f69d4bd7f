// The error taxonomy (STYLE.md §8): a UserError is something the user can fix; anything else is a bug.
import { EXIT, type ExitCode } from './exit-codes.js';

export interface UserErrorOptions {
  /** What to do next, as a sentence or a command to run. */
  next?: string;
  exit?: ExitCode;
  code?: string;
  cause?: unknown;
}

export class UserError extends Error {
  readonly next: string | undefined;
  readonly exit: ExitCode;
  readonly code: string;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.next = options.next;
    this.exit = options.exit ?? EXIT.error;
    this.code = options.code ?? 'error';
  }
}
