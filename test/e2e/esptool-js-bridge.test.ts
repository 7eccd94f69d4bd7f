// esptool-js (npm), an independent client, flashes a virtual board through the BUILT `fbay serial bridge --rfc2217`:
// its own reset into the ROM downloader, stub, baud change, compressed write and MD5 check cross the bridge; after a
// reset the board boots the new app, which `fbay serial expect` sees.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ESPLoader, Transport } from 'esptool-js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/transport/protocol/api.js';
import { buildAppImage } from '../../src/daemon/flash/image-builder.js';
import { Rfc2217WebSerialPort } from '../helpers/rfc2217-web-serial.mjs';
import { assertBuilt, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
let session: Session;
beforeEach(async () => {
  home = new Home();
  session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
});
afterEach(() => home.cleanup());

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

describe('esptool-js through fbay serial bridge --rfc2217', () => {
  it('connects, runs its stub at 921600, writes compressed, verifies by MD5, and the board boots the new app after a reset', async () => {
    const bridge = home.start('--json', 'serial', 'bridge', session.id, '--rfc2217', '0');
    const [line] = (await once(createInterface({ input: bridge.stdout! }), 'line')) as [string];
    const { url } = JSON.parse(line) as { url: string };

    const log: string[] = [];
    const transport = new Transport(new Rfc2217WebSerialPort(url) as unknown as ConstructorParameters<typeof Transport>[0], false);
    transport.trace = () => undefined; // it logs its read loop's end even with tracing off
    const loader = new ESPLoader({ transport, baudrate: 921600, romBaudrate: 115200, terminal: { clean: () => undefined, writeLine: (l: string) => log.push(l), write: (s: string) => log.push(s) } });
    expect(await loader.main()).toBe('ESP32-S3 (QFN56) (revision v0.2)');
    expect(log).toContain('Stub running...');
    const app = buildAppImage({ projectName: 'via-bridge', version: '2.7.1', size: 96 * 1024, seed: 5 });
    await loader.writeFlash({
      fileArray: [{ data: new Uint8Array(app), address: 0x10000 }],
      flashSize: 'keep',
      flashMode: 'keep',
      flashFreq: 'keep',
      eraseAll: false,
      compress: true,
      calculateMD5Hash: (image: Uint8Array) => md5(image),
    });
    expect(log).toContain('Hash of data verified.');
    expect(await loader.flashMd5sum(0x10000, app.length)).toBe(md5(app));
    await transport.disconnect();
    bridge.kill('SIGINT');
    expect((await bridge).exitCode).toBe(130);

    // esptool-js 0.7's hard reset only lowers RTS (it never pulses EN), so the board is reset by fbay, on its host.
    const reset = await home.fbay('reset', session.id);
    expect(reset.exitCode, reset.stderr).toBe(0);
    const seen = await home.fbay('serial', 'expect', session.id, 'App version: +2\\.7\\.1', '--since', reset.stdout.trim(), '--timeout', '10s');
    expect(seen.exitCode, seen.stderr).toBe(0);
    expect(seen.stdout).toMatch(/Project name: +via-bridge/);
  }, 60_000);
});
