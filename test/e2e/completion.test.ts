import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/transport/protocol/api.js';
import { assertBuilt, FBAY, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
let bin: string;
beforeEach(async () => {
  home = new Home();
  bin = mkdtempSync('/tmp/fbay-cb-');
  symlinkSync(FBAY, join(bin, 'fbay'));
  writeFileSync(join(bin, 'fbay.bash'), (await home.fbay('completion', 'bash')).stdout);
});
afterEach(async () => {
  await home.cleanup();
  rmSync(bin, { recursive: true, force: true });
});

/** What bash completes for the words, with the built fbay on PATH (the last word is under the cursor). */
function complete(...words: string[]): string[] {
  const out = execFileSync(
    'bash',
    ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _fbay; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', join(bin, 'fbay.bash'), ...words],
    { env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, FBAY_HOME: home.dir }, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('bash completion against the built fbay', () => {
  it('completes live session ids and board types from a running daemon', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual');
    expect(complete('fbay', 'console', '')).toEqual([session.id]);
    expect(complete('fbay', 'session', 'create', '--board', 'vi')).toEqual(['virtual']);
    expect(complete('fbay', 'session', 'create', '--board-id', '')).toEqual(['virtual-1', 'virtual-2']);
  });

  it('offers nothing dynamic, and starts no daemon, when none runs', () => {
    expect(complete('fbay', 'console', '')).toEqual([]);
    expect(complete('fbay', 'session', '')).toEqual(['create', 'list', 'show', 'update', 'end', 'wait']);
    expect(existsSync(join(home.dir, 'fbayd.sock'))).toBe(false);
    expect(home.daemonPids()).toEqual([]);
  });
});
