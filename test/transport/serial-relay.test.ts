import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { BoardRegistry, type OpenedPort } from '../../src/daemon/boards/board-registry.js';
import { PROMPT } from '../../src/daemon/boards/esp32s3-rom.js';
import { floodBytes } from '../../src/daemon/boards/flood-pattern.js';
import { SerialRelay, type SerialRelayOptions } from '../../src/transport/serial-relay.js';
import { TestClient } from './ws-test-client.js';

interface Rig {
  registry: BoardRegistry;
  port: OpenedPort;
  relay: SerialRelay;
  connect(query?: string): Promise<TestClient>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real relay on a real virtual board, served by a real WebSocketServer on a Unix socket, as the daemon does. */
async function rig(options: SerialRelayOptions = {}): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'fbay-relay-'));
  const sock = join(dir, 'relay.sock');
  const registry = new BoardRegistry({ virtualBoards: 2, loadSystemBinding: () => Promise.reject(new Error('none')), sleep: async () => undefined });
  const port = await registry.open('virtual-1');
  const relay = new SerialRelay(port, options);
  const server: Server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1024 * 1024 + 1 });
  wss.on('connection', (ws, req) => {
    const since = new URL(req.url ?? '/', 'http://fbay').searchParams.get('since');
    relay.attach(ws, since === null ? {} : { since: Number(since) });
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  const clients: TestClient[] = [];
  cleanups.push(async () => {
    await relay.close();
    clients.forEach((c) => c.ws.terminate());
    for (const ws of wss.clients) ws.terminate();
    await new Promise((r) => wss.close(r));
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });
  return {
    registry,
    port,
    relay,
    connect: async (query = '') => {
      const client = await TestClient.connect(`ws+unix://${sock}:/serial${query}`);
      clients.push(client);
      return client;
    },
  };
}

const endsWithPrompt = (c: TestClient) => c.tail(PROMPT.length) === PROMPT;

describe('SerialRelay', () => {
  it('relays binary both ways and counts clients', async () => {
    const { relay, connect } = await rig();
    const counts: number[] = [];
    relay.on('clients', (n: number) => counts.push(n));
    const a = await connect();
    a.send(Buffer.from('echo hi\r'));
    await a.until((c) => c.text().endsWith(`hi\r\n${PROMPT}`));
    expect(a.text()).toBe(`echo hi\r\nhi\r\n${PROMPT}`);
    expect(relay.offset).toBe(a.length);
    expect(relay.clientCount).toBe(1);
    a.ws.close();
    await a.closed;
    await new Promise<void>((resolve) => (counts.length === 2 ? resolve() : relay.once('clients', () => resolve())));
    expect(counts).toEqual([1, 0]);
  });

  it('fans output out to every client and merges their input', async () => {
    const { connect } = await rig();
    const a = await connect();
    const b = await connect();
    a.send(Buffer.from('echo one\r'));
    await b.until((c) => c.text().includes(`one\r\n${PROMPT}`));
    b.send(Buffer.from('echo two\r'));
    await a.until((c) => c.text().includes(`two\r\n${PROMPT}`));
    await b.until((c) => c.length === a.length);
    const expected = `echo one\r\none\r\n${PROMPT}echo two\r\ntwo\r\n${PROMPT}`;
    expect(a.text()).toBe(expected);
    expect(b.text()).toBe(expected);
  });

  it('runs control messages: signals, reset, baud and break', async () => {
    const { connect } = await rig();
    const a = await connect();
    a.control({ type: 'signals', dtr: false, rts: true }); // EN low: chip held in reset
    a.control({ type: 'signals', rts: false }); // EN released: it boots
    await a.until((c) => c.text().includes('rst:0x1 (POWERON),boot:0x8') && endsWithPrompt(c));
    const boots = a.length;
    a.control({ type: 'reset', mode: 'hard' });
    await a.until((c) => c.length > boots && c.text().slice(boots).includes('ESP-ROM:esp32s3-20210327') && endsWithPrompt(c));
    a.control({ type: 'baud', rate: 921600 });
    a.control({ type: 'break' });
    a.send(Buffer.from('info\r'));
    await a.until((c) => c.text().includes('baud: 921600\r\n') && endsWithPrompt(c));
    a.control({ type: 'baud', rate: 12345 });
    await a.until((c) => c.errors().length > 0);
    expect(a.errors()).toEqual([{ type: 'error', code: 'invalid_request', error: expect.stringContaining('12345') }]);
  });

  it('answers a malformed control message with invalid_request and keeps the connection', async () => {
    const { connect } = await rig();
    const a = await connect();
    a.control('not json');
    a.control({ type: 'baud', rate: 'fast' });
    a.control({ type: 'launch' });
    await a.until((c) => c.errors().length === 3);
    for (const e of a.errors()) {
      expect(e.code).toBe('invalid_request');
      expect(e.error).toContain('{"type":"reset","mode":"hard"|"bootloader"}');
    }
    a.send(Buffer.from('echo still here\r'));
    await a.until((c) => c.text().includes('still here\r\n'));
  });

  it('replays from `since` byte-exact, then goes on live; without since, live only', async () => {
    const { relay, connect } = await rig();
    const a = await connect();
    a.send(Buffer.from('flood 5000\r'));
    await a.until((c) => c.length > 5000 && endsWithPrompt(c));
    const offset = relay.offset;
    expect(offset).toBe(a.length);
    const full = await connect('?since=0');
    const last100 = await connect(`?since=${offset - 100}`);
    const live = await connect();
    await full.until((c) => c.length === offset);
    await last100.until((c) => c.length === 100);
    expect(full.bytes().equals(a.bytes())).toBe(true);
    expect(last100.bytes().equals(a.bytes().subarray(offset - 100))).toBe(true);
    a.send(Buffer.from('echo more\r'));
    await full.until((c) => c.text().endsWith(`more\r\n${PROMPT}`));
    await live.until((c) => c.text().endsWith(`more\r\n${PROMPT}`));
    expect(live.text()).toBe(`echo more\r\nmore\r\n${PROMPT}`);
    expect(full.messages).toEqual([]);
  });

  it('sends a gap first when since is older than the ring', async () => {
    const { relay, connect } = await rig({ ringBytes: 4096 });
    const a = await connect();
    a.send(Buffer.from('flood 10000\r'));
    await a.until((c) => c.length > 10_000 && endsWithPrompt(c));
    const late = await connect('?since=0');
    await late.until((c) => c.length === 4096);
    expect(late.segments[0]).toEqual({ gap: relay.offset - 4096 });
    expect(late.bytes().equals(a.bytes().subarray(relay.offset - 4096))).toBe(true);
  });

  it('drops output for a stalled client and reports a gap, while the other gets every byte', async () => {
    const { relay, connect } = await rig({ clientQueueBytes: 256 * 1024 });
    const fast = await connect();
    const slow = await connect();
    slow.ws.pause(); // stops reading its socket
    const N = 8_000_000;
    fast.send(Buffer.from(`flood ${N}\r`));
    await fast.until((c) => c.length > N && endsWithPrompt(c));
    const head = Buffer.from(`flood ${N}\r\n`);
    const all = fast.bytes();
    expect(all.length).toBe(head.length + N + PROMPT.length);
    expect(all.subarray(head.length, head.length + N).equals(floodBytes(N))).toBe(true);

    slow.ws.resume();
    await slow.until((c) => c.segments.some((s) => 'gap' in s));
    fast.send(Buffer.from('echo done\r'));
    await slow.until((c) => c.text().endsWith(`done\r\n${PROMPT}`));
    await fast.until((c) => c.length === relay.offset);

    // What the slow client got is the fast client's stream with holes exactly where its gaps say.
    const reference = fast.bytes();
    let at = 0;
    let lost = 0;
    for (const s of slow.segments) {
      if ('gap' in s) {
        at += s.gap;
        lost += s.gap;
      } else {
        expect(s.data.equals(reference.subarray(at, at + s.data.length))).toBe(true);
        at += s.data.length;
      }
    }
    expect(at).toBe(reference.length);
    expect(lost).toBeGreaterThan(1_000_000);
  });

  it('writes a large paste to the board with backpressure, byte-exact', async () => {
    const { connect } = await rig();
    const a = await connect();
    const chunk = Buffer.alloc(256 * 1024, 'x');
    for (let i = 0; i < 4; i++) a.send(chunk);
    await a.until((c) => c.length >= 4 * chunk.length);
    expect(a.length).toBe(4 * chunk.length);
    expect(a.bytes().every((b) => b === 0x78)).toBe(true);
  });

  it('closes a client with 1009 when its input floods past the bound', async () => {
    const { connect } = await rig({ clientQueueBytes: 32 * 1024 });
    const a = await connect();
    a.send(Buffer.alloc(1024 * 1024, 'y'));
    const { code } = await a.closed;
    expect(code).toBe(1009);
    expect(a.errors()[0]?.code).toBe('payload_too_large');
  });

  it('keeps clients through a lost port, drops their input meanwhile, and carries on with the replacement port', async () => {
    const { registry, relay, connect } = await rig();
    const a = await connect();
    const lost = new Promise((resolve) => relay.once('port-lost', resolve));
    registry.setVirtualCount(0); // unplugs virtual-1
    expect(await lost).toMatchObject({ disconnected: true });
    expect(relay.portLost).toBe(true);
    a.send(Buffer.from('typed while away\r'));
    a.send(Buffer.from('and again\r'));
    await a.until((c) => c.errors().length === 1);
    expect(a.errors()[0]).toMatchObject({ code: 'upstream_unavailable', error: expect.stringContaining('dropped until it is back') });
    const before = relay.offset;
    registry.setVirtualCount(1); // the same board re-enumerates
    relay.replacePort(await registry.open('virtual-1'));
    a.send(Buffer.from('echo welcome-back\r'));
    await a.until((c) => /welcome-back[\s\S]*welcome-back/.test(c.text()));
    expect(relay.offset).toBeGreaterThan(before);
    expect(a.text()).not.toContain('typed while away');
    expect(a.errors()).toHaveLength(1);
  });

  it('broadcasts control messages and closes every client, then the port, on close()', async () => {
    const { port, relay, connect } = await rig();
    const a = await connect();
    const b = await connect();
    relay.broadcast({ type: 'gap', lost_bytes: 0 });
    await Promise.all([a, b].map((c) => c.until((x) => x.messages.length === 1)));
    await relay.close(4000, 'session ended');
    expect(port.stream.isOpen).toBe(false);
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    expect(ca).toEqual({ code: 4000, reason: 'session ended' });
    expect(cb).toEqual({ code: 4000, reason: 'session ended' });
  });
});
