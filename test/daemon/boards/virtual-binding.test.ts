import { afterEach, describe, expect, it, vi } from 'vitest';
import { SerialPortStream } from '@serialport/stream';
import { VirtualBinding } from '../../../src/daemon/boards/virtual-binding.js';
import { PortControl } from '../../../src/daemon/boards/serial-control.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { floodBytes } from '../../../src/daemon/boards/flood-pattern.js';
import { readStream } from './stream-reader.js';

const openStream = (binding: VirtualBinding, path = 'virtual:1', baudRate = 115200) =>
  new Promise<SerialPortStream>((resolve, reject) => {
    const stream = new SerialPortStream({ binding, path, baudRate, autoOpen: false, highWaterMark: 16 * 1024 });
    stream.open((err) => (err ? reject(err) : resolve(stream)));
  });

const closeStream = (stream: SerialPortStream) => new Promise<void>((resolve) => stream.close(() => resolve()));

describe('VirtualBinding', () => {
  const open: SerialPortStream[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(open.splice(0).filter((s) => s.isOpen).map(closeStream));
  });
  const track = (s: SerialPortStream) => (open.push(s), s);

  it('lists virtual:1 … virtual:n', async () => {
    const ports = await new VirtualBinding({ count: 3 }).list();
    expect(ports.map((p) => p.path)).toEqual(['virtual:1', 'virtual:2', 'virtual:3']);
  });

  it('echoes what is written through a real SerialPortStream, without a banner on open', async () => {
    const stream = track(await openStream(new VirtualBinding({ count: 2 }), 'virtual:2'));
    const reader = readStream(stream);
    stream.write('echo hi\r');
    // The very first bytes are the echo: opening the port did not reset the board.
    expect(await reader.until((t) => t.endsWith(PROMPT))).toBe(`echo hi\r\nhi\r\n${PROMPT}`);
  });

  it('streams a flood byte-exact through the stream', async () => {
    const stream = track(await openStream(new VirtualBinding({ count: 1 })));
    const reader = readStream(stream);
    stream.write('flood 1000000\r');
    await reader.until((t) => t.endsWith(`\r\n${PROMPT}`) && t.length > 1_000_000);
    const all = reader.bytes();
    const start = 'flood 1000000\r\n'.length;
    expect(all.subarray(start, start + 1_000_000).equals(floodBytes(1_000_000))).toBe(true);
  });

  it('rejects an in-progress read with canceled: true when the port closes', async () => {
    const binding = new VirtualBinding({ count: 1 });
    const port = await binding.open({ path: 'virtual:1', baudRate: 115200 });
    const read = port.read(Buffer.alloc(64), 0, 64);
    await port.close();
    await expect(read).rejects.toMatchObject({ canceled: true });
    // The path is free again.
    const again = await binding.open({ path: 'virtual:1', baudRate: 115200 });
    await again.close();
  });

  it('refuses a second open, unknown paths and non-standard baud rates', async () => {
    const binding = new VirtualBinding({ count: 2 });
    const port = await binding.open({ path: 'virtual:1', baudRate: 115200 });
    await expect(binding.open({ path: 'virtual:1', baudRate: 115200 })).rejects.toThrow('virtual:1 is already open');
    await expect(binding.open({ path: 'virtual:3', baudRate: 115200 })).rejects.toThrow('no virtual board at virtual:3');
    await expect(binding.open({ path: 'virtual:01', baudRate: 115200 })).rejects.toThrow('no virtual board');
    await expect(binding.open({ path: 'virtual:2', baudRate: 12345 })).rejects.toThrow('baud rate 12345 is not supported on virtual:2');
    await expect(port.update({ baudRate: 7 })).rejects.toThrow('use a standard rate from 300 to 3000000');
    await port.update({ baudRate: 921600 });
    expect(await port.getBaudRate()).toEqual({ baudRate: 921600 });
    await port.close();
  });

  it('reports a non-standard baud through SerialPortStream.update', async () => {
    const stream = track(await openStream(new VirtualBinding({ count: 1 })));
    const err = await new Promise<Error | null>((resolve) => stream.update({ baudRate: 12345 }, resolve));
    expect(err?.message).toContain('baud rate 12345 is not supported');
  });

  it('resets the chip when DTR/RTS pull EN low and release it', async () => {
    const stream = track(await openStream(new VirtualBinding({ count: 1 })));
    const reader = readStream(stream);
    await new Promise((r) => stream.set({ dtr: false, rts: true }, r)); // EN low
    await new Promise((r) => stream.set({ dtr: false, rts: false }, r)); // EN high, IO0 high
    const out = await reader.until((t) => t.endsWith(PROMPT));
    expect(out).toMatch(/^ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x1 \(POWERON\),boot:0x8 \(SPI_FAST_FLASH_BOOT\)\r\n/);
  });

  it("enters download mode under esptool's classic reset, run with its real timing on fake timers", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const stream = track(await openStream(new VirtualBinding({ count: 1 })));
    const reader = readStream(stream);
    const reset = new PortControl(stream).reset('bootloader');
    await vi.advanceTimersByTimeAsync(150);
    await reset;
    const out = await reader.until((t) => t.includes('waiting for download\r\n'));
    expect(out).toContain('rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0))\r\n');
    // ...and a hard reset brings it back to the app.
    reader.reset();
    const hard = new PortControl(stream).reset('hard');
    await vi.advanceTimersByTimeAsync(110);
    await hard;
    expect(await reader.until((t) => t.endsWith(PROMPT))).toContain('boot:0x8 (SPI_FAST_FLASH_BOOT)');
  });

  it('disconnects an open port when its board is unplugged (the count shrinks)', async () => {
    const binding = new VirtualBinding({ count: 2 });
    const stream = track(await openStream(binding, 'virtual:2'));
    stream.resume();
    const closed = new Promise<Error | null>((resolve) => stream.once('close', resolve));
    binding.setCount(1);
    const err = await closed;
    expect(err).toMatchObject({ disconnected: true });
    expect(err?.message).toContain('virtual:2 was unplugged');
    expect((await binding.list()).map((p) => p.path)).toEqual(['virtual:1']);
  });

  it('powers its boards down: a board rebooting on and on (erased flash) stops, and leaves no timer behind', () => {
    vi.useFakeTimers();
    const binding = new VirtualBinding({ count: 1 });
    const device = binding.device(1);
    device.flash.erase(0, device.flash.size);
    device.powerOn(); // invalid header: 0xffffffff, then a retry every BOOT_RETRY_MS, like a real chip
    expect(device.state).toBe('boot-failed');
    expect(vi.getTimerCount()).toBe(1);
    binding.powerDown();
    expect(device.state).toBe('off');
    expect(vi.getTimerCount()).toBe(0); // nothing left to keep a stopping daemon's process alive
  });

  it('holds back a writer while its echo is unread (bounded memory), and lets it go once read', async () => {
    const binding = new VirtualBinding({ count: 1 });
    const port = await binding.open({ path: 'virtual:1', baudRate: 115200 });
    let written = false;
    const write = port.write(Buffer.alloc(200_000, 'a')).then(() => (written = true));
    const buf = Buffer.alloc(65536);
    let total = 0;
    while (total < 200_000) {
      const { bytesRead } = await port.read(buf, 0, buf.length);
      total += bytesRead;
      if (total < 200_000 - 65536) expect(written).toBe(false);
    }
    await write;
    expect(total).toBe(200_000);
    await port.close();
  });
});
