// The proof of the session core: a fourth, made-up kind — a provider and a transition table, nothing else — gets ids,
// limits, idempotency, the queue, deadlines, events and persistence from the core.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/transport/protocol/errors.js';
import type { EngineEvent } from '../../../src/transport/protocol/events.js';
import { systemClock } from '../../../src/shared/clock.js';
import { browserPlanTable, DEFAULT_CONFIG, sandboxPlanTable, tierTable } from '../../../src/shared/config-keys.js';
import type { SessionKind } from '../../../src/daemon/sessions/kind.js';
import { defineLifecycle } from '../../../src/daemon/sessions/lifecycle.js';
import { Provider, type Admission, type Admitted } from '../../../src/daemon/sessions/provider.js';
import { iso, SESSION_ID_PATTERN, type CoreRecord } from '../../../src/daemon/sessions/record.js';
import { SessionCore } from '../../../src/daemon/sessions/session-core.js';
import type { SessionStore } from '../../../src/daemon/sessions/store/store.js';
import { STORES, useStores, type Stores } from '../../helpers/stores.js';

/** A print job on one of the lab's two printers. */
interface PrintRecord extends CoreRecord {
  kind: 'print';
  state: 'waiting' | 'warming' | 'printing' | 'paused' | 'done';
  pages: number;
  paused_at: number | null;
}

const PRINT_LIFECYCLE = defineLifecycle({
  initial: 'waiting',
  next: { waiting: ['warming', 'done'], warming: ['printing', 'done'], printing: ['paused', 'done'], paused: ['printing', 'done'], done: [] },
  final: ['done'],
});

const printKind: SessionKind<PrintRecord> = {
  kind: 'print',
  lifecycle: PRINT_LIFECYCLE,
  waiting: 'waiting',
  claimed: 'warming',
  started: () => 'printing',
  finalState: () => 'done',
  settled: (s) => s.state !== 'warming',
  entering: (_s, to, at) => ({ paused_at: to === 'paused' ? at : null }),
  // A job paused for a minute gives its printer back; a warning comes 10 s before.
  deadlines: (s) => (s.paused_at === null ? [] : [{ name: 'pause', at: s.paused_at + 60_000, action: { end: 'paused_too_long' }, warn: { kind: 'idle_warning', lead_ms: 10_000, opened: s.paused_at } }]),
  concurrency: () => ({ max: 2, states: ['waiting', 'warming', 'printing', 'paused'] }),
  limitError: (account, counted) => new ApiError('concurrency_limit', `${account} already has ${counted.length} print jobs.`),
  view: (s, { queuePosition }) => ({ id: s.id, kind: 'print', state: s.state, pages: s.pages, resource: s.resource, end_reason: s.end_reason, queue_position: queuePosition, ended_at: iso(s.ended_at) }),
};

class Printers extends Provider<PrintRecord> {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  readonly resumed: string[] = [];
  admit({ request }: Admission): Admitted<PrintRecord> {
    if (typeof request.pages !== 'number') throw new ApiError('invalid_request', 'pages must be a number.');
    return { fields: { kind: 'print', pages: request.pages, paused_at: null }, resources: ['printer-1', 'printer-2'], queue: request.queue === true };
  }
  override candidates(): readonly string[] {
    return ['printer-1', 'printer-2'];
  }
  noResource(): ApiError {
    return new ApiError('no_board_available', 'Both printers are busy.');
  }
  async start(s: PrintRecord) {
    this.started.push(s.id);
    return {};
  }
  async stop(s: PrintRecord) {
    this.stopped.push(s.id);
    return {};
  }
  override resume(s: PrintRecord): void {
    this.resumed.push(s.id);
  }
  pause(id: string) {
    this.emit('update', id, {}, 'paused');
  }
}

const isFinal = (s: CoreRecord) => s.state === 'done';

async function open(stores: Stores, previous?: SessionStore) {
  const printers = new Printers();
  const config = DEFAULT_CONFIG;
  const store = previous ? await stores.reopen(previous, isFinal) : stores.open(isFinal);
  const core = new SessionCore({
    clock: systemClock,
    store,
    kinds: [printKind],
    providers: { print: printers },
    tiers: () => ({ tiers: tierTable(config), browserPlans: browserPlanTable(config), sandboxPlans: sandboxPlanTable(config) }),
    ownerAccount: () => ({ tier: 'local' }),
    log: () => {},
  });
  const events: EngineEvent[] = [];
  core.on('event', (e) => events.push(e));
  await core.restore();
  const create = (body: Record<string, unknown>, key: string | null = null, account = 'alice') => core.create(account, 'print', body, { idempotencyKey: key });
  return { core, printers, events, create, store };
}

