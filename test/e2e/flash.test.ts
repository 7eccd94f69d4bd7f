// The BUILT `fbay flash` and `fbay power` against a daemon with a virtual board: images at their offsets written
// and verified to 100%, the new app seen by `serial expect`; bad images refused before the board is touched, with
// the documented exit codes; a power cycle and a power-off that keep the session.
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/transport/protocol/api.js';
import { EXIT } from '../../src/transport/protocol/errors.js';
import { buildAppImage, buildBootloaderImage, buildEspImage } from '../../src/daemon/flash/image-builder.js';
import { buildPartitionTable, defaultPartitions } from '../../src/daemon/flash/partition-table.js';
import { assertBuilt, Home, jsonLines } from './helpers.js';

const MIB = 1024 * 1024;

beforeAll(assertBuilt);
let home: Home;
let session: Session;
beforeEach(async () => {
  home = new Home();
  session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
});
afterEach(() => home.cleanup());

const file = (name: string, data: Buffer) => home.file(name, data);

describe('fbay flash, end to end', () => {
  it('writes a bootloader, a partition table and an app at their offsets, verified, to 100%; serial expect sees the new app', async () => {
    const boot = file('bootloader.bin', buildBootloaderImage());
    const table = file('partition-table.bin', buildPartitionTable(defaultPartitions(8 * MIB)));
    const app = file('e2e-app.bin', buildAppImage({ projectName: 'e2e-app', version: '7.8.9', size: 256 * 1024, seed: 3 }));
    const r = await home.fbay('--json', 'flash', session.id, '0x0', boot, '0x8000', table, '0x10000', app);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = jsonLines(r.stdout);
    const job = lines.at(-1)!;
    expect(job).toMatchObject({ session_id: session.id, state: 'succeeded', method: 'rom', verify: true, failure: null });
    expect(job.images.map((i: { name: string; offset: number }) => [i.name, i.offset])).toEqual([
      ['bootloader.bin', 0x0],
      ['partition-table.bin', 0x8000],
      ['e2e-app.bin', 0x10000],
    ]);
    const progress = lines.slice(0, -1).filter((e) => e.job_id === job.id);
    const phases = progress.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['connecting', ...Array(3).fill(['erasing', 'writing', 'verifying']).flat(), 'resetting']); // image by image, as esptool
    const writing = progress.filter((e) => e.phase === 'writing' && e.line === undefined);
    expect(writing.at(-1)).toMatchObject({ written: writing.at(-1)!.total });
    expect(writing.map((e) => e.written)).toEqual([...writing.map((e) => e.written)].sort((a, b) => a - b));
    expect(progress.filter((e) => /^Hash of '.*' verified\.$/.test(e.line ?? '')).length).toBe(3);
    expect(progress.at(-1)).toMatchObject({ state: 'succeeded' });

    const seen = await home.fbay('serial', 'expect', session.id, 'App version: +7\\.8\\.9', '--since', String(job.boot_offset), '--timeout', '10s');
    expect(seen.exitCode).toBe(0);
    expect(seen.stdout).toMatch(/Project name: +e2e-app/);

    const status = await home.json('flash', '--status', session.id);
    expect(status).toMatchObject({ id: job.id, state: 'succeeded' });
  });

  it('prints phases and a summary without --json when stderr is not a terminal, and --no-verify says so', async () => {
    const app = file('plain.bin', buildAppImage({ projectName: 'plain', version: '1.0.0', size: 64 * 1024 }));
    const r = await home.fbay('flash', session.id, app, '--no-verify');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^connecting…$/m);
    expect(r.stderr).toMatch(/^writing…$/m);
    expect(r.stderr).not.toMatch(/verifying…/);
    expect(r.stdout).toMatch(/^Flashed plain\.bin at 0x10000 in [\d.]+ s \(\d+ kbit\/s\), not verified \(--no-verify\); the board was reset\.$/m);
    expect(r.stdout).toMatch(new RegExp(`fbay serial cat ${session.id} --since \\d+`));
  });

  it('refuses bad images with exit 2 before the board is touched: another chip, truncated, bad checksum, empty, overlapping', async () => {
    const good = buildAppImage({ projectName: 'ok', version: '1', size: 64 * 1024 });
    const badChecksum = Buffer.from(good);
    badChecksum[100] ^= 0xff; // a segment byte: the checksum (and the digest) no longer match
    const cases: Array<[string, string[], RegExp]> = [
      ['other chip', [file('esp32.bin', buildEspImage({ chipId: 0, entry: 0x40080000, segments: [{ addr: 0x3ffb0000, data: Buffer.alloc(64) }] }))], /is an image for an ESP32, but this board \(virtual\) is an ESP32-S3: build it for ESP32-S3 \(`idf\.py set-target esp32s3`\)/],
      ['truncated', [file('short.bin', good.subarray(0, 1000))], /runs \d+ bytes past the end of the file/],
      ['bad checksum', [file('bad.bin', badChecksum)], /checksum|SHA-256|digest/i],
      ['empty', [file('empty.bin', Buffer.alloc(0))], /is empty \(0 bytes\)/],
      ['overlap', ['0x10000', file('a.bin', good), '0x18000', file('b.bin', good)], /overlap/],
    ];
    const printed = async () => Buffer.byteLength((await home.fbay('serial', 'cat', session.id)).stdout);
    const before = await printed();
    for (const [what, args, message] of cases) {
      const r = await home.fbay('flash', session.id, ...args);
      expect(r.exitCode, `${what}: ${r.stderr}`).toBe(EXIT.usage);
      expect(r.stderr, what).toMatch(message);
    }
    // Nothing started: no job, not a byte from the board (no reset into download mode), and the session as it was.
    expect(await printed()).toBe(before);
    expect((await home.fbay('flash', '--status', session.id)).exitCode).toBe(EXIT.not_found);
    expect((await home.json<Session>('session', 'show', session.id)).state).toBe('idle');
    const missing = await home.fbay('flash', session.id, join(home.dir, 'nope.bin'));
    expect(missing.exitCode).toBe(EXIT.usage);
    expect(missing.stderr).toContain('no such file');
  });

  it('an ended session exits 4, naming why it ended', async () => {
    const app = file('late.bin', buildAppImage({ projectName: 'late', version: '1', size: 64 * 1024 }));
    expect((await home.fbay('session', 'end', session.id)).exitCode).toBe(0);
    const r = await home.fbay('flash', session.id, app);
    expect(r.exitCode).toBe(EXIT.not_found);
    expect(r.stderr).toMatch(/has ended/);
  });
});

