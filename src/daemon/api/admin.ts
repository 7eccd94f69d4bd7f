// Owner-only daemon control: stop (optionally keeping sessions for a restart) and config reload.
import { ApiError } from '../../transport/protocol/errors.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import { ReloadBody, StopBody } from '../../transport/protocol/schemas/admin.js';
import type { Route } from '../http/router.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';
import { body } from './request.js';

export interface AdminActions {
  stop(keepSessions: boolean): void;
  /** Rereads config.json; answers what it found wrong (the daemon keeps the last good values for those), and what the
   * change does to live sessions. */
  reload(changed: string[]): { problems: string[]; notices: string[] };
}

export function ownerOnly(account: string, what = 'Only the machine owner (over the Unix socket) can do this.'): void {
  if (account !== LOCAL_ACCOUNT) throw new ApiError('forbidden', what);
}

export function adminRoutes(actions: AdminActions): Route[] {
  return [
    {
      method: 'POST',
      path: ROUTES.daemonStop,
      summary: 'Stop the daemon (owner only); keep_sessions keeps live sessions for the next start.',
      body: StopBody,
      handler: async (r) => {
        ownerOnly(r.account);
        const keep = (await body(r, StopBody)).keep_sessions === true;
        // Answer first, then stop: the CLI waits for the socket to go quiet.
        r.res.once('finish', () => actions.stop(keep));
        return { status: 202, body: { stopping: true, keep_sessions: keep } };
      },
    },
    {
      method: 'POST',
      path: ROUTES.configReload,
      summary: 'Reread config.json (owner only).',
      body: ReloadBody,
      handler: async (r) => {
        ownerOnly(r.account);
        const { problems, notices } = actions.reload((await body(r, ReloadBody)).changed ?? []);
        return problems.length || notices.length ? { status: 200, body: { problems, notices } } : { status: 204 };
      },
    },
  ];
}
