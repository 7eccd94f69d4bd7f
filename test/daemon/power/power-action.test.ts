import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PowerError, runPower } from '../../../src/daemon/power/power-action.js';
import { runVirtualPower } from '../../../src/daemon/power/virtual-power.js';
import { VirtualDevice } from '../../../src/daemon/boards/virtual-device.js';
import { systemClock } from '../../../src/shared/clock.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A "hub" whose port is a file: on creates it, off removes it; presence is whether it exists. */
function fileHub() {
  const dir = mkdtempSync(join(tmpdir(), 'fbay-power-'));
  dirs.push(dir);
  const marker = join(dir, 'usb-device');
  const node = process.execPath;
  return {
    on: [node, '-e', `require("fs").writeFileSync(${JSON.stringify(marker)}, "")`],
    off: [node, '-e', `require("fs").rmSync(${JSON.stringify(marker)}, { force: true })`],
    presence: () => existsSync(marker),
  };
}

describe('runPower', () => {
  it('runs off then on for a cycle, with the delay between, and verifies the device left and came back', async () => {
    const hub = fileHub();
    const r = await runPower({ on: hub.on, off: hub.off, delay_s: 0.1 }, 'cycle', { clock: systemClock, presence: hub.presence });
    expect(r).toMatchObject({ action: 'cycle', verified: 'verified', why: null });
    expect(hub.presence()).toBe(true);
    expect(await runPower({ on: hub.on, off: hub.off }, 'off', { clock: systemClock, presence: hub.presence })).toMatchObject({ verified: 'verified' });
  });

  it('says unverified, and why, when the device does not go away or cannot be recognised', async () => {
    const hub = fileHub();
    const liar = { on: hub.on, off: [process.execPath, '-e', ''] }; // a hub that does not switch VBUS
    await runPower(liar, 'on', { clock: systemClock, presence: hub.presence });
    const r = await runPower(liar, 'off', { clock: systemClock, presence: hub.presence, verifyTimeoutMs: 300 });
    expect(r).toMatchObject({ verified: 'unverified', why: expect.stringContaining('did not go away') });
    const blind = await runPower(liar, 'off', { clock: systemClock, presence: () => null });
    expect(blind).toMatchObject({ verified: 'unverified', why: expect.stringContaining('no serial number or USB location') });
  });

  it("shows a failing command's exit code and stderr, and refuses what the config cannot do", async () => {
    const failing = { off: [process.execPath, '-e', 'console.error("relay: permission denied"); process.exit(2)'] };
    const err = await runPower(failing, 'off', { clock: systemClock, presence: () => null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PowerError);
    expect((err as Error).message).toBe(`Power off failed: '${process.execPath}' exited with code 2. Its last output: relay: permission denied`);
    await expect(runPower(failing, 'on', { clock: systemClock, presence: () => null })).rejects.toThrow("This board's power config has no 'on' command: add it");
    await expect(runPower({ uhubctl: { location: '1-1', port: 2 } }, 'cycle', { clock: systemClock, presence: () => null, which: async () => null })).rejects.toThrow('uhubctl, which is not installed');
  });

  it('builds the uhubctl command for a hub port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbay-uhubctl-'));
    dirs.push(dir);
    const fake = join(dir, 'uhubctl'); // stands in for uhubctl: prints its arguments
    writeFileSync(fake, `#!${process.execPath}\nconsole.log(process.argv.slice(2).join(' '))\n`, { mode: 0o755 });
    const r = await runPower({ uhubctl: { location: '1-1.4', port: 3 }, delay_s: 1 }, 'cycle', { clock: systemClock, presence: () => null, which: async () => fake });
    expect(r.output).toEqual(['-l 1-1.4 -p 3 -a cycle -d 1']);
    expect(r.verified).toBe('unverified');
  });
});

describe('runVirtualPower', () => {
  it('powers a virtual board off (silent) and back on (POWERON boot)', async () => {
    const device = new VirtualDevice({ name: 'virtual-5' });
    device.connect(() => undefined);
    const off = await runVirtualPower(device, 'off', systemClock);
    expect(off.verified).toBe('verified');
    expect(device.state).toBe('off');
    await runVirtualPower(device, 'cycle', systemClock);
    const buf = Buffer.alloc(65536);
    expect(buf.toString('latin1', 0, device.read(buf, 0, buf.length))).toContain('rst:0x1 (POWERON)');
    expect(device.state).toBe('running');
  });
});
