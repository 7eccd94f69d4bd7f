import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSerial, MAX_SEND_FRAME, serialUrl, type SerialEvent } from '../../../src/cli/client/serial-socket.js';
import { startFakeSerialDaemon, type FakeSerialDaemon } from '../helpers/fake-serial-daemon.js';

let fake: FakeSerialDaemon;
beforeEach(async () => {
  fake = await startFakeSerialDaemon();
});
afterEach(() => fake.close());

describe('connectSerial', () => {
  it('appends since to the ws_url', () => {
    expect(serialUrl('ws+unix:///s:/v1/sessions/x/serial')).toBe('ws+unix:///s:/v1/sessions/x/serial');
    expect(serialUrl('ws+unix:///s:/v1/sessions/x/serial', 0)).toBe('ws+unix:///s:/v1/sessions/x/serial?since=0');
  });

  it('delivers frames that came before anyone listened, in order, then the close', async () => {
    const server = fake.nextClient();
    const conn = await connectSerial(fake.session.ws_url!, { since: 7 });
    const side = await server;
    expect(side.url).toBe(`/v1/sessions/${fake.session.id}/serial?since=7`);
    side.data(Buffer.from([0, 255, 13]));
    side.control({ type: 'gap', lost_bytes: 3 });
    side.ws.close(1000, 'session ended');
    const events: SerialEvent[] = [];
    await new Promise<void>((resolve) => conn.listen((e) => (events.push(e), e.type === 'closed' && resolve())));
    expect(events).toEqual([
      { type: 'data', chunk: Buffer.from([0, 255, 13]) },
      { type: 'message', message: { type: 'gap', lost_bytes: 3 } },
      { type: 'closed', code: 1000, reason: 'session ended' },
    ]);
  });

  it('writes in frames of at most 64 KiB and resolves end() once the daemon has answered the close', async () => {
    const server = fake.nextClient();
    const conn = await connectSerial(fake.session.ws_url!);
    const side = await server;
    const payload = Buffer.alloc(2 * MAX_SEND_FRAME + 10, 0xa5);
    await conn.write(payload);
    await conn.end();
    expect(side.received.map((f) => f.length)).toEqual([MAX_SEND_FRAME, MAX_SEND_FRAME, 10]);
    expect(side.bytes.equals(payload)).toBe(true);
    expect(await side.closed).toBe(1000);
  });

  it("turns a refused upgrade into the daemon's own error and exit code", async () => {
    fake.refuse = { status: 404, body: { error: 'Session ses_x has ended (idle_timeout).', code: 'not_found' } };
    await expect(connectSerial(fake.session.ws_url!)).rejects.toMatchObject({ exit: 4, message: 'Session ses_x has ended (idle_timeout).' });
    fake.refuse = { status: 409, body: { error: 'Session ses_x is pending.', code: 'session_conflict' } };
    await expect(connectSerial(fake.session.ws_url!)).rejects.toMatchObject({ exit: 5 });
  });

  it('says the daemon is not running when nothing listens on the socket (exit 3)', async () => {
    const url = `ws+unix://${fake.home}/nothing.sock:/v1/sessions/x/serial`;
    await expect(connectSerial(url)).rejects.toMatchObject({ exit: 3, code: 'daemon_not_running' });
  });

  it('gives up with exit 130 when Ctrl-C came first', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(connectSerial(fake.session.ws_url!, { signal: abort.signal })).rejects.toMatchObject({ exit: 130 });
    expect(fake.requests).toEqual([]);
  });
});
