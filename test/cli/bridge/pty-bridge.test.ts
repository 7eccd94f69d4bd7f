import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BoardLink } from '../../../src/cli/bridge/board-link.js';
import { PtyBridge } from '../../../src/cli/bridge/pty-bridge.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync('/tmp/fbay-pty-')));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// None of these gets as far as the link.
const link = {} as BoardLink;

describe('PtyBridge.open', () => {
  it('names the socat package when socat is missing, and says why it is needed', async () => {
    const err = PtyBridge.open({ path: join(dir, 'board'), link, log: () => undefined, socat: join(dir, 'no-socat-here') });
    await expect(err).rejects.toMatchObject({ code: 'socat_missing', message: expect.stringMatching(/needs socat.*Node cannot make a pseudo-terminal/) });
    await expect(err).rejects.toMatchObject({ next: expect.stringContaining('`socat` package') });
  });

  it('never replaces a file, nor a link to something that exists', async () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'mine');
    await expect(PtyBridge.open({ path: file, link, log: () => undefined })).rejects.toMatchObject({ code: 'pty_path_taken', exit: 5 });
    const live = join(dir, 'live');
    symlinkSync(file, live);
    await expect(PtyBridge.open({ path: live, link, log: () => undefined })).rejects.toThrow(/already links to .*another bridge/);
  });
});