describe.each(STORES)('a fourth kind, from a provider and a transition table (%s store)', (storeName) => {
  const stores = useStores(storeName);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
  });
  afterEach(() => vi.useRealTimers());

  it('gets ids, its table enforced, a resource claimed, and typed events', async () => {
    const { create, events, printers } = await open(stores);
    const job = await create({ pages: 3 });
    expect(job.id).toMatch(SESSION_ID_PATTERN);
    expect(job).toMatchObject({ kind: 'print', state: 'printing', resource: 'printer-1' });
    expect(printers.started).toEqual([job.id]);
    const states = events.flatMap((e) => (e.type === 'state' && e.session.id === job.id ? [(e.session as unknown as { state: string }).state] : []));
    expect(states).toEqual(['waiting', 'warming', 'printing']);
  });

  it('gets limits, a refusal when nothing is free, and the first-come queue', async () => {
    const { core, create } = await open(stores);
    const a = await create({ pages: 1 }, null, 'alice');
    await create({ pages: 1 }, null, 'bob');
    await expect(create({ pages: 1 }, null, 'carol')).rejects.toMatchObject({ code: 'no_board_available' });
    const waits = await create({ pages: 1, queue: true }, null, 'carol');
    expect(core.view(waits)).toMatchObject({ state: 'waiting', queue_position: 1 });
    await create({ pages: 1, queue: true }, null, 'alice');
    await expect(create({ pages: 1 }, null, 'alice')).rejects.toMatchObject({ code: 'concurrency_limit' });
    await core.end('alice', a.id);
    await vi.waitFor(() => expect(core.view(waits)).toMatchObject({ state: 'printing', resource: 'printer-1' }));
  });

  it('gets idempotency: the same key and body give the same job, another body a 422', async () => {
    const { create } = await open(stores);
    const [a, b] = await Promise.all([create({ pages: 2 }, 'k'), create({ pages: 2 }, 'k')]);
    expect(b.id).toBe(a.id);
    await expect(create({ pages: 9 }, 'k')).rejects.toMatchObject({ status: 422, code: 'idempotency_mismatch' });
  });

  it('gets deadlines to the millisecond, with their warning', async () => {
    const { core, create, events, printers } = await open(stores);
    const job = await create({ pages: 5 });
    printers.pause(job.id);
    expect(job.state).toBe('paused');
    vi.advanceTimersByTime(49_999);
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    vi.advanceTimersByTime(1);
    expect(events.find((e) => e.type === 'warning')).toMatchObject({ kind: 'idle_warning', session_id: job.id, seconds_left: 10 });
    vi.advanceTimersByTime(9_999);
    expect(job.state).toBe('paused');
    vi.advanceTimersByTime(1);
    expect(core.view(job)).toMatchObject({ state: 'done', end_reason: 'paused_too_long', ended_at: '2030-01-01T00:01:00.000Z' });
    expect(printers.stopped).toEqual([job.id]);
  });

  it('gets persistence: after a restart the jobs, their claims and their keys are back', async () => {
    const first = await open(stores);
    const live = await first.create({ pages: 4 }, 'keep');
    const over = await first.create({ pages: 1 }, null, 'bob');
    await first.core.end('bob', over.id);
    await first.core.shutdown(true);
    const second = await open(stores, first.store);
    expect(second.core.find('alice', live.id)).toMatchObject({ state: 'printing', resource: 'printer-1', pages: 4 });
    expect(second.core.find('bob', over.id)).toMatchObject({ state: 'done', end_reason: 'user_ended' });
    expect(second.printers.resumed).toEqual([live.id]);
    expect((await second.create({ pages: 4 }, 'keep')).id).toBe(live.id);
    // The restored claim holds: printer-1 is taken, the next job gets printer-2.
    expect((await second.create({ pages: 1 }, null, 'bob')).resource).toBe('printer-2');
    expect(() => second.core.find('bob', live.id)).toThrow(/No session/);
  });
});
