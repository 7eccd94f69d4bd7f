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
  serial: { path: 'virtual:1', vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null },
  session_id: null,
  host: null,
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

  it('boards add sends a board entry and prints the board; boards remove deletes it', async () => {
    const env = { FBAY_HOME: fake.home };
    fake.route('POST', '/v1/boards', { status: 201, body: { ...BOARD, id: 'bench-1', name: 'bench-1', type: 'esp32-s3' } });
    const added = await run(
      ['boards', 'add', '--path', '/dev/ttyACM0', '--type', 'esp32-s3', '--name', 'bench-1', '--baud', '921600', '--reset-bootloader', 'D0|R1|W0.1|D1|R0|W0.05|D0'],
      env,
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Added board bench-1 (esp32-s3)');
    expect(fake.requests.at(-1)!.body).toEqual({
      type: 'esp32-s3',
      name: 'bench-1',
      path: '/dev/ttyACM0',
      baud: 921600,
      reset_bootloader: 'D0|R1|W0.1|D1|R0|W0.05|D0',
    });
    await run(['boards', 'add', '--path', '/dev/ttyACM1', '--type', 'nrf52', '--new-type'], env);
    expect(fake.requests.at(-1)!.body).toEqual({ type: 'nrf52', path: '/dev/ttyACM1', new_type: true });
    fake.route('DELETE', '/v1/boards/bench-1', { body: { removed: { name: 'bench-1' } } });
    const removed = await run(['boards', 'remove', 'bench-1', '--json'], env);
    expect(JSON.parse(removed.stdout)).toEqual({ removed: { name: 'bench-1' } });
  });

  it('boards add needs exactly one of --path and --serial-number (exit 2), and --type', async () => {
    const env = { FBAY_HOME: fake.home };
    const both = await run(['boards', 'add', '--path', '/dev/x', '--serial-number', 'A1', '--type', 'esp32-s3'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --path or --serial-number/);
    expect((await run(['boards', 'add', '--path', '/dev/x'], env)).code).toBe(2);
    expect((await run(['boards', 'add', '--path', '/dev/x', '--type', 'usb-serial', '--baud', 'fast'], env)).stderr).toMatch(/--baud must be a number; got 'fast'/);
    expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });
});
