import { afterEach, describe, expect, it } from 'vitest';
import { BoardRegistry } from '../../../src/daemon/boards/board-registry.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { PacedLine, TX_BUFFER_BYTES, type LineTimer } from '../../../src/daemon/boards/virtual-line.js';
import { readStream } from './stream-reader.js';

/** A timer the test moves by hand. */
function manualTimer() {
  let now = 0;
  const due: Array<{ at: number; fn: () => void }> = [];
  const timer: LineTimer = {
    now: () => now,
    at(at, fn) {
      const entry = { at, fn };
      due.push(entry);
      return () => due.splice(due.indexOf(entry) >>> 0, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (;;) {
      const i = due.findIndex((d) => d.at <= now);
      if (i < 0) return;
      due.splice(i, 1)[0]!.fn();
    }
  };
  return { timer, advance };
}

describe('PacedLine', () => {
  it('delivers host bytes when their last bit has crossed, back to back, at 10 bits a byte', async () => {
    const { timer, advance } = manualTimer();
    const line = new PacedLine(() => 115200, timer); // 11.52 bytes per ms
    const got: Array<[number, number]> = [];
    await line.send(Buffer.alloc(1152), (d) => got.push([timer.now(), d.length]));
    await line.send(Buffer.alloc(576), (d) => got.push([timer.now(), d.length]));
    advance(99);
    expect(got).toEqual([]);
    advance(1);
    expect(got).toEqual([[100, 1152]]);
    advance(50);
    expect(got).toEqual([
      [100, 1152],
      [150, 576],
    ]);
  });

  it("makes a writer wait while more than a tty's buffer is on the wire", async () => {
    const { timer, advance } = manualTimer();
    const line = new PacedLine(() => 115200, timer);
    let written = false;
    void line.send(Buffer.alloc(TX_BUFFER_BYTES + 1152), () => undefined).then(() => (written = true));
    advance(99);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(false);
    advance(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(true);
  });

  it('lets output be read as it is transmitted', () => {
    const { timer, advance } = manualTimer();
    const line = new PacedLine(() => 115200, timer);
    line.outputAppeared();
    expect(line.transmitted(115)).toBe(0);
    let woke = 0;
    line.wake(115, () => woke++);
    advance(10);
    expect(woke).toBe(1);
    expect(line.transmitted(115)).toBe(115);
    line.took(115);
    expect(line.transmitted(115)).toBe(0);
  });
});

describe('a paced virtual board', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('sends its output no faster than its baud rate allows', async () => {
    const registry = new BoardRegistry({ virtualBoards: 1, discovery: false, virtualPace: true });
    cleanups.push(() => registry.close());
    const port = await registry.open('virtual-1');
    cleanups.push(() => port.close());
    const board = readStream(port.stream);
    const started = performance.now();
    port.stream.write('flood 2304\r');
    await board.until((t) => t.length > 2304 && t.endsWith(PROMPT));
    const ms = performance.now() - started;
    const bytes = board.bytes().length + 'flood 2304\r'.length;
    expect(ms).toBeGreaterThanOrEqual(((bytes * 10) / 115200) * 1000 - 5);
  });
});
