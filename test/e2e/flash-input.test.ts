// While the BUILT `fbay flash` runs, the session's input is refused out loud: `fbay serial send` exits 5
// (flash_in_progress) and an attached `fbay console` says so; nothing typed meanwhile reaches the board. After the
// flash the same console, without reconnecting, and `serial send` type into the new firmware again.
import { once } from 'node:events';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/transport/protocol/api.js';
import { EXIT } from '../../src/transport/protocol/errors.js';
import { PROMPT } from '../../src/daemon/boards/esp32s3-rom.js';
import { buildAppImage } from '../../src/daemon/flash/image-builder.js';
import { assertBuilt, Home, jsonLineUntil, jsonLines } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
beforeEach(() => void (home = new Home()));
afterEach(() => home.cleanup());

describe('input while fbay flash runs, end to end', () => {
  it('serial send exits 5 and the console is told, nothing typed reaches the board; afterwards both type again', async () => {
    home.config({ virtual_pace: true }); // the line runs at its baud rate: the write takes seconds, not milliseconds
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const image = home.file('typed-app.bin', buildAppImage({ projectName: 'typed-app', version: '2.0.0', size: 256 * 1024 }));

    // A console on a pipe: its stdin is the keyboard, its stdout the board, its stderr the notices.
    const term = home.start('console', session.id);
    let out = '';
    let notices = '';
    term.stdout.setEncoding('latin1').on('data', (c: string) => void (out += c));
    term.stderr.setEncoding('utf8').on('data', (c: string) => void (notices += c));
    const until = async (stream: NodeJS.ReadableStream, done: () => boolean) => {
      while (!done()) await once(stream, 'data');
    };
    await home.json('session', 'wait', session.id, '--state', 'active', '--timeout', '10s');

    const flashing = home.start('--json', 'flash', session.id, image);
    await jsonLineUntil(flashing.stdout, (e) => e.phase === 'writing' && e.written > 0);
    term.stdin.write('echo typed-while-flashing\r');
    const [sent] = await Promise.all([
      home.fbay('serial', 'send', session.id, 'echo sent-while-flashing'),
      until(term.stderr, () => notices.includes('The board is flashing')),
    ]);
    expect(sent.exitCode, sent.stderr).toBe(EXIT.conflict);
    expect(sent.stderr).toMatch(/^error: Session ses_\w+ did not take all 25 bytes: The board is flashing; input is refused until it is done\.$/m);
    expect(sent.stderr).toContain(`hint: Wait for the flash to end (\`fbay flash --status ${session.id}\`), then send again.`);
    expect(notices).toMatch(/^warning: The board is flashing; input is refused until it is done\.$/m);

    const flashed = await flashing;
    expect(flashed.exitCode, flashed.stderr).toBe(0);
    expect(jsonLines(flashed.stdout).at(-1)).toMatchObject({ state: 'succeeded' });
    // The same console sees the new firmware's shell, then types into it.
    await until(term.stdout, () => /Project name: +typed-app[\s\S]*fbay-virtual> $/.test(out));
    expect(out.endsWith(PROMPT)).toBe(true);
    term.stdin.write('echo typed-after\r');
    await until(term.stdout, () => out.includes('\r\ntyped-after\r\n'));
    const again = await home.json<{ offset: number }>('serial', 'send', session.id, 'echo sent-after');
    expect((await home.fbay('serial', 'expect', session.id, '\\r\\nsent-after\\r\\n', '--since', String(again.offset), '--timeout', '10s')).exitCode).toBe(0);

    // What was typed during the flash never reached the board: neither the loader nor the new shell saw it.
    const transcript = (await home.fbay('serial', 'cat', session.id)).stdout;
    expect(transcript).not.toContain('while-flashing');
    expect(notices).not.toMatch(/error/);
    term.stdin.end();
    await home.json('session', 'end', session.id);
    expect((await term).exitCode).toBe(0);
  }, 40_000);
});
