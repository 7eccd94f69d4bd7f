import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { BoardRegistry } from '../../src/daemon/boards/board-registry.js';
import { PROMPT } from '../../src/daemon/boards/esp32s3-rom.js';
import { flashImages } from '../../src/daemon/flash/flash-images.js';
import { buildAppImage } from '../../src/daemon/flash/image-builder.js';
import { SerialRelay } from '../../src/transport/serial-relay.js';
import { systemClock } from '../../src/shared/clock.js';
import { TestClient } from './ws-test-client.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real relay on a real virtual board, served over a Unix socket, as the daemon does. */
async function rig() {
  const dir = await mkdtemp(join(tmpdir(), 'fbay-lend-'));
  const sock = join(dir, 'relay.sock');
  const registry = new BoardRegistry({ virtualBoards: 1, discovery: false });
  const port = await registry.open('virtual-1');
  const relay = new SerialRelay(port);
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => relay.attach(ws));
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  const clients: TestClient[] = [];
  cleanups.push(async () => {
    await relay.close();
    clients.forEach((c) => c.ws.terminate());
    await new Promise((r) => wss.close(r));
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });
  const connect = async () => {
    const c = await TestClient.connect(`ws+unix://${sock}:/serial`);
    clients.push(c);
    return c;
  };
  return { registry, port, relay, connect };
}

describe('SerialRelay.lend', () => {
  it('gives board output to the borrower, refuses client input with a message, and carries on after give-back', async () => {
    const { relay, connect } = await rig();
    const a = await connect();
    a.send(Buffer.from('echo before\r'));
    await a.until((c) => c.text().endsWith(`before\r\n${PROMPT}`));
    const offset = relay.offset;
    const events: string[] = [];
    relay.on('lend', () => events.push('lend'));
    relay.on('return', () => events.push('return'));

    const lent = relay.lend();
    expect(relay.lent).toBe(true);
    expect(() => relay.lend()).toThrow(expect.objectContaining({ code: 'flash_in_progress' }));
    const seen: Buffer[] = [];
    lent.stream.on('data', (c: Buffer) => seen.push(c));
    lent.stream.write('echo borrowed\r');
    a.send(Buffer.from('echo typed\r'));
    a.control({ type: 'reset', mode: 'hard' });
    await a.until((c) => c.errors().length > 0);
    await new Promise<void>((resolve) => (Buffer.concat(seen).toString().includes(PROMPT) ? resolve() : lent.stream.on('data', () => Buffer.concat(seen).toString().includes(PROMPT) && resolve())));
    expect(Buffer.concat(seen).toString()).toBe(`echo borrowed\r\nborrowed\r\n${PROMPT}`);
    expect(a.errors()).toEqual([{ type: 'error', code: 'flash_in_progress', error: 'The board is flashing; input is refused until it is done.' }]);
    relay.broadcast({ type: 'flash', job_id: 'fl_test', state: 'running', phase: 'writing', written: 10, total: 20, kbit_s: 400 });
    await a.until((c) => c.messages.some((m) => m.type === 'flash'));
    expect(relay.offset).toBe(offset); // what the borrower read is not in the session's stream

    await lent.close();
    expect(relay.lent).toBe(false);
    expect(events).toEqual(['lend', 'return']);
    a.send(Buffer.from('echo after\r'));
    await a.until((c) => c.text().endsWith(`after\r\n${PROMPT}`));
    expect(a.text()).not.toContain('typed');
    expect(a.text()).not.toContain('borrowed');
    expect(relay.offset).toBe(a.length);
  });

  it('flashes through the lent port while consoles watch, and they see the new boot log without reconnecting', async () => {
    const { port, relay, connect } = await rig();
    const a = await connect();
    const lent = relay.lend();
    // Watches the board's own port, to give the lent one back only after the new firmware has printed everything.
    let raw = '';
    const booted = new Promise<void>((resolve) => port.stream.on('data', (c: Buffer) => (raw += c.toString('latin1')).endsWith(PROMPT) && raw.includes('3.0.0') && resolve()));
    const app = buildAppImage({ projectName: 'watched', version: '3.0.0', size: 64 * 1024 });
    const result = await flashImages(lent, [{ offset: 0x10000, data: app, name: 'watched.bin' }], {
      verify: true,
      eraseAll: false,
      clock: systemClock,
      onProgress: (p) => relay.broadcast({ type: 'flash', job_id: 'fl_test', state: 'running', ...p }),
      onLog: () => undefined,
    });
    await booted; // a caller slow to give the port back loses none of the boot log
    await lent.close();
    expect(result.images[0]!.md5).not.toBeNull();
    await a.until((c) => c.text().includes('App version:      3.0.0') && c.text().endsWith(PROMPT));
    expect(a.text()).toContain('app_init: Project name:     watched\r\n');
    expect(a.text()).not.toContain('\xc0'); // no protocol bytes reached the console
    const phases = a.messages.filter((m) => m.type === 'flash').map((m) => (m as { phase: string }).phase);
    expect(new Set(phases)).toEqual(new Set(['connecting', 'erasing', 'writing', 'verifying', 'resetting']));
  });

  it('closes the lent stream when the port goes away, and refuses to lend a lost port', async () => {
    const { registry, relay } = await rig();
    const lent = relay.lend();
    const closed = new Promise((resolve) => lent.stream.once('close', resolve));
    registry.setVirtualCount(0);
    await closed;
    expect(lent.stream.isOpen).toBe(false);
    await lent.close();
    expect(() => relay.lend()).toThrow(expect.objectContaining({ code: 'upstream_unavailable' }));
  });
});
