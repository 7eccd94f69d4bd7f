import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../../src/shared/clock.js';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { followProcess } from '../../../src/cli/services/sandbox-follow.js';
import type { SandboxProcessOutput } from '../../../src/transport/protocol/sandbox-api.js';
import { startFakeDaemon, type FakeDaemon, type Recorded } from '../helpers/fake-daemon.js';

const ID = 'ses_AAAAAAAAAAAAAAAAAAAAAAAA';
const OUTPUT = `/v1/sessions/${ID}/processes/7/output`;

let fake: FakeDaemon;
let client: DaemonClient;
beforeEach(async () => {
  fake = await startFakeDaemon();
  client = new DaemonClient({ socketPath: fake.socket });
});
afterEach(() => fake.close());

/** A clock that notes every pause asked for and lets it pass at once (on the next turn of the event loop). */
function pausesClock(): Clock & { pauses: number[] } {
  const pauses: number[] = [];
  return {
    pauses,
    now: () => 0,
    setTimeout: (fn, ms) => (pauses.push(ms), setImmediate(fn)) as TimerHandle,
    clearTimeout: (h) => clearImmediate(h as NodeJS.Immediate),
  };
}

/** The daemon's answers, one a read, from a byte log that grows as the test says; `since` is honoured as it asks. */
function processLog(chunks: Buffer[], endAfter: number, lost = 0) {
  let reads = 0;
  const offsets: number[] = [];
  fake.route('GET', OUTPUT, (req: Recorded) => {
    const q = new URL(req.url, 'http://x').searchParams;
    expect(q.get('encoding')).toBe('base64');
    const since = Number(q.get('since'));
    offsets.push(since);
    const have = Buffer.concat(chunks.slice(0, Math.min(++reads, chunks.length)));
    const start = Math.max(since, lost);
    const body: SandboxProcessOutput = {
      pid: 7,
      data: have.subarray(start).toString('base64'),
      encoding: 'base64',
      next: have.length,
      lost: reads === 1 ? Math.max(0, lost - since) : 0,
      ended: reads >= endAfter,
      exit_code: reads >= endAfter ? 3 : null,
    };
    return { body };
  });
  return offsets;
}

describe('followProcess', () => {
  it('prints every byte once, in order, reading on from the offset printed, until the process exits', async () => {
    // "é" is split between the second and the third read: the bytes are printed as they are, so it arrives whole.
    const e = Buffer.from('é');
    const chunks = [Buffer.from('one\n'), Buffer.concat([Buffer.from('two '), e.subarray(0, 1)]), Buffer.alloc(0), Buffer.concat([e.subarray(1), Buffer.from('\nend\n')])];
    const offsets = processLog(chunks, 5);
    const printed: Buffer[] = [];
    const clock = pausesClock();
    const end = await followProcess(client, ID, 7, { since: 0, sink: (b) => printed.push(b), warn: () => expect.unreachable(), clock });
    expect(Buffer.concat(printed).toString('utf8')).toBe('one\ntwo é\nend\n');
    expect(offsets).toEqual([0, 4, 9, 9, 15]);
    expect(end).toEqual({ reason: 'exited', next: 15, exit_code: 3 });
    // Soon again after output, doubling while it is quiet (up to a second), soon again once output comes.
    expect(clock.pauses).toEqual([250, 250, 500, 250]);
  });

  it('starts at --since, and pauses at most a second while the process stays quiet', async () => {
    const offsets = processLog([Buffer.from('0123456789')], 6);
    const printed: Buffer[] = [];
    const clock = pausesClock();
    await followProcess(client, ID, 7, { since: 6, sink: (b) => printed.push(b), warn: () => undefined, clock });
    expect(Buffer.concat(printed).toString()).toBe('6789');
    expect(offsets).toEqual([6, 10, 10, 10, 10, 10]);
    expect(clock.pauses).toEqual([250, 500, 1000, 1000, 1000]);
  });

  it('says how many bytes the daemon no longer had, then prints what it has', async () => {
    processLog([Buffer.from('abcdefgh')], 1, 5);
    const printed: Buffer[] = [];
    const warnings: string[] = [];
    await followProcess(client, ID, 7, { since: 0, sink: (b) => printed.push(b), warn: (l) => warnings.push(l), clock: pausesClock() });
    expect(Buffer.concat(printed).toString()).toBe('fgh');
    expect(warnings).toEqual(['5 bytes of output from offset 0 on are gone (the daemon keeps only the most recent output of a process).']);
  });

  it('Ctrl-C during a pause rejects with exit 130 at once', async () => {
    processLog([Buffer.from('x')], Infinity);
    const interrupt = new AbortController();
    const never: Clock = { now: () => 0, setTimeout: () => (interrupt.abort(), {}), clearTimeout: () => undefined };
    const err = await followProcess(client, ID, 7, { since: 0, sink: () => undefined, warn: () => undefined, signal: interrupt.signal, clock: never }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exit: 130, code: 'interrupted' });
  });

  it('stops quietly when nobody reads stdout any more', async () => {
    processLog([Buffer.from('x')], Infinity);
    let gone!: () => void;
    const outputClosed = new Promise<void>((resolve) => (gone = resolve));
    const never: Clock = { now: () => 0, setTimeout: () => (gone(), {}), clearTimeout: () => undefined };
    const end = await followProcess(client, ID, 7, { since: 0, sink: () => undefined, warn: () => undefined, outputClosed, clock: never });
    expect(end).toEqual({ reason: 'output_closed', next: 1, exit_code: null });
  });

  it('a read that fails after some output keeps the daemon\'s words and exit code, and says where to pick up', async () => {
    let reads = 0;
    fake.route('GET', OUTPUT, () =>
      ++reads === 1
        ? { body: { pid: 7, data: Buffer.from('abc').toString('base64'), encoding: 'base64', next: 3, lost: 0, ended: false, exit_code: null } }
        : { status: 429, headers: { 'retry-after': '20' }, body: { error: 'Account local has made the 1000 sandbox requests a minute its plan (paid) allows; retry in 20 s.', code: 'rate_limited' } },
    );
    const err = await followProcess(client, ID, 7, { since: 0, sink: () => undefined, warn: () => undefined, clock: pausesClock() }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exit: 7,
      message: 'Account local has made the 1000 sandbox requests a minute its plan (paid) allows; retry in 20 s.',
      next: `Slow down and try again in a moment. (retry after 20s). Then \`fbay sandbox logs ${ID} 7 --follow --since 3\` picks up where it stopped.`,
    });
  });
});
