import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { followLog, printTail, sizeOf } from '../../../src/cli/services/daemon-logs.js';
import { UserError } from '../../../src/shared/user-error.js';
import { captureIo } from '../helpers/io.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync('/tmp/fbay-logs-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once the captured stdout contains `text`. */
function printed(io: ReturnType<typeof captureIo>, text: string): Promise<void> {
  return new Promise((resolve) => {
    const out = io.out;
    io.out = (chunk) => {
      out(chunk);
      if (io.stdout.includes(text)) resolve();
    };
    if (io.stdout.includes(text)) resolve();
  });
}

describe('daemon logs', () => {
  it('prints the last lines', () => {
    const file = join(dir, 'fbayd.log');
    writeFileSync(file, 'one\ntwo\nthree\n');
    const io = captureIo();
    printTail(io, file, 2, sizeOf(file));
    expect(io.stdout).toBe('two\nthree\n');
  });

  it('follows appended lines, including a log that appears later, until interrupted (exit 130)', async () => {
    const file = join(dir, 'later', 'fbayd.log');
    const io = captureIo();
    const controller = new AbortController();
    const following = followLog(io, file, 0, controller.signal);
    const first = printed(io, 'hello\n');
    writeFileSync(file, 'hello\n');
    await first;
    const second = printed(io, 'world\n');
    appendFileSync(file, 'world\n');
    await second;
    controller.abort();
    const err = await following.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exit).toBe(130);
    expect(io.stdout).toBe('hello\nworld\n');
  });
});
