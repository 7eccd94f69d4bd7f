// The Idempotency-Key a create sends (session, sandbox, browser): the caller's --idempotency-key, so that a script can
// retry a create whose answer it never saw, or a fresh one, so that the CLI's own retry cannot make two sessions.
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { HEADERS } from '../../transport/protocol/headers.js';

/** The option as every create command declares it (`.option(...IDEMPOTENCY_KEY_OPTION)`). */
export const IDEMPOTENCY_KEY_OPTION = [
  '--idempotency-key <key>',
  'make the create safe to retry: the same KEY with the same flags returns the session it made (other flags: exit 5)',
] as const;

/** The daemon takes 1 to 255 characters; visible ASCII only, since a header carries nothing else intact. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** `--idempotency-key KEY`, refused (exit 2, the value quoted) where the daemon or HTTP would refuse or change it. */
export function parseIdempotencyKey(text: string | undefined): string | undefined {
  if (text === undefined || KEY.test(text)) return text;
  throw new UserError(`--idempotency-key must be 1 to 255 visible ASCII characters (no spaces); got '${text.slice(0, 80)}'.`, {
    exit: EXIT.usage,
    code: 'usage',
    next: 'Use something like a CI job id or a UUID: --idempotency-key "$CI_JOB_ID-sandbox".',
  });
}

/** The header for a create; the global crypto, so that loading this costs no module. */
export function idempotencyHeader(key: string | undefined): Record<string, string> {
  return { [HEADERS.idempotencyKey]: key ?? crypto.randomUUID() };
}
