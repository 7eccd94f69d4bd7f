import { describe, expect, it } from 'vitest';
import { createSandboxRequest, parsePort, urlForPort, wholeSeconds } from '../../../src/cli/services/sandboxes.js';
import { thrown } from '../../helpers/thrown.js';

const fail = thrown;

describe('createSandboxRequest', () => {
  it('is a sandbox body: the TTL in seconds, metadata, and limits only when asked', () => {
    expect(createSandboxRequest({})).toEqual({ kind: 'sandbox' });
    expect(createSandboxRequest({ ttl: '2h' }, { job: '1' })).toEqual({ kind: 'sandbox', ttl: 7200, metadata: { job: '1' } });
    expect(createSandboxRequest({ memory: '2048', cpu: '0.5', disk: '4096', execTimeout: '5m' })).toEqual({
      kind: 'sandbox',
      limits: { memory_mb: 2048, cpu: 0.5, disk_mb: 4096, exec_timeout_s: 300 },
    });
  });

  it("refuses a TTL that is not whole seconds of at least 1, and limits that are not positive numbers (exit 2); the plan's range is the daemon's", () => {
    const cases: [Parameters<typeof createSandboxRequest>[0], string][] = [
      [{ ttl: '0' }, "--ttl must be a whole number of seconds, at least 1s (like 90s, 30m or 24h); got '0'."],
      [{ ttl: '500ms' }, "--ttl must be a whole number of seconds, at least 1s (like 90s, 30m or 24h); got '500ms'."],
      [{ ttl: '-1h' }, "--ttl must be a duration like 500ms, 30s, 5m or 2h; got '-1h'."],
      [{ ttl: 'tomorrow' }, "--ttl must be a duration like 500ms, 30s, 5m or 2h; got 'tomorrow'."],
      [{ memory: '1.5' }, "--memory must be a whole number above 0; got '1.5'."],
      [{ memory: '0' }, "--memory must be a whole number above 0; got '0'."],
      [{ cpu: '-1' }, "--cpu must be a positive number; got '-1'."],
      [{ disk: 'lots' }, "--disk must be a whole number above 0; got 'lots'."],
    ];
    for (const [flags, message] of cases) expect(fail(() => createSandboxRequest(flags))).toMatchObject({ exit: 2, message });
    // Past the plan's maximum goes to the daemon, which names the plan.
    expect(createSandboxRequest({ ttl: '8760h' }).ttl).toBe(31_536_000);
    expect(wholeSeconds('90', '--ttl')).toBe(90);
  });
});

describe('urlForPort', () => {
  const url = 'http://ses-abc.localhost:4100/?fbay_token=t0k';
  it('is the url itself for 3000, and names another port in the host for the rest', () => {
    expect(urlForPort(url, undefined)).toBe(url);
    expect(urlForPort(url, 3000)).toBe(url);
    expect(urlForPort(url, 3001)).toBe('http://3001-ses-abc.localhost:4100/?fbay_token=t0k');
  });

  it('refuses a port out of range', () => {
    expect(parsePort('8080')).toBe(8080);
    for (const bad of ['0', '65536', 'web', '80.5']) expect(fail(() => parsePort(bad))).toMatchObject({ exit: 2 });
  });
});
