import { describe, expect, it } from 'vitest';
import { chromiumArgs, exitReason } from '../../../src/daemon/browsers/launcher.js';

describe('chromiumArgs', () => {
  it('is headless, pipe-only, with a fresh profile; no sandbox only as root', () => {
    const args = chromiumArgs('/s/run/ses_1', false);
    expect(args).toEqual(expect.arrayContaining(['--headless', '--remote-debugging-pipe', '--user-data-dir=/s/run/ses_1']));
    expect(args.some((a) => a.startsWith('--remote-debugging-port'))).toBe(false);
    expect(args).not.toContain('--no-sandbox');
    expect(chromiumArgs('/p', true)).toContain('--no-sandbox');
    expect(args.at(-1)).toBe('about:blank');
  });
});

describe('exitReason', () => {
  it('names the signal or code and the last line that explains something', () => {
    const stderr = [
      '[1:2:1122/085257.710559:ERROR:dbus/bus.cc:405] Failed to connect to the bus',
      '[1:2:1122/090753.668184:FATAL:content/browser/x.cc:12] Check failed: shm too small',
      '[1:2:1122/090753.668184:ERROR:third_party/crashpad/crashpad/util/file/file_io_posix.cc:145] open /sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq: No such file',
      '',
    ].join('\n');
    expect(exitReason({ code: null, signal: 'SIGTRAP' }, stderr)).toBe('Chromium was killed by SIGTRAP: Check failed: shm too small');
    expect(exitReason({ code: 1, signal: null }, '')).toBe('Chromium exited with code 1');
    expect(exitReason({ code: null, signal: null }, 'spawn /x ENOENT')).toBe('Chromium could not be started: spawn /x ENOENT');
  });
});
