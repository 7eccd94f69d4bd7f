import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoardRegistry } from '../../../src/daemon/boards/board-registry.js';
import { FlashError } from '../../../src/daemon/flash/flash-errors.js';
import { flashImages } from '../../../src/daemon/flash/flash-images.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';
import { CONNECT_ATTEMPTS } from '../../../src/daemon/flash/rom-connect.js';
import { systemClock } from '../../../src/shared/clock.js';
import { FakeSysfs } from '../boards/discovery/fake-sysfs.js';
import { ptyPair } from '../../helpers/socat.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('flashImages against a port with nothing behind it', () => {
  it("gives up within esptool's bounds, saying what it saw", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbay-nosync-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fake = new FakeSysfs();
    const registry = new BoardRegistry({
      virtualBoards: 0,
      entries: [{ name: 'ghost', type: 'esp32-s3', path: join(dir, 'ttyA') }],
      discovery: { platform: 'linux', sysfsRoot: fake.root, devDir: fake.dev },
    });
    cleanups.push(() => {
      registry.close();
      fake.cleanup();
    });
    const online = once(registry, 'change');
    const pair = await ptyPair(dir);
    cleanups.push(() => pair.stop());
    await online;
    const port = await registry.open('ghost');
    cleanups.push(() => port.close());

    const log: string[] = [];
    const started = Date.now();
    const err = await flashImages(port, [{ offset: 0x10000, data: buildAppImage({ projectName: 'x', version: '1' }), name: 'x.bin' }], {
      verify: true,
      eraseAll: false,
      clock: systemClock,
      onProgress: () => undefined,
      onLog: (l) => log.push(l),
    }).catch((e: unknown) => e);
    const seconds = (Date.now() - started) / 1000;
    expect(err).toBeInstanceOf(FlashError);
    expect(err).toMatchObject({ kind: 'no_sync' });
    expect((err as Error).message).toMatch(/^The board on .*ttyA did not answer esptool's sync in 7 attempts\. It printed nothing fbay recognised/);
    expect((err as Error).message).toContain('The board printed nothing.');
    expect(log.filter((l) => l.startsWith('No sync'))).toHaveLength(CONNECT_ATTEMPTS);
    // esptool: 7 × (reset + 5 × (100 ms sync + 50 ms pause)) ≈ 6–7 s.
    expect(seconds).toBeGreaterThan(4);
    expect(seconds).toBeLessThan(12);
  }, 30_000);
});
