import { describe, expect, it } from 'vitest';
import { parsePort, whyNotOpen } from '../../../src/cli/services/ui.js';

describe('whyNotOpen', () => {
  it('opens a browser only on a display, not over SSH, not in CI', () => {
    expect(whyNotOpen({ DISPLAY: ':0' })).toBeNull();
    expect(whyNotOpen({ WAYLAND_DISPLAY: 'wayland-0' })).toBeNull();
    expect(whyNotOpen({})).toMatch(/no display/);
    expect(whyNotOpen({ DISPLAY: ':0', SSH_CONNECTION: '10.0.0.1 5 10.0.0.2 22' })).toMatch(/SSH/);
    expect(whyNotOpen({ DISPLAY: ':0', SSH_TTY: '/dev/pts/1' })).toMatch(/SSH/);
    expect(whyNotOpen({ DISPLAY: ':0', CI: 'true' })).toMatch(/CI/);
  });
});

describe('parsePort', () => {
  it('takes 0–65535 and quotes anything else', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8765')).toBe(8765);
    expect(() => parsePort('65536')).toThrow(/--port must be .*got '65536'/);
    expect(() => parsePort('http')).toThrow(/got 'http'/);
  });
});
