// The TUI on a manual clock: its countdowns and repaints are timers of the injected clock, and move only with it.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { runTui } from '../../../src/cli/console/tui.js';
import { startFakeSerialDaemon, type FakeSerialDaemon } from '../helpers/fake-serial-daemon.js';
import { FakeTerminal } from './fake-terminal.js';

const QUIT = '\x1d';
let fake: FakeSerialDaemon | null = null;
afterEach(async () => {
  await fake?.close().catch(() => undefined);
  fake = null;
});

describe('the console TUI and its clock', () => {
  it('runs its timers on the injected clock: the elapsed time and the idle countdown move only when it does', async () => {
    fake = await startFakeSerialDaemon({ state: 'active', idle_deadline: null, started_at: new Date(0).toISOString() });
    let now = 0;
    const timers: Array<{ at: number; fn: () => void }> = [];
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        const t = { at: now + ms, fn, unref: () => t };
        timers.push(t);
        return t;
      },
      clearTimeout: (t: unknown) => {
        const i = timers.indexOf(t as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const advance = (ms: number) => {
      now += ms;
      for (let due = timers.filter((t) => t.at <= now); due.length > 0; due = timers.filter((t) => t.at <= now)) {
        for (const t of due) {
          timers.splice(timers.indexOf(t), 1);
          t.fn();
        }
      }
    };
    const terminal = new FakeTerminal(160, 20);
    const server = fake.nextClient();
    const running = runTui({ terminal, client: new DaemonClient({ socketPath: join(fake.home, 'fbayd.sock') }), session: fake.session, since: 0, paintEveryMs: 0, clock,
      // The link's heartbeat runs on the same clock; jumping minutes would (rightly) call the line dead.
      link: { pingIntervalMs: 3_600_000, deadAfterMs: 7_200_000 } });
    const side = await server;
    await terminal.until(() => terminal.status.includes('● active │ 0s'));
    advance(90_000);
    expect(terminal.status).toContain('● active │ 1m30s');
    side.control({ type: 'state', ...fake.session, state: 'idle', idle_deadline: new Date(now + 30_000).toISOString() });
    // The repaint is a timer too: it fires when the clock is told to move (by 0 ms here).
    await vi.waitFor(() => {
      advance(0);
      expect(terminal.status).toContain('● idle · ends in 30s');
    });
    advance(10_000);
    expect(terminal.status).toContain('● idle · ends in 20s');
    terminal.type(QUIT);
    await running;
  });
});
