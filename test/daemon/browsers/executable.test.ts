import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBrowser, INSTALL_HINT } from '../../../src/daemon/browsers/executable.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync('/tmp/fbay-exe-');
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(d, name), text);
    chmodSync(join(d, name), 0o755);
  }
  return d;
}

describe('findBrowser', () => {
  it('uses browsers.executable when it is an executable file', () => {
    const d = dir({ mychrome: '\x7fELF' });
    expect(findBrowser(join(d, 'mychrome'), { PATH: '' })).toBe(join(d, 'mychrome'));
  });

  it('says so when browsers.executable points at nothing', () => {
    expect(() => findBrowser('/nowhere/chrome', { PATH: '' })).toThrow(
      expect.objectContaining({ code: 'upstream_unavailable', message: expect.stringContaining('/nowhere/chrome') }),
    );
  });

  it('searches PATH in order for the known names, skipping files that are not executable', () => {
    const a = dir();
    writeFileSync(join(a, 'chromium'), 'not executable');
    const b = dir({ 'google-chrome': '\x7fELF' });
    expect(findBrowser(null, { PATH: `${a}:${b}` }, '/nowhere')).toBe(join(b, 'google-chrome'));
  });

  it('runs the binary behind a shell wrapper like Debian’s when there is one', () => {
    const wrapper = dir({ chromium: '#!/bin/sh\nexec /usr/lib/chromium/chromium "$@"\n' });
    const real = dir({ chromium: '\x7fELF' });
    expect(findBrowser(null, { PATH: wrapper }, join(real, 'chromium'))).toBe(join(real, 'chromium'));
    expect(findBrowser(null, { PATH: wrapper }, '/nowhere')).toBe(join(wrapper, 'chromium'));
  });

  it('with none installed, refuses with the install command', () => {
    expect(() => findBrowser(null, { PATH: dir() })).toThrow(
      expect.objectContaining({ code: 'upstream_unavailable', extra: { next: INSTALL_HINT } }),
    );
    expect(INSTALL_HINT).toContain('apt-get install -y --no-install-recommends chromium');
  });
});
