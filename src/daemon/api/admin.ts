// Owner-only daemon control: stop (optionally keeping sessions for a restart) and config reload.
import { ApiError } from '../../transport/protocol/errors.js';
import { readJson } from '../http/body.js';
import type { Route } from '../http/router.js';
import { LOCAL_ACCOUNT } from '../engine/session-engine.js';

export interface AdminActions {
  stop(keepSessions: boolean): void;
  reload(changed: string[]): void;
}

function ownerOnly(account: string): void {
  if (account !== LOCAL_ACCOUNT) throw new ApiError('forbidden', 'Only the machine owner (over the Unix socket) can do this.');
}

export function adminRoutes(actions: AdminActions): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/daemon/stop',
      handler: async (r) => {
        ownerOnly(r.account);
        const body = (await readJson(r.req)) as { keep_sessions?: unknown };
        if (body.keep_sessions !== undefined && typeof body.keep_sessions !== 'boolean') {
          throw new ApiError('invalid_request', `keep_sessions must be true or false; got ${JSON.stringify(body.keep_sessions)}.`);
        }
        // Answer first, then stop: the CLI waits for the socket to go quiet.
        r.res.once('finish', () => actions.stop(body.keep_sessions === true));
        return { status: 202, body: { stopping: true, keep_sessions: body.keep_sessions === true } };
      },
    },
    {
      method: 'POST',
      path: '/v1/config/reload',
      handler: async (r) => {
        ownerOnly(r.account);
        const body = (await readJson(r.req)) as { changed?: unknown };
        const changed = body.changed ?? [];
        if (!Array.isArray(changed) || !changed.every((k) => typeof k === 'string')) {
          throw new ApiError('invalid_request', 'changed must be a list of config keys.');
        }
        actions.reload(changed as string[]);
        return { status: 204 };
      },
    },
  ];
}
