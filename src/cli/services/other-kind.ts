// An id given to a command of the other kind (a browser session's id to `session show`, a board session's to
// `browser show`): when the daemon says "not found", the other list is asked, and the error says which command fits.
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';

export type SessionKind = 'board' | 'browser';

const SHOW: Record<SessionKind, string> = { board: 'fbay session show', browser: 'fbay browser show' };
const WORDS: Record<SessionKind, string> = { board: 'a board session', browser: 'a browser session' };

/** The error that `id` is a session of the other kind, with the command to use. */
export function wrongKind(id: string, is: SessionKind, wanted: SessionKind): UserError {
  const more = is === 'browser' ? '`fbay browser end`' : '`fbay serial cat`, `fbay console`, `fbay session end`';
  return new UserError(`${id} is ${WORDS[is]}, not ${WORDS[wanted]}.`, {
    exit: EXIT.not_found,
    code: 'wrong_kind',
    next: `Use \`${SHOW[is]} ${id}\` (and ${more}) for it.`,
  });
}

/** `err` as it came, unless it is a not-found for an id that the other kind's list has. */
export async function notFoundAsOtherKind(client: DaemonClient, id: string, wanted: SessionKind, err: unknown): Promise<unknown> {
  if (!(err instanceof UserError) || err.exit !== EXIT.not_found || err.code === 'wrong_kind' || !/^ses_/.test(id)) return err;
  const other: SessionKind = wanted === 'board' ? 'browser' : 'board';
  const path = other === 'browser' ? `/v1/browsers?id=${encodeURIComponent(id)}` : `/v1/sessions/${encodeURIComponent(id)}`;
  const found = await client.get<{ id?: string; kind?: string }>(path).catch(() => null);
  if (found?.id !== id || (found.kind !== undefined && found.kind !== other)) return err;
  return wrongKind(id, other, wanted);
}
