import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Board } from '../../../src/transport/protocol/api.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';

let fake: FakeDaemon;
beforeEach(async () => {
  fake = await startFakeDaemon();
});
afterEach(() => fake.close());

const BOARD: Board = {
  id: 'virtual-1',
  type: 'virtual',
  name: 'virtual-1',
  state: 'available',
  rate_credits_per_min: 1,
  serial: { path: 'virtual:1', vid: null, pid: null, serial_number: null },
  session_id: null,
};

describe('fbay boards', () => {
  it('lists boards with `boards` and `boards list`, as a table or as {"boards": [...]}', async () => {
    fake.route('GET', '/v1/boards', { body: { boards: [BOARD] } });
    const env = { FBAY_HOME: fake.home };
    const human = await run(['boards'], env);
    expect(human.stdout).toMatch(/^ID\s+TYPE/);
    expect(human.stdout).toContain('virtual:1');
    expect(JSON.parse((await run(['boards', 'list', '--json'], env)).stdout)).toEqual({ boards: [BOARD] });
  });
});
