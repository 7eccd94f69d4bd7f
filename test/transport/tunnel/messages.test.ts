// The tunnel's control messages: a host's and a coordinator's are checked against the schema of the op they name.
import { describe, expect, it } from 'vitest';
import { parseCoordinatorMessage, parseHostMessage } from '../../../src/transport/tunnel/messages.js';
import { fitJob, fitPower, MAX_JOB_TEXT } from '../../../src/transport/tunnel/flash-messages.js';
import type { FlashJob, PowerReply } from '../../../src/transport/protocol/flash-api.js';

const board = {
  id: 'virtual-1',
  type: 'virtual',
  name: 'virtual-1',
  rate_credits_per_min: 1,
  online: true,
  held: false,
  serial: { path: 'virtual:1', vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null },
};

describe('tunnel messages', () => {
  it("take a host's hello, boards, replies and ends", () => {
    expect(parseHostMessage({ op: 'hello', version: '0.1.0', boards: [board], sessions: ['ses_abcdefghijklmnopqrstuvwx'] })).toHaveProperty('message');
    expect(parseHostMessage({ op: 'reply', id: 3, ok: true, offset: 10, input: null })).toHaveProperty('message');
    expect(parseHostMessage({ op: 'reply', id: 3, ok: false, code: 'not_found', error: 'gone', ended: 'board_lost' })).toHaveProperty('message');
    expect(parseHostMessage({ op: 'ended', session: 'ses_abcdefghijklmnopqrstuvwx', reason: 'board_lost' })).toHaveProperty('message');
  });

  it('take the browsers a host offers, and stream channels opened and closed either way', () => {
    expect(parseHostMessage({ op: 'hello', version: '0.1.0', boards: [], sessions: [], browsers: 8 })).toHaveProperty('message');
    expect(parseHostMessage({ op: 'hello', version: '0.1.0', boards: [], sessions: [], browsers: -1 })).toEqual({ problem: expect.stringContaining('browsers = -1') });
    expect(parseHostMessage({ op: 'disconnect', channel: 3 })).toEqual({ message: { op: 'disconnect', channel: 3 } });
    expect(parseHostMessage({ op: 'disconnect', channel: 0 })).toEqual({ problem: expect.stringContaining('channel = 0') });
    expect(parseCoordinatorMessage({ op: 'connect', id: 5, channel: 9 })).toEqual({ message: { op: 'connect', id: 5, channel: 9 } });
    expect(parseCoordinatorMessage({ op: 'connect', id: 5, channel: 9, path: '/x' })).toEqual({ problem: expect.stringContaining('path') });
    expect(parseCoordinatorMessage({ op: 'disconnect', channel: 9 })).toEqual({ message: { op: 'disconnect', channel: 9 } });
    expect(parseHostMessage({ op: 'ack', channel: 9, offset: 4194304 })).toEqual({ message: { op: 'ack', channel: 9, offset: 4194304 } });
    expect(parseCoordinatorMessage({ op: 'ack', channel: 9, offset: -1 })).toEqual({ problem: expect.stringContaining('offset = -1') });
  });

  it("take the sandboxes a host offers, a stream to a port in one, and the coordinator's word to move one", () => {
    expect(parseHostMessage({ op: 'hello', version: '0.1.0', boards: [], sessions: [], sandboxes: 10 })).toHaveProperty('message');
    expect(parseHostMessage({ op: 'hello', version: '0.1.0', boards: [], sessions: [], sandboxes: 1.5 })).toEqual({ problem: expect.stringContaining('sandboxes = 1.5') });
    const sandbox = { session: 'ses_abcdefghijklmnopqrstuvwx', port: 3000 };
    expect(parseCoordinatorMessage({ op: 'connect', id: 5, channel: 9, sandbox })).toEqual({ message: { op: 'connect', id: 5, channel: 9, sandbox } });
    expect(parseCoordinatorMessage({ op: 'connect', id: 5, channel: 9, sandbox: { ...sandbox, port: 70_000 } })).toEqual({ problem: expect.stringContaining('sandbox.port = 70000') });
    expect(parseCoordinatorMessage({ op: 'connect', id: 5, channel: 9, sandbox: { ...sandbox, session: '../x' } })).toEqual({ problem: expect.stringContaining('sandbox.session') });
    const move = { op: 'sandbox', id: 6, session: sandbox.session, state: 'idle' };
    expect(parseCoordinatorMessage(move)).toEqual({ message: move });
    expect(parseCoordinatorMessage({ ...move, state: 'expired' })).toEqual({ problem: expect.stringContaining('state = "expired"') });
  });

  it('say which field of which message is wrong, what it got and why', () => {
    expect(parseHostMessage({ op: 'hello', version: 'x', boards: [{ ...board, id: '../x' }], sessions: [] })).toEqual({
      problem: expect.stringMatching(/^hello message does not fit: boards\.0\.id = "\.\.\/x"/),
    });
    expect(parseHostMessage({ op: 'boards', boards: [{ ...board, extra: 1 }] })).toEqual({ problem: expect.stringContaining('boards.0.extra') });
    expect(parseHostMessage({ op: 'steal' })).toEqual({ problem: 'unknown op "steal"; known: hello, boards, reply, ended, job, disconnect, ack' });
    expect(parseHostMessage([1])).toEqual({ problem: 'a message must be a JSON object; got [1]' });
    expect(parseHostMessage({ op: 'constructor' })).toEqual({ problem: expect.stringContaining('unknown op "constructor"') });
  });

  it("answer a coordinator's request with an op this host does not know (so it can reply), and check the known ones", () => {
    expect(parseCoordinatorMessage({ op: 'teleport', id: 4, session: 'x' })).toEqual({ unknownOp: { id: 4, op: 'teleport' } });
    const open = { op: 'open', id: 1, channel: 1, session: 'ses_abcdefghijklmnopqrstuvwx', board: 'virtual-1', since: 0, keep_s: 60 };
    expect(parseCoordinatorMessage(open)).toEqual({ message: open });
    expect(parseCoordinatorMessage({ ...open, channel: 0 })).toEqual({ problem: expect.stringContaining('channel = 0') });
    expect(parseCoordinatorMessage({ op: 'control', id: 2, session: open.session, message: { type: 'reset', mode: 'soft' } })).toHaveProperty('problem');
  });

  it('carry flash and power: an upload, the flash, a job read and a switch; the host\'s job and its power reply, any job made to fit', () => {
    const session = 'ses_abcdefghijklmnopqrstuvwx';
    expect(parseCoordinatorMessage({ op: 'upload', id: 1, session, channel: 3, size: 1024 })).toHaveProperty('message');
    const flash = { op: 'flash', id: 2, session, channel: 3, images: [{ name: 'a.bin', size: 1024, offset: null }], verify: true, erase_all: false, force: false };
    expect(parseCoordinatorMessage(flash)).toEqual({ message: flash });
    expect(parseCoordinatorMessage({ ...flash, images: [] })).toEqual({ problem: expect.stringContaining('images') });
    expect(parseCoordinatorMessage({ op: 'flash_job', id: 3, session })).toHaveProperty('message');
    expect(parseCoordinatorMessage({ op: 'power', id: 4, session, action: 'sideways' })).toEqual({ problem: expect.stringContaining('action = "sideways"') });
    const job: FlashJob = {
      id: 'fl_abcdefghijklmnopqrstuvwx', session_id: session, state: 'failed', method: 'command', phase: 'writing', written: 0, total: 4, kbit_s: 0,
      images: [{ name: 'a.bin', offset: 0, size: 4, description: 'file', md5: null }], forced: [], verify: true, erase_all: false,
      started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:01.000Z', seconds: 1, resumed: 0, error: 'x'.repeat(5000), failure: 'command_failed',
      offset: null, boot_output: null, log: Array.from({ length: 60 }, (_, i) => `line ${i} ${'y'.repeat(3000)}`), log_count: 60, boot_offset: null,
    };
    // A flash_command that prints long lines and a long error: the host cuts them, the coordinator takes the job.
    expect(parseHostMessage({ op: 'job', session, job })).toHaveProperty('problem');
    const fitted = fitJob(job);
    expect(parseHostMessage({ op: 'job', session, job: fitted })).toEqual({ message: { op: 'job', session, job: fitted } });
    expect(fitted.log).toHaveLength(50);
    expect(fitted.log[0]).toMatch(/^line 10 y+…$/);
    expect(fitted.error).toHaveLength(MAX_JOB_TEXT);
    const power: PowerReply = { session_id: session, action: 'off', verified: 'unverified', why: 'the USB device did not go away', output: [], power: 'off' };
    expect(parseHostMessage({ op: 'reply', id: 5, ok: true, power: fitPower(power) })).toHaveProperty('message');
    expect(parseHostMessage({ op: 'reply', id: 6, ok: false, code: 'power_failed', error: 'Power off failed: exit 1', output: ['boom'] })).toHaveProperty('message');
  });
});
