// The grace a joined host gets, to the millisecond on a manual clock: back within it, its sessions carry on; past it
// they end with host_lost at its last heartbeat; after the coordinator's own restart the grace starts at the restart.
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { FileHostStore } from '../../../src/daemon/hosts/file-host-store.js';
import type { HostLink } from '../../../src/daemon/hosts/host-link.js';
import { JoinedHosts } from '../../../src/daemon/hosts/joined-hosts.js';
import { ManualClock } from '../browsers/manual-clock.js';

const GRACE_MS = 30_000;
const board = { id: 'virtual-1', type: 'virtual', name: 'virtual-1', rate_credits_per_min: 1, online: true, held: false, serial: { path: 'virtual:1', vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null } };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A host's connection as the registry sees it: it answers every open, and the test says when it was last heard. */
class FakeLink extends EventEmitter {
  open = true;
  heardAt: number;
  readonly channels = new Set<number>();
  private next = 1;
  readonly requests: Array<{ op: string }> = [];
  constructor(
    readonly host: string,
    clock: ManualClock,
  ) {
    super();
    this.heardAt = clock.now();
  }
  channel() {
    this.channels.add(this.next);
    return this.next++;
  }
  async request(body: { op: string }) {
    this.requests.push(body);
    return { op: 'reply', id: 1, ok: true, offset: 0, input: 0 };
  }
  send() {}
  close() {
    this.drop();
  }
  drop() {
    this.open = false;
    this.emit('closed', 'cut');
  }
}

const settle = () => new Promise((r) => setImmediate(r));

function registry(dir = mkdtempSync('/tmp/fbay-jh-'), clock = new ManualClock()) {
  dirs.push(dir);
  const joined = new JoinedHosts({ store: new FileHostStore({ stateDir: dir, clock, inUse: () => false, log: () => undefined }), clock, graceS: () => GRACE_MS / 1000, localBoard: () => false, log: () => undefined });
  const events: Array<[string, ...unknown[]]> = [];
  joined.on('link', (id, link) => events.push(['link', id, link.state, link.deadline]));
  joined.on('end', (id, reason, at) => events.push(['end', id, reason, at]));
  return { joined, clock, events, dir };
}

async function join(r: ReturnType<typeof registry>, sessions: string[] = []): Promise<FakeLink> {
  const link = new FakeLink('lab1', r.clock);
  r.joined.accept(link as unknown as HostLink);
  link.emit('hello', { op: 'hello', version: 'test', boards: [board], sessions });
  await settle();
  return link;
}

describe('a joined host that drops', () => {
  it('ends its sessions with host_lost at its last heartbeat, exactly when its grace (from that heartbeat) runs out', async () => {
    const r = registry();
    const link = await join(r);
    await r.joined.open('lab1.virtual-1', { session: 'ses_1', offset: 0 });
    r.clock.advance(5000);
    const heard = r.clock.now();
    link.heardAt = heard;
    r.clock.advance(4000); // silent: the drop is noticed later than the host went quiet
    link.drop();
    expect(r.events).toEqual([['link', 'ses_1', 'reconnecting', heard + GRACE_MS]]);
    expect(r.joined.status()[0]).toMatchObject({ link: 'reconnecting', last_heartbeat_at: new Date(heard).toISOString() });
    r.clock.advance(heard + GRACE_MS - r.clock.now() - 1);
    expect(r.events).toHaveLength(1);
    r.clock.advance(1);
    expect(r.events[1]).toEqual(['end', 'ses_1', 'host_lost', heard]);
  });

  it('back within its grace keeps them: the channel opens again from the same offset, and nothing ends', async () => {
    const r = registry();
    const first = await join(r);
    await r.joined.open('lab1.virtual-1', { session: 'ses_1', offset: 0 });
    first.drop();
    r.clock.advance(GRACE_MS - 1000);
    const second = await join(r, ['ses_1']);
    expect(second.requests).toEqual([expect.objectContaining({ op: 'open', session: 'ses_1', since: 0, board: 'virtual-1' })]);
    expect(r.events.at(-1)).toEqual(['link', 'ses_1', 'open', null]);
    r.clock.advance(2 * GRACE_MS);
    expect(r.events.filter((e) => e[0] === 'end')).toEqual([]);
    expect(r.joined.status()[0]).toMatchObject({ link: 'open', sessions: 1 });
  });

  it("after the coordinator's restart gives an absent host its grace from the restart, and bills to the heartbeat it kept", async () => {
    const before = registry();
    const link = await join(before);
    const heard = before.clock.now();
    link.heardAt = heard;
    link.drop();
    await settle();
    before.clock.advance(10 * GRACE_MS); // the coordinator was down for a long while
    const after = registry(before.dir, before.clock);
    await after.joined.load();
    const restartedAt = after.clock.now();
    await after.joined.open('lab1.virtual-1', { session: 'ses_1', offset: 0 });
    expect(after.events).toEqual([['link', 'ses_1', 'reconnecting', restartedAt + GRACE_MS]]);
    after.clock.advance(GRACE_MS);
    expect(after.events[1]).toEqual(['end', 'ses_1', 'host_lost', heard]);
  });
});
