// The sessions a CDP client may reach through the proxy (this host's browsers and the mirrors of remote ones), and
// those a live view may watch.
import { checkToken, assertUsable } from '../../browsers/browser-access.js';
import type { CdpSessions } from '../../browsers/cdp-proxy.js';
import type { LiveViewResolve } from '../../browsers/live-view-server.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { SessionCore } from '../../sessions/session-core.js';
import type { RemoteProvider } from '../remote/remote-provider.js';
import type { BrowserProvider } from './browser-provider.js';
import type { BrowserRecord } from './browser-record.js';

export function cdpSessions(core: SessionCore, browsers: BrowserProvider, remote: RemoteProvider | null): CdpSessions {
  const of = (s: BrowserRecord) => (s.host && remote ? remote.browsers : browsers);
  return {
    resolve(id, account, token) {
      let s: BrowserRecord;
      if (account === null) {
        // On the CDP listener the session's own token stands in for the account.
        const found = core.get(id);
        checkToken(found?.kind === 'browser' ? (found as BrowserRecord) : undefined, token);
        s = found as BrowserRecord;
      } else s = core.find(account, id, 'browser') as BrowserRecord;
      const connection = s.state === 'ready' || s.state === 'active' ? (s.host && remote ? remote.browsers.connection(id) : browsers.connection(id)) : null;
      assertUsable(s, connection !== null);
      return { account: s.account, connection: connection! };
    },
    clientConnected(id, close) {
      const s = core.get(id) as BrowserRecord | undefined;
      return s ? of(s).clientConnected(id, close) : (close(4000, 'session is not usable'), () => {});
    },
    end: (account, id) => core.end(account, id, 'browser'),
  };
}

/** The browsers a live view may watch: a session of the account's on this host, ready or active. */
export function liveViewSessions(core: SessionCore, browsers: BrowserProvider): LiveViewResolve {
  return (id, account) => {
    const s = core.find(account, id, 'browser') as BrowserRecord;
    if (s.host) throw new ApiError('session_conflict', `Browser session ${id} runs on the remote host ${s.host}: watch it live on that host's dashboard.`);
    const connection = s.state === 'ready' || s.state === 'active' ? browsers.connection(id) : null;
    assertUsable(s, connection !== null);
    // A browser on a joined host is watched over its link, while the link is up.
    if (connection instanceof Promise) throw new ApiError('session_conflict', `Browser session ${id} is reconnecting to its host; watch it again in a moment.`);
    return connection!;
  };
}
