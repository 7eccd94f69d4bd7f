import { describe, expect, it } from 'vitest';
import { accountView, boardsTable, configLines, configValue, healthView } from '../../../src/cli/output/views.js';
import { VERSION } from '../../../src/shared/version.js';

describe('views', () => {
  it('lists boards with their session', () => {
    const text = boardsTable([
      {
        id: 'virtual-1',
        type: 'virtual',
        name: 'virtual-1',
        state: 'reserved',
        rate_credits_per_min: 1,
        serial: { path: 'virtual:1', vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null },
        session_id: 'ses_x',
        host: null,
      },
    ]);
    expect(text.split('\n')[0]).toMatch(/^ID\s+TYPE\s+NAME\s+STATE\s+RATE\/MIN\s+SESSION\s+PATH$/);
    expect(text).toMatch(/virtual-1\s+virtual\s+virtual-1\s+reserved\s+1\s+ses_x\s+virtual:1/);
  });

  it("on a coordinator, adds which coordinator offers another's board, and its host", () => {
    const serial = { path: '', vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null };
    const text = boardsTable([
      { id: 'virtual-1', type: 'virtual', name: 'virtual-1', state: 'available', rate_credits_per_min: 1, serial: { ...serial, path: 'virtual:1' }, session_id: null, host: null },
      { id: 'lab1.virtual-1', type: 'virtual', name: 'lab1.virtual-1', state: 'reserved', rate_credits_per_min: 2, serial, session_id: null, host: 'lab1', coordinator: 'coord-a' },
      { id: 'virtual-1', type: 'virtual', name: 'virtual-1', state: 'available', rate_credits_per_min: 1, serial, session_id: null, host: null, coordinator: 'coord-a' },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^ID\s+COORDINATOR\s+HOST\s+TYPE/);
    expect(lines[1]).toMatch(/^virtual-1\s+-\s+local\s+virtual\s+virtual-1\s+available\s+1\s+-\s+virtual:1$/);
    expect(lines[2]).toMatch(/^lab1\.virtual-1\s+coord-a\s+lab1\s+virtual\s+lab1\.virtual-1\s+reserved\s+2\s+-\s+-$/);
    expect(lines[3]).toMatch(/^virtual-1\s+coord-a\s+-\s+virtual/);
  });

  it('shows an unmetered account and its limits', () => {
    const text = accountView({
      account: 'local',
      tier: 'local',
      balance_credits: null,
      credits_used_total: 3,
      limits: { max_concurrent: 1, max_session_s: 600, initial_credits: null },
      plans: { browser: { name: 'free', max_concurrent: 1, monthly_hours: 5 }, sandbox: { name: 'free', max_live: 10, max_ttl_s: 86_400, overrides: false } },
    });
    expect(text).toContain('balance   unmetered');
    expect(text).toContain('used      3 credits in total');
    expect(text).toContain('sessions  1 at a time, at most 10m each');
  });

  it('shows the daemon health, and a version mismatch with the fix', () => {
    const base = { pid: 42, uptime_s: 61.2, socket: '/tmp/s', listeners: ['unix:/tmp/s'] };
    expect(healthView({ ...base, version: VERSION })).toContain(`version    ${VERSION}\n`);
    expect(healthView({ ...base, version: VERSION })).toContain('uptime     1m1s');
    expect(healthView({ ...base, version: '0.0.1' })).toContain(`0.0.1 (this CLI is ${VERSION}: run \`fbay daemon restart\`)`);
  });

  it('prints config as key = value lines with dotted keys', () => {
    expect(configLines({ idle_timeout_s: 30, account: { tier: 'local', balance_credits: null }, tiers: {} })).toBe(
      'idle_timeout_s = 30\naccount.tier = local\naccount.balance_credits = none\ntiers = {}\n',
    );
    expect(configValue([1])).toBe('[1]');
  });
});
