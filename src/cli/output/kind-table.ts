// `session list [--kind K]`: each kind's sessions in that kind's own table, since a sandbox or a browser session
// has no board to show and a board session has no url.
import type { Session, SessionKindName } from '../../transport/protocol/api.js';
import type { BrowserSession } from '../../transport/protocol/browser-api.js';
import type { SandboxSession } from '../../transport/protocol/sandbox-api.js';
import { browserSessionsTable } from './browser-view.js';
import { sandboxTable } from './sandbox-view.js';
import { sessionTable } from './session-view.js';

/** `sessions` as `GET /v1/sessions?kind=` answers for `kind`: each kind in its API shape. */
export function kindTable(kind: SessionKindName, sessions: readonly unknown[], all: boolean, now = Date.now()): string {
  switch (kind) {
    case 'sandbox':
      return sandboxTable(sessions as SandboxSession[], all, now);
    case 'browser':
      return browserSessionsTable(sessions as BrowserSession[], all, now);
    case 'board':
      if (sessions.length > 0) return sessionTable(sessions as Session[], now);
      return all ? 'No sessions.\n' : 'No live sessions.\n';
  }
}
