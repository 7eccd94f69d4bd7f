import { describe, expect, it } from 'vitest';
import { parseReadyLine } from '../../../src/cli/client/spawn-daemon.js';

// Spawning itself (ready, already-running, early exit, timeout, log tail) is tested through ensure-daemon.test.ts.
describe('parseReadyLine', () => {
  it('reads the ready and already-running lines and nothing else', () => {
    expect(parseReadyLine('ready pid=12 socket=/tmp/a b/fbayd.sock')).toEqual({ alreadyRunning: false, pid: 12, socket: '/tmp/a b/fbayd.sock' });
    expect(parseReadyLine('already-running pid=3 socket=/s\n')).toEqual({ alreadyRunning: true, pid: 3, socket: '/s' });
    expect(parseReadyLine('starting pid=3')).toBeNull();
  });
});
