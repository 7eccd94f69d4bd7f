import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { EN_RC_DELAY_MS, VirtualDevice } from '../../../src/daemon/boards/virtual-device.js';
import { VirtualFlash } from '../../../src/daemon/boards/virtual-flash.js';
import { OP, ROM_SYNC_VALUE, SYNC_PAYLOAD, dataRequest, parseResponse, request, words, type Response } from '../../../src/daemon/flash/rom-protocol.js';
import { SlipDecoder, slipEncode } from '../../../src/daemon/flash/slip.js';

/** A chip in download mode, driven packet by packet. */
function downloadMode() {
  const device = new VirtualDevice({ name: 'virtual-3', index: 3, flash: new VirtualFlash({ initial: () => Buffer.alloc(0) }) });
  device.connect(() => undefined);
  device.setPins({ en: false, io0: false });
  device.setPins({ en: true, io0: false });
  vi.advanceTimersByTime(EN_RC_DELAY_MS);
  device.setPins({ en: true, io0: true }); // esptool lets IO0 go once the chip has sampled it
  const packets: Buffer[] = [];
  let noise = '';
  const decoder = new SlipDecoder(
    (p) => packets.push(p),
    (b) => (noise += b.toString('latin1')),
  );
  const pump = () => {
    const buf = Buffer.alloc(1 << 20);
    const n = device.read(buf, 0, buf.length);
    decoder.push(buf.subarray(0, n));
  };
  /** Sends a packet and returns every answer that came back once the loader has handled it. */
  const send = async (packet: Buffer): Promise<Response[]> => {
    device.write(slipEncode(packet));
    // zlib answers from the thread pool, which a loaded machine may be slow to get to: wait for the answer itself.
    for (let turn = 0; turn < 1000 && packets.length === 0; turn++) {
      await vi.advanceTimersByTimeAsync(0);
      await new Promise((r) => setImmediate(r));
      await vi.advanceTimersByTimeAsync(0);
      pump();
    }
    return packets.splice(0).map((p) => parseResponse(p) ?? { op: -1, value: 0, data: p });
  };
  pump();
  return { device, send, noise: () => noise };
}

