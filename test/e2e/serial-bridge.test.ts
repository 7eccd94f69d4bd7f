import { connect } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import type { Session } from '../../src/transport/protocol/api.js';
import { assertBuilt, Home } from './helpers.js';

// pyserial's own RFC 2217 client, as esptool.py, idf.py and miniterm use it (Debian's python3-serial; .ci/run installs it).
const PYTHON = '/usr/bin/python3';

beforeAll(async () => {
  assertBuilt();
  const probe = await execa(PYTHON, ['-c', 'import serial.rfc2217'], { reject: false });
  if (probe.exitCode !== 0) throw new Error(`${PYTHON} has no pyserial: install Debian's python3-serial (apt install python3-serial).`);
});
let home: Home;
let session: Session;
beforeEach(async () => {
  home = new Home();
  session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
});
afterEach(() => home.cleanup());

/** Starts `fbay --json serial bridge --rfc2217 0` and resolves with the process and the URL it printed. */
async function bridge() {
  const child = home.start('--json', 'serial', 'bridge', '--rfc2217', '0');
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { url } = JSON.parse(line) as { url: string };
  return { child, url };
}

/** A Python program with pyserial, given the URL as argv[1]; resolves with what it printed. */
async function pyserial(url: string, program: string): Promise<string> {
  const r = await execa(PYTHON, ['-c', `import serial, sys, time\ns = serial.serial_for_url(sys.argv[1], baudrate=115200, timeout=3)\n${program}\ns.close()`, url], { reject: false, timeout: 15_000 });
  if (r.exitCode !== 0) throw new Error(`python exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

describe('fbay serial bridge --rfc2217, end to end with pyserial', () => {
  it('prints {url} and serves pyserial: a hard reset by RTS, the shell, baud and a refused data size; Ctrl-C exits 130', async () => {
    const { child, url } = await bridge();
    expect(url).toMatch(/^rfc2217:\/\/127\.0\.0\.1:\d+$/);
    const out = await pyserial(
      url,
      [
        's.dtr = False; s.rts = True; time.sleep(0.1); s.rts = False', // esptool's hard reset: the app boots
        "s.read_until(b'fbay-virtual> ')",
        "s.write(b'echo over rfc2217\\r'); print(s.read_until(b'\\r\\nover rfc2217\\r\\nfbay-virtual> ').decode())",
        "s.baudrate = 921600; s.write(b'info\\r'); print(s.read_until(b'fbay-virtual> ').decode())",
        'try:\n    s.bytesize = 7\nexcept ValueError as e:\n    print("refused:", e)',
      ].join('\n'),
    );
    expect(out).toContain('echo over rfc2217\r\nover rfc2217\r\n');
    expect(out).toContain('baud: 921600');
    expect(out).toContain("refused: remote rejected value for option 'datasize'");
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/client 127\.0\.0\.1:\d+ connected\./);
    expect(r.stderr).toContain('7 data bits');
  });

  it("gets esptool's classic reset from pyserial's pace into the ROM downloader", async () => {
    const { child, url } = await bridge();
    const out = await pyserial(
      url,
      [
        'def rts(v):\n    s.rts = v; s.dtr = s.dtr', // esptool's _setRTS, with its repeated DTR
        's.dtr = False; rts(True); time.sleep(0.1); s.dtr = True; rts(False); time.sleep(0.05); s.dtr = False',
        "print(s.read_until(b'waiting for download').decode('latin1'))",
      ].join('\n'),
    );
    expect(out).toMatch(/boot:0x0 \(DOWNLOAD\(USB\/UART0\)\)\r\nwaiting for download/);
    child.kill('SIGINT');
    expect((await child).stderr).toContain("the host ran the board's bootloader reset");
  });

  it('tells a second client the board is taken, and stops when the session ends (exit per the console table)', async () => {
    const { child, url } = await bridge();
    const { hostname, port } = new URL(url.replace('rfc2217:', 'http:'));
    const first = connect({ host: hostname, port: Number(port) });
    await once(first, 'connect');
    const second = connect({ host: hostname, port: Number(port) });
    let text = '';
    second.setEncoding('latin1').on('data', (s: string) => (text += s));
    await once(second, 'close');
    expect(text).toContain('this board is in use by another client');
    first.destroy();
    await home.json('session', 'end', session.id);
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/Session ses_\w+ ended \(user_ended\)/);
  });

  it('asks for one of --rfc2217 or --pty, and refuses an ended session with exit 4', async () => {
    const neither = await home.fbay('serial', 'bridge');
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toContain('Give one of --rfc2217 [HOST:]PORT or --pty PATH.');
    await home.json('session', 'end', session.id);
    const ended = await home.fbay('serial', 'bridge', session.id, '--rfc2217', '0');
    expect(ended.exitCode).toBe(4);
    expect(ended.stderr).toContain('has ended');
  });

  it('fbay exec --bridge hands the command FBAY_RFC2217_URL for the length of its run', async () => {
    await home.json('session', 'end', session.id);
    const program = "import os, serial\ns = serial.serial_for_url(os.environ['FBAY_RFC2217_URL'], timeout=3)\ns.write(b'echo exec\\r'); print(s.read_until(b'exec\\r\\n').decode()); s.close()";
    const r = await home.fbay('exec', '--board', 'virtual', '--bridge', '--', PYTHON, '-c', program);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('echo exec\r\n');
    expect(r.stderr).toMatch(/bridge: client 127\.0\.0\.1:\d+ connected\./);
  });
});
