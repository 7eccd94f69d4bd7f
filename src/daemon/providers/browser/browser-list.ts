// GET /v1/browsers without an id: an account's browser sessions, its plan's usage, and the host's capacity.
import type { BrowserList, BrowserSession } from '../../../transport/protocol/browser-api.js';
import type { SessionCore } from '../../sessions/session-core.js';
import { planUsage } from './browser-limits.js';
import { holdsBrowser, type BrowserRecord } from './browser-record.js';

export interface HostFigures {
  /** Browsers this host runs at once (`browsers.max_concurrent`). */
  maxConcurrent: number;
  /** Warm browsers waiting for a session. */
  warm: number;
}

/** `host`: only the mirrors of that remote (null: only this host's); undefined: every session. */
export function browserList(core: SessionCore, account: string, all: boolean, host: string | null | undefined, figures: HostFigures): BrowserList {
  const now = core.now();
  const mine = core.list(account, { kind: 'browser', all }) as BrowserRecord[];
  const shown = host === undefined ? mine : mine.filter((s) => s.host === host);
  const running = core.liveOfKind('browser').filter((s) => holdsBrowser((s as BrowserRecord).state)).length;
  return {
    browsers: shown.map((s) => core.view(s) as BrowserSession),
    plan: planUsage(core.accounts.limits(account).browser, core.quotaUsed(account, core.kind('browser'), now), now),
    host: { maxConcurrent: figures.maxConcurrent, running, queued: core.queued('browser'), warm: figures.warm },
  };
}
