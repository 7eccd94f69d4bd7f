import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { VIRTUAL_FLASH_SIZE, VirtualFlash } from '../../../src/daemon/boards/virtual-flash.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const initial = () => Buffer.from('factory!');

describe('VirtualFlash', () => {
  it('reads its initial image, then erased bytes; writes only clear bits; erases whole sectors', () => {
    const flash = new VirtualFlash({ initial });
    expect(flash.read(0, 10).toString('latin1')).toBe('factory!\xff\xff');
    flash.write(0x2000, Buffer.from([0x0f, 0xf0]));
    flash.write(0x2000, Buffer.from([0xf3, 0xff]));
    expect([...flash.read(0x2000, 2)]).toEqual([0x03, 0xf0]);
    const v = flash.version;
    flash.erase(0x2001, 1);
    expect(flash.version).toBeGreaterThan(v);
    expect([...flash.read(0x1fff, 3)]).toEqual([0xff, 0xff, 0xff]);
    expect(flash.read(0, 8).toString()).toBe('factory!');
    expect(() => flash.read(VIRTUAL_FLASH_SIZE - 1, 2)).toThrow(RangeError);
  });

  it('keeps its bytes in a raw 8 MiB file, created from the initial image on the first change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbay-vflash-'));
    dirs.push(dir);
    const file = join(dir, 'sub', 'virtual-1.flash');
    const flash = new VirtualFlash({ initial, file });
    expect(flash.read(0, 8).toString()).toBe('factory!');
    expect(existsSync(file)).toBe(false);
    flash.write(0x10000, Buffer.from('app'));
    flash.close();
    expect(statSync(file).size).toBe(VIRTUAL_FLASH_SIZE);
    const raw = readFileSync(file);
    expect(raw.subarray(0, 8).toString()).toBe('factory!');
    expect(raw.subarray(0x10000, 0x10003).toString()).toBe('app');
    expect(raw[0x10003]).toBe(0xff);
    const again = new VirtualFlash({ initial: () => Buffer.from('other'), file });
    expect(again.read(0x10000, 3).toString()).toBe('app');
    expect(again.md5(0x10000, 3)).toEqual(createHash('md5').update('app').digest());
    again.close();
  });
});
