// GET /v1/hosts (owner only): the board hosts joined to this coordinator, and this daemon's own join if it has one.
import type { HostList, HostStatus, JoinStatus } from '../../transport/protocol/api.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import type { Route } from '../http/router.js';
import { ownerOnly } from './admin.js';

export interface HostViews {
  /** The joined hosts' rows: from the host registry here; a shared store can build the same rows from its tables. */
  hostsStatus(): HostStatus[];
  join(): JoinStatus | null;
}

export function hostRoutes(views: HostViews): Route[] {
  return [
    {
      method: 'GET',
      path: ROUTES.hosts,
      summary: "The board hosts joined to this coordinator (name, boards, version, last heartbeat, link), and this daemon's own join (owner only).",
      handler: (r) => {
        ownerOnly(r.account, "Only the coordinator's owner sees its hosts.");
        const body: HostList = { hosts: views.hostsStatus(), join: views.join() };
        return { status: 200, body };
      },
    },
  ];
}
