import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { sessionToAttach, type AttachOptions } from '../../../src/cli/console/attach.js';
import { EXIT } from '../../../src/transport/protocol/errors.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { aSession } from '../helpers/sessions.js';

let fake: FakeDaemon;
let client: DaemonClient;
beforeEach(async () => {
  fake = await startFakeDaemon();
  client = new DaemonClient({ socketPath: fake.socket });
});
afterEach(() => fake.close());

const board = (id: string, type: string, state = 'available') => ({ id, type, name: id, state, rate_credits_per_min: 1, serial: {}, session_id: null });

function options(overrides: Partial<AttachOptions> = {}): AttachOptions & { said: string[]; asked: string[] } {
  const said: string[] = [];
  const asked: string[] = [];
  return {
    given: undefined,
    interactive: false,
    ask: async (q) => {
      asked.push(q);
      return '';
    },
    say: (line) => said.push(line),
    said,
    asked,
    ...overrides,
  };
}

describe('sessionToAttach', () => {
  it('attaches to the session named, and to the single live one when none is named', async () => {
    const live = aSession({ id: 'ses_bbbbbbbbbbbbbbbbbbbbbbbb', state: 'active' });
    fake.route('GET', '/v1/sessions', { body: { sessions: [live] } });
    fake.route('GET', `/v1/sessions/${live.id}`, { body: live });
    expect((await sessionToAttach(client, options())).id).toBe(live.id);
    expect((await sessionToAttach(client, options({ given: live.id }))).id).toBe(live.id);
  });

  it('refuses an ended session with exit 4 and its end reason', async () => {
    const ended = aSession({ state: 'ended', end_reason: 'idle_timeout', ws_url: null });
    fake.route('GET', `/v1/sessions/${ended.id}`, { body: ended });
    await expect(sessionToAttach(client, options({ given: ended.id }))).rejects.toMatchObject({
      exit: EXIT.not_found,
      message: `Session ${ended.id} has ended (idle_timeout); there is nothing to attach to.`,
    });
  });

  it('with no live session, a script gets exit 4 and is not asked anything', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
    const o = options();
    await expect(sessionToAttach(client, o)).rejects.toMatchObject({ exit: EXIT.not_found, message: 'There is no live session to attach to.' });
    expect(o.asked).toEqual([]);
  });

  it('with no live session, a terminal user is offered one on a free board type, and gets it', async () => {
    const created = aSession({ id: 'ses_cccccccccccccccccccccccc', state: 'idle' });
    fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
    fake.route('GET', '/v1/boards', { body: { boards: [board('lab-1', 'esp32-s3', 'reserved'), board('virtual-1', 'virtual'), board('pico', 'rp2040')] } });
    fake.route('POST', '/v1/sessions', { status: 201, body: created });
    const o = options({ interactive: true });
    expect((await sessionToAttach(client, o)).id).toBe(created.id);
    expect(o.asked).toEqual(['No live session. Reserve a board? Free types: virtual, rp2040. Type [virtual], or n to cancel: ']);
    expect(fake.requests.find((r) => r.method === 'POST')!.body).toEqual({ board_type: 'virtual' });
    expect(o.said).toEqual([`Reserved ${created.id} (virtual-1).`]);
  });

  it('takes the type typed, and n (or no answer) as a no: exit 4', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
    fake.route('GET', '/v1/boards', { body: { boards: [board('virtual-1', 'virtual'), board('pico', 'rp2040')] } });
    fake.route('POST', '/v1/sessions', (req) => ({ status: 201, body: aSession({ board_type: (req.body as { board_type: string }).board_type }) }));
    expect((await sessionToAttach(client, options({ interactive: true, ask: async () => 'rp2040' }))).board_type).toBe('rp2040');
    await expect(sessionToAttach(client, options({ interactive: true, ask: async () => 'n' }))).rejects.toMatchObject({ exit: EXIT.not_found });
    await expect(sessionToAttach(client, options({ interactive: true, ask: async () => null }))).rejects.toMatchObject({ exit: EXIT.not_found });
  });

  it('names the live sessions when there are several (exit 2)', async () => {
    const a = aSession({ id: 'ses_dddddddddddddddddddddddd' });
    const b = aSession({ id: 'ses_eeeeeeeeeeeeeeeeeeeeeeee' });
    fake.route('GET', '/v1/sessions', { body: { sessions: [a, b] } });
    await expect(sessionToAttach(client, options())).rejects.toMatchObject({ exit: EXIT.usage, message: expect.stringContaining(b.id) });
  });
});
