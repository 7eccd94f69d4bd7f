import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EN_RC_DELAY_MS, VirtualDevice } from '../../../src/daemon/boards/virtual-device.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { floodBytes, floodLine } from '../../../src/daemon/boards/flood-pattern.js';

/** Everything the device has queued, read out in chunks of `chunk` bytes like a port would. */
function drain(device: VirtualDevice, chunk = 4096): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const buf = Buffer.alloc(chunk);
    const n = device.read(buf, 0, chunk);
    if (n === 0) return Buffer.concat(parts);
    parts.push(buf.subarray(0, n));
  }
}
const text = (device: VirtualDevice) => drain(device).toString('utf8');

describe('VirtualDevice', () => {
  let device: VirtualDevice;
  let readable: number;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    device = new VirtualDevice({ name: 'virtual-7' });
    readable = 0;
    device.connect(() => readable++);
  });
  afterEach(() => vi.useRealTimers());

  it('prints the ESP32-S3 ROM banner, boot log and prompt on power-on', () => {
    device.powerOn();
    const out = text(device);
    expect(out.startsWith('ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n')).toBe(true);
    expect(out).toContain('entry 0x403c9908\r\n');
    expect(out).toContain("fbay virtual ESP32-S3 (virtual-7) ready; type 'help'\r\n");
    expect(out.endsWith(PROMPT)).toBe(true);
    expect(readable).toBe(1);
    expect(device.state).toBe('running');
  });

  it('starts silently, and drops output while no port is connected', () => {
    expect(device.hasOutput).toBe(false);
    device.disconnect();
    device.powerOn();
    device.connect(() => undefined);
    expect(device.hasOutput).toBe(false);
  });

  it('echoes typed bytes and runs a line on Enter (CR, LF or CRLF)', () => {
    device.write(Buffer.from('ech'));
    expect(text(device)).toBe('ech');
    device.write(Buffer.from('o hello  world\r\n'));
    expect(text(device)).toBe(`o hello  world\r\nhello  world\r\n${PROMPT}`);
    device.write(Buffer.from('echo lf\n'));
    expect(text(device)).toBe(`echo lf\r\nlf\r\n${PROMPT}`);
    device.write(Buffer.from('\r'));
    device.write(Buffer.from('\n')); // the LF of a CRLF split across two writes is not a second Enter
    expect(text(device)).toBe(`\r\n${PROMPT}`);
  });

  it('handles backspace (one UTF-8 character), Ctrl-C and swallows escape sequences', () => {
    device.write(Buffer.from('echo é\x7fx\r'));
    expect(text(device)).toBe(`echo é\b \bx\r\nx\r\n${PROMPT}`);
    device.write(Buffer.from('junk\x03'));
    expect(text(device)).toBe(`junk^C\r\n${PROMPT}`);
    device.write(Buffer.from('\x1b[Aecho up\r'));
    expect(text(device)).toBe(`echo up\r\nup\r\n${PROMPT}`);
    device.write(Buffer.from('\x08\x08'));
    expect(text(device)).toBe(''); // nothing to erase
  });

  it('runs help, info, uptime and reports unknown commands', () => {
    device.write(Buffer.from('help\r'));
    expect(text(device)).toMatch(/flood N\s+print N bytes/);
    device.setBaud(921600);
    device.write(Buffer.from('info\r'));
    const info = text(device);
    expect(info).toContain('type: virtual\r\n');
    expect(info).toContain('baud: 921600\r\n');
    vi.advanceTimersByTime(1500);
    device.write(Buffer.from('uptime\r'));
    expect(text(device)).toBe(`uptime\r\nuptime: 1.500 s\r\n${PROMPT}`);
    device.write(Buffer.from('frobnicate now\r'));
    expect(text(device)).toBe(`frobnicate now\r\nunknown command: frobnicate\r\n${PROMPT}`);
  });

  it('reset restarts the chip with a software-reset banner', () => {
    vi.advanceTimersByTime(5000);
    device.write(Buffer.from('reset\r'));
    const out = text(device);
    expect(out).toContain('reset\r\nESP-ROM:esp32s3-20210327\r\n');
    expect(out).toContain('rst:0xc (RTC_SW_CPU_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n');
    device.write(Buffer.from('uptime\r'));
    expect(text(device)).toContain('uptime: 0.000 s');
  });

  it('flood N prints exactly N bytes of numbered lines, then the prompt', () => {
    device.write(Buffer.from('flood 1000\r'));
    const out = drain(device, 333); // odd read sizes split lines
    const head = Buffer.from('flood 1000\r\n');
    expect(out.subarray(0, head.length).equals(head)).toBe(true);
    const body = out.subarray(head.length, head.length + 1000);
    expect(body.equals(floodBytes(1000))).toBe(true);
    expect(body.subarray(0, 64).equals(floodLine(1))).toBe(true);
    expect(body.subarray(64, 72).toString()).toBe('00000002');
    expect(out.subarray(head.length + 1000).toString()).toBe(`\r\n${PROMPT}`);
    device.write(Buffer.from('flood 128\r'));
    expect(drain(device).toString('latin1')).toBe(`flood 128\r\n${floodBytes(128).toString('latin1')}${PROMPT}`);
  });

  it('generates a large flood lazily: nothing is held in memory ahead of the reader', () => {
    device.write(Buffer.from('flood 50000010\r'));
    expect(device.pendingBytes).toBeLessThan(100);
    const buf = Buffer.alloc(64 * 1024);
    let total = 0;
    let last = Buffer.alloc(0);
    for (let n = device.read(buf, 0, buf.length); n > 0; n = device.read(buf, 0, buf.length)) {
      total += n;
      last = buf.subarray(0, n);
    }
    expect(total).toBe('flood 50000010\r\n'.length + 50_000_010 + `\r\n${PROMPT}`.length);
    expect(last.toString('latin1').endsWith(`\r\n${PROMPT}`)).toBe(true);
    expect(() => device.write(Buffer.from('flood -1\rflood 99999999999\r'))).not.toThrow();
    expect(text(device)).toMatch(/flood: N must be a whole number.*got '-1'[\s\S]*got '99999999999'/);
  });

  it('boots into the ROM downloader when IO0 is low as EN rises', () => {
    device.write(Buffer.from('flood 100000\r'));
    device.setPins({ en: false, io0: true });
    expect(device.state).toBe('in-reset');
    expect(device.hasOutput).toBe(false); // the UART FIFO is lost on reset
    device.setPins({ en: true, io0: false });
    vi.advanceTimersByTime(EN_RC_DELAY_MS - 1);
    expect(device.hasOutput).toBe(false);
    vi.advanceTimersByTime(1);
    expect(text(device)).toBe(
      'ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0))\r\nwaiting for download\r\n',
    );
    expect(device.state).toBe('download');
    device.write(Buffer.from('help\r'));
    expect(device.hasOutput).toBe(false); // the ROM downloader does not run the shell
  });

  it('samples IO0 after the EN RC delay, as esptool classic reset needs', () => {
    device.setPins({ en: false, io0: true });
    device.setPins({ en: true, io0: true }); // DTR=1, RTS=1 for a moment: EN released a hair before IO0 is pulled low
    device.setPins({ en: true, io0: false });
    vi.advanceTimersByTime(EN_RC_DELAY_MS);
    expect(text(device)).toContain('boot:0x0 (DOWNLOAD(USB/UART0))');
  });

  it('boots normally when IO0 is high as EN rises, and not at all if EN falls again first', () => {
    device.setPins({ en: false, io0: true });
    device.setPins({ en: true, io0: true });
    device.setPins({ en: false, io0: true });
    vi.advanceTimersByTime(100);
    expect(device.hasOutput).toBe(false);
    device.setPins({ en: true, io0: true });
    vi.advanceTimersByTime(EN_RC_DELAY_MS);
    const out = text(device);
    expect(out).toContain('rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)');
    expect(out.endsWith(PROMPT)).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // idle: no timers left behind
  });
});