describe('fbay power, end to end', () => {
  it('cycles a virtual board (a POWERON boot) and keeps the session; off and on keep it too', async () => {
    const cycle = await home.fbay('--json', 'power', 'cycle', session.id);
    expect(cycle.exitCode, cycle.stderr).toBe(0);
    expect(JSON.parse(cycle.stdout)).toMatchObject({ action: 'cycle' });
    const off = await home.fbay('power', 'off', session.id);
    expect(off.exitCode, off.stderr).toBe(0);
    expect((await home.json<Session>('session', 'show', session.id)).state).not.toBe('ended');
    // An off board prints nothing: what it printed so far ends here, and the boot after `on` starts here.
    const before = Buffer.byteLength((await home.fbay('serial', 'cat', session.id)).stdout);
    const on = await home.json('power', 'on', session.id);
    expect(on).toMatchObject({ action: 'on', verified: 'verified', power: 'on' });
    const boot = await home.fbay('serial', 'expect', session.id, 'rst:0x1 \\(POWERON\\)', '--since', String(before), '--timeout', '10s');
    expect(boot.exitCode, boot.stderr).toBe(0);
    expect((await home.json<Session>('session', 'show', session.id)).state).not.toBe('ended');
    expect((await home.fbay('power', 'sideways', session.id)).exitCode).toBe(EXIT.usage);
  });
});
