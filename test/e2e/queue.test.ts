import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/transport/protocol/api.js';
import { DaemonClient } from '../../src/cli/client/daemon-client.js';
import { subscribeEvents } from '../../src/cli/client/events.js';
import { assertBuilt, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
beforeEach(async () => {
  home = new Home();
  // One board, two sessions allowed: the second create has to queue for the board.
  await home.json('config', 'set', 'virtual_boards', '1');
  await home.json('config', 'set', 'tiers.local.max_concurrent', '2');
});
afterEach(() => home.cleanup());

describe('fbay session create --wait', () => {
  it('exits 8 when no board frees up in time', async () => {
    await home.json<Session>('session', 'create', '--board', 'virtual');
    const r = await home.fbay('session', 'create', '--board', 'virtual', '--wait', '1s');
    expect(r.exitCode).toBe(8);
    expect(r.stderr).toContain('allocation_failed');
  });

  it('waits for the board and prints the session once it is idle', async () => {
    const first = await home.json<Session>('session', 'create', '--board', 'virtual');
    // Watch the daemon's events the way `fbay session wait` does, to end the first session once the second queues.
    const events = await subscribeEvents(new DaemonClient({ socketPath: `${home.dir}/fbayd.sock` }));
    const queuedUp = new Promise<void>((resolve) =>
      events.onEvent((e) => {
        if (e.type === 'state' && 'state' in e.session && e.session.state === 'pending') resolve();
      }),
    );
    const queued = home.start('--json', 'session', 'create', '--board', 'virtual', '--wait', '20s');
    await queuedUp;
    events.close();
    await home.json('session', 'end', first.id);
    const r = await queued;
    expect(r.exitCode).toBe(0);
    const second = JSON.parse(String(r.stdout)) as Session;
    expect(second).toMatchObject({ state: 'idle', board_id: first.board_id });
  });
});
