import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { CdpPipe } from '../../../src/daemon/browsers/cdp-pipe.js';

function pipePair() {
  const toBrowser = new PassThrough();
  const fromBrowser = new PassThrough();
  const pipe = new CdpPipe(toBrowser, fromBrowser);
  const messages: string[] = [];
  pipe.on('message', (m) => messages.push(m.toString()));
  return { pipe, toBrowser, fromBrowser, messages };
}

describe('CdpPipe', () => {
  it('splits NUL-separated messages, across chunk boundaries and several per chunk', async () => {
    const { fromBrowser, messages } = pipePair();
    fromBrowser.write('{"id":1}\0{"id"');
    fromBrowser.write(':2}\0{"id":3}\0');
    const big = 'x'.repeat(300_000);
    fromBrowser.write(`{"d":"${big.slice(0, 100_000)}`);
    fromBrowser.write(`${big.slice(100_000)}"}\0`);
    await new Promise((r) => setImmediate(r));
    expect(messages.slice(0, 3)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    expect(JSON.parse(messages[3]!).d).toHaveLength(300_000);
  });

  it('writes a message from parts followed by one NUL', async () => {
    const { pipe, toBrowser } = pipePair();
    pipe.send(Buffer.from('{"id":1,'), Buffer.from('"method":"A.b"}'));
    pipe.send(Buffer.from('{"id":2}'));
    await new Promise((r) => setImmediate(r));
    expect(toBrowser.read().toString()).toBe('{"id":1,"method":"A.b"}\0{"id":2}\0');
  });

  it('closes once when the browser end goes away', async () => {
    const { pipe, fromBrowser } = pipePair();
    let closes = 0;
    pipe.on('close', () => closes++);
    fromBrowser.end();
    fromBrowser.resume();
    await new Promise((r) => setImmediate(r));
    pipe.close();
    expect(closes).toBe(1);
    expect(pipe.isClosed).toBe(true);
  });
});
