import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ESPLoader, Transport } from 'esptool-js';
import { BoardRegistry } from '../../../src/daemon/boards/board-registry.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';
import { WebSerialPort } from '../../helpers/web-serial-port.mjs';
import { readStream } from './stream-reader.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

describe('a virtual board flashed by esptool-js, an independent client', () => {
  it('connects, runs its stub, changes baud, writes compressed, and reads the image and its MD5 back', async () => {
    const registry = new BoardRegistry({ virtualBoards: 1, discovery: false });
    cleanups.push(() => registry.close());
    const device = new WebSerialPort(() => registry.open('virtual-1'));
    const log: string[] = [];
    const transport = new Transport(device as unknown as ConstructorParameters<typeof Transport>[0], false);
    transport.trace = () => undefined; // it logs its read loop's end even with tracing off
    const loader = new ESPLoader({
      transport,
      baudrate: 921600,
      romBaudrate: 115200,
      terminal: { clean: () => undefined, writeLine: (l: string) => log.push(l), write: (s: string) => log.push(s) },
    });
    const chip = await loader.main();
    expect(chip).toBe('ESP32-S3 (QFN56) (revision v0.2)');
    expect(log).toContain('Stub running...');
    expect(log).toContain('Flash ID: 1740ef');
    expect(log.join('\n')).toMatch(/MAC: 7c:df:a1:00:00:01/);

    const app = buildAppImage({ projectName: 'from-esptool-js', version: '0.7.0', size: 100 * 1024 });
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
    const back = await loader.readFlash(0x10000, 0x3000);
    expect(Buffer.from(back).equals(app.subarray(0, 0x3000))).toBe(true);
    await transport.disconnect();

    // fbay's own port path sees the result: a hard reset boots what esptool-js wrote.
    const port = await registry.open('virtual-1');
    cleanups.push(() => port.close());
    const board = readStream(port.stream);
    await port.control.reset('hard');
    await board.until((t) => t.includes('Project name:     from-esptool-js\r\n') && t.includes('App version:      0.7.0\r\n') && t.endsWith(PROMPT));
  }, 30_000);
});
