// Where a coordinator's browser may run: the joined hosts' slots first (in turn across hosts), then its own while it
// can launch what the session asks for; a session with a profile stays where its profile is.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/transport/protocol/errors.js';
import { BrowserProvider } from '../../../../src/daemon/providers/browser/browser-provider.js';
import { joinedHostOf, joinedSlot } from '../../../../src/daemon/providers/browser/joined-browsers.js';
import type { BrowserHost } from '../../../../src/daemon/browsers/browser-host.js';
import type { RemoteClient } from '../../../../src/daemon/remote/remote-client.js';
import { limitsOf } from '../../../../src/daemon/sessions/tiers.js';
import { DEFAULT_BROWSER_PLANS, DEFAULT_SANDBOX_PLANS, DEFAULT_TIERS } from '../../../../src/shared/config/defaults.js';

function provider(o: { chromium: boolean; offers: Array<{ host: string; browsers: number }> }): BrowserProvider {
  const host = {
    check: () => {
      if (!o.chromium) throw new ApiError('browser_unavailable' as never, 'No Chromium here: install it with `apt install chromium`.');
    },
  } as unknown as BrowserHost;
  const joined = { offers: () => o.offers, client: () => ({}) as RemoteClient, graceMs: () => 30_000 };
  return new BrowserProvider({ host, capacity: () => 2, joined, now: () => 0, log: () => undefined });
}

const admission = (request: Record<string, unknown> = {}) => ({
  account: 'alice',
  request,
  limits: limitsOf({ tiers: DEFAULT_TIERS, browserPlans: DEFAULT_BROWSER_PLANS, sandboxPlans: DEFAULT_SANDBOX_PLANS }, 'pro'),
  now: 0,
  idempotencyKey: null,
});

describe("a coordinator's browser slots", () => {
  it("are the joined hosts' first, a slot of each host in turn, then its own", () => {
    const p = provider({ chromium: true, offers: [{ host: 'lab1', browsers: 2 }, { host: 'lab2', browsers: 1 }] });
    expect(p.admit(admission()).resources).toEqual([joinedSlot('lab1', 1), joinedSlot('lab2', 1), joinedSlot('lab1', 2), 'browser-slot-1', 'browser-slot-2']);
  });

  it('are the joined hosts\' only when this host cannot launch the session; none at all refuses it with this host\'s reason', () => {
    expect(provider({ chromium: false, offers: [{ host: 'lab1', browsers: 1 }] }).admit(admission()).resources).toEqual([joinedSlot('lab1', 1)]);
    expect(() => provider({ chromium: false, offers: [] }).admit(admission())).toThrow(/No Chromium here/);
  });

  it('for a session with a profile are only its own (profiles live on the coordinator)', () => {
    expect(provider({ chromium: true, offers: [{ host: 'lab1', browsers: 4 }] }).admit(admission({ profile: 'shop' })).resources).toEqual(['browser-slot-1', 'browser-slot-2']);
    expect(() => provider({ chromium: false, offers: [{ host: 'lab1', browsers: 4 }] }).admit(admission({ profile: 'shop' }))).toThrow(/No Chromium here/);
  });

  it('name their host, with or without a coordinator in front; this host\'s own name none', () => {
    expect(joinedHostOf('coord-a/joined/lab1/browser-slot-3')).toBe('lab1');
    expect(joinedHostOf(joinedSlot('lab.2', 1))).toBe('lab.2');
    expect(joinedHostOf('coord-a/browser-slot-1')).toBeNull();
    expect(joinedHostOf('browser-slot-1')).toBeNull();
    expect(joinedHostOf(null)).toBeNull();
  });
});
