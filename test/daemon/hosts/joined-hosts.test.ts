// A coordinator with hosts that joined it, real processes: their boards listed with their host and allocated like
// local ones, the meter and the relay unchanged, the hosts in `daemon status`, a board id only one host may hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { readUntil } from '../../helpers/daemon-process.js';
import { coordinated, joinedAll, logged, type Coordinated } from '../../helpers/joined-hosts.js';

const FBAY = fileURLToPath(new URL('../../../bin/fbay', import.meta.url));
const shared = { name: 'shared-esp', type: 'esp32-s3', path: '/dev/fbay-test-absent' };
let t: Coordinated;

beforeAll(async () => {
  t = await coordinated({ hosts: [{ name: 'lab1', config: { boards: [shared] } }] });
  await joinedAll(t);
}, 30_000);
afterAll(() => t.close());

const fbay = (...args: string[]) => execa(process.execPath, [FBAY, ...args], { reject: false, env: { FBAY_HOME: t.coord.home.home } });

describe('boards on a joined host', () => {
  it('are listed with their host (a virtual board as HOST.virtual-N), in the API and in `fbay boards`', async () => {
    const boards = (await t.tcp('GET', '/v1/boards')).body.boards;
    expect(boards.map((b: { id: string; host: string; state: string }) => [b.id, b.host, b.state])).toEqual([
      ['shared-esp', 'lab1', 'offline'],
      ['lab1.virtual-1', 'lab1', 'available'],
      ['lab1.virtual-2', 'lab1', 'available'],
    ]);
    const table = await fbay('boards');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+HOST\s+TYPE/);
    expect(table.stdout).toMatch(/lab1\.virtual-1\s+lab1\s+virtual/);
  });

  it('are allocated like local boards: serial, metering, reset, and the board held on its host until the end', async () => {
    const s = (await t.tcp('POST', '/v1/sessions', { board_type: 'virtual' })).body;
    expect(s).toMatchObject({ state: 'idle', board_id: 'lab1.virtual-1', host: 'lab1', credits_used: 1 });
    expect((await t.hosts[0]!.api('GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'virtual-1').state).toBe('reserved');
    const ws = await t.serial(s.id);
    ws.send(Buffer.from('echo through-the-tunnel\r'));
    await readUntil(ws, (text) => text.includes('through-the-tunnel\r\nfbay-virtual> '));
    const reset = await t.tcp('POST', `/v1/sessions/${s.id}/reset`, { mode: 'hard' });
    expect(reset.status).toBe(200);
    await readUntil(ws, (text) => text.includes('ESP-ROM:esp32s3'));
    ws.close();
    const ended = (await t.tcp('DELETE', `/v1/sessions/${s.id}`)).body;
    expect(ended).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    // Charged by the coordinator, to its own account: the host keeps no meter of its own for it.
    expect((await t.tcp('GET', '/v1/auth/me')).body.balance_credits).toBeCloseTo(1000 - ended.credits_used, 6);
    await expect.poll(async () => (await t.hosts[0]!.api('GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'virtual-1').state).toBe('available');
    // The client's transcript on the coordinator is the host's, byte for byte.
    const log = await t.log(s.id);
    expect(log.length).toBeGreaterThan(100);
    expect(log.equals(t.hosts[0]!.transcript(s.id))).toBe(true);
  });

  it("shows a board one of the host's own sessions has as reserved, and never hands it out", async () => {
    const own = (await t.hosts[0]!.api('POST', '/v1/sessions', { board_id: 'virtual-2' })).body;
    expect(own.state).toBe('idle');
    await expect
      .poll(async () => (await t.tcp('GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'lab1.virtual-2').state)
      .toBe('reserved');
    const refused = await t.tcp('POST', '/v1/sessions', { board_id: 'lab1.virtual-2' });
    expect(refused.status).toBe(503);
    await t.hosts[0]!.api('DELETE', `/v1/sessions/${own.id}`);
    await expect
      .poll(async () => (await t.tcp('GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'lab1.virtual-2').state)
      .toBe('available');
  });

  it('lists its hosts in `fbay daemon status` (name, boards, browsers, sandboxes, version, last heartbeat, link)', async () => {
    const json = JSON.parse((await fbay('--json', 'daemon', 'status')).stdout);
    expect(json.hosts).toEqual([expect.objectContaining({ name: 'lab1', link: 'open', boards: 3, version: expect.any(String), last_heartbeat_at: expect.any(String) })]);
    const text = (await fbay('daemon', 'status')).stdout;
    expect(text).toMatch(/HOST\s+BOARDS\s+SESSIONS\s+BROWSERS\s+SANDBOXES\s+VERSION\s+LAST HEARTBEAT\s+LINK/);
    // The host has Chromium: it offers as many browsers as it runs at once (browsers.max_concurrent, 8 by default);
    // and it runs sandboxes (bubblewrap): as many as join.sandboxes says, 10 by default.
    expect(json.hosts[0]).toMatchObject({ browsers: 8, sandboxes: 10 });
    expect(text).toMatch(/lab1\s+3\s+0\s+8\s+10\s+\S+\s+(just now|\d+s ago)\s+open/);
    const host = JSON.parse((await execa(process.execPath, [FBAY, '--json', 'daemon', 'status'], { env: { FBAY_HOME: t.hosts[0]!.home.home } })).stdout);
    expect(host.join).toMatchObject({ host: 'lab1', state: 'open', boards: 3, refused: [] });
  });
});

describe('a board id another host holds', () => {
  it('is refused to the second host with a sentence, which the host logs and shows', async () => {
    const from = t.coord.daemon.stderr().length;
    const lab2 = await t.addHost('lab2', { boards: [shared] });
    await joinedAll(t, ['lab2'], from);
    const why = await logged(lab2.daemon, /the coordinator refused board shared-esp: .*/);
    expect(why).toContain("Board id 'shared-esp' is already offered by host 'lab1'");
    const join = (await lab2.api('GET', '/v1/hosts')).body.join;
    expect(join.refused).toEqual([{ id: 'shared-esp', reason: expect.stringContaining("already offered by host 'lab1'") }]);
    const boards = (await t.tcp('GET', '/v1/boards')).body.boards;
    expect(boards.filter((b: { id: string }) => b.id === 'shared-esp').map((b: { host: string }) => b.host)).toEqual(['lab1']);
    expect(boards.map((b: { id: string }) => b.id)).toContain('lab2.virtual-1');
  });
});