describe('the virtual ROM loader', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('prints the download-mode banner and answers a sync eight times', async () => {
    const chip = downloadMode();
    expect(chip.noise()).toContain('rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0))\r\nwaiting for download\r\n');
    const answers = await chip.send(request(OP.SYNC, SYNC_PAYLOAD));
    expect(answers).toHaveLength(8);
    for (const a of answers) expect(a).toEqual({ op: OP.SYNC, value: ROM_SYNC_VALUE, data: Buffer.from([0, 0, 0, 0]) });
  });

  it('tells what chip it is, by security info and by the magic register', async () => {
    const chip = downloadMode();
    const [info] = await chip.send(request(OP.GET_SECURITY_INFO));
    expect(info!.data).toHaveLength(24);
    expect(info!.data.readUInt32LE(12)).toBe(9);
    const [magic] = await chip.send(request(OP.READ_REG, words(0x40001000)));
    expect(magic!.value).toBe(9);
  });

  it('writes compressed and plain blocks, answers MD5 as 32 hex characters and reads 64 bytes slowly', async () => {
    const chip = downloadMode();
    const data = Buffer.alloc(5000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const z = deflateSync(data);
    expect((await chip.send(request(OP.FLASH_DEFL_BEGIN, words(0x1400, Math.ceil(z.length / 1024), 1024, 0x20000, 0))))[0]!.data).toEqual(Buffer.from([0, 0, 0, 0]));
    for (let seq = 0; seq * 1024 < z.length; seq++) {
      const [a] = await chip.send(dataRequest(OP.FLASH_DEFL_DATA, seq, z.subarray(seq * 1024, (seq + 1) * 1024)));
      expect(a!.data[0]).toBe(0);
    }
    const [sum] = await chip.send(request(OP.SPI_FLASH_MD5, words(0x20000, 5000, 0, 0)));
    expect(sum!.data.subarray(0, 32).toString('latin1')).toBe(createHash('md5').update(data).digest('hex'));
    const [slow] = await chip.send(request(OP.READ_FLASH_SLOW, words(0x20000 + 10, 16)));
    expect(slow!.data.subarray(0, 16).equals(data.subarray(10, 26))).toBe(true);
    expect(chip.device.flash.read(0x20000 + 5000, 4)).toEqual(Buffer.alloc(4, 0xff)); // erased past the data

    await chip.send(request(OP.FLASH_BEGIN, words(0x1000, 1, 0x400, 0x30000, 0)));
    await chip.send(dataRequest(OP.FLASH_DATA, 0, Buffer.alloc(0x400, 0xab)));
    expect(chip.device.flash.read(0x30000, 0x401)).toEqual(Buffer.concat([Buffer.alloc(0x400, 0xab), Buffer.from([0xff])]));
  });

  it('refuses a bad checksum, an unknown opcode and a stub-only command with ROM error codes', async () => {
    const chip = downloadMode();
    await chip.send(request(OP.FLASH_BEGIN, words(0x1000, 1, 0x400, 0, 0)));
    const bad = dataRequest(OP.FLASH_DATA, 0, Buffer.alloc(0x400, 1));
    bad.writeUInt32LE(0x12, 4);
    expect((await chip.send(bad))[0]!.data).toEqual(Buffer.from([1, 0x07, 0, 0]));
    expect((await chip.send(request(0x77)))[0]!.data).toEqual(Buffer.from([1, 0x05, 0, 0]));
    expect((await chip.send(request(OP.ERASE_FLASH)))[0]!.data).toEqual(Buffer.from([1, 0x05, 0, 0]));
  });

  it('hears nothing at another baud rate than the one it changed to', async () => {
    const chip = downloadMode();
    await chip.send(request(OP.SYNC, SYNC_PAYLOAD));
    expect(await chip.send(request(OP.CHANGE_BAUDRATE, words(921600, 0)))).toHaveLength(1);
    expect(await chip.send(request(OP.READ_REG, words(0x40001000)))).toEqual([]); // the host is still at 115200
    chip.device.setBaud(921600);
    expect((await chip.send(request(OP.READ_REG, words(0x40001000))))[0]!.value).toBe(9);
  });

  it('becomes the stub after MEM_* uploads code and runs it: OHAI, two status bytes, raw MD5, erase', async () => {
    const chip = downloadMode();
    await chip.send(request(OP.MEM_BEGIN, words(8, 1, 0x1800, 0x40380000)));
    await chip.send(dataRequest(OP.MEM_DATA, 0, Buffer.alloc(8, 0x11)));
    const answers = await chip.send(request(OP.MEM_END, words(0, 0x40380004)));
    expect(answers.map((a) => a.data.toString('latin1'))).toEqual(['\0\0\0\0', 'OHAI']);
    const [sync] = await chip.send(request(OP.SYNC, SYNC_PAYLOAD));
    expect(sync).toEqual({ op: OP.SYNC, value: 0, data: Buffer.from([0, 0]) });
    const [sum] = await chip.send(request(OP.SPI_FLASH_MD5, words(0, 16, 0, 0)));
    expect(sum!.data.subarray(0, 16)).toEqual(createHash('md5').update(Buffer.alloc(16, 0xff)).digest());
    expect((await chip.send(request(OP.ERASE_REGION, words(0x1000, 0x1000))))[0]!.data).toEqual(Buffer.from([0, 0]));
    expect((await chip.send(request(0x77)))[0]!.data).toEqual(Buffer.from([1, 0xff]));
  });

  it('leaves download mode on FLASH_END and boots what is in flash', async () => {
    const chip = downloadMode();
    await chip.send(request(OP.FLASH_BEGIN, words(0, 0, 0x400, 0, 0)));
    await chip.send(request(OP.FLASH_END, words(1)));
    expect(chip.device.state).toBe('boot-failed'); // this flash is empty
    expect(chip.noise()).toContain('rst:0xc (RTC_SW_CPU_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)');
    expect(chip.noise()).toContain('invalid header: 0xffffffff\r\n');
  });
});
