// Test helper: the session core with the sandbox kind and provider over a fake SandboxHost that records what it was
// told, so deadlines, credits and wakes are tested to the millisecond with fake timers (the real host has its own tests).
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import { systemClock } from '../../../../src/shared/clock.js';
import { browserPlanTable, DEFAULT_CONFIG, DEFAULT_SANDBOX, sandboxPlanTable, tierTable, type FbayConfig } from '../../../../src/shared/config-keys.js';
import type { SandboxHost } from '../../../../src/daemon/sandboxes/index.js';
import { sandboxKind } from '../../../../src/daemon/providers/sandbox/sandbox-kind.js';
import type { SandboxHosts } from '../../../../src/daemon/providers/sandbox/joined-sandboxes.js';
import { SandboxProvider } from '../../../../src/daemon/providers/sandbox/sandbox-provider.js';
import type { SandboxRecord } from '../../../../src/daemon/providers/sandbox/sandbox-record.js';
import { SandboxSessions } from '../../../../src/daemon/providers/sandbox/sandbox-sessions.js';
import { SessionCore } from '../../../../src/daemon/sessions/session-core.js';
import { MemoryStore } from '../../../../src/daemon/sessions/store/memory-store.js';

export class FakeBox {
  state: 'running' | 'frozen' | 'asleep' | 'destroyed' = 'running';
  readonly calls: string[] = [];
  readonly limits = { enforced: { memory_mb: 'cgroup', cpu: 'cgroup', pids: 'cgroup', disk_mb: 'ext4' } };
  readonly isolation = { level: 'namespaces' as const, mechanisms: ['bubblewrap'], missing: [], reason: null, runtime: { name: 'bun' as const, version: '1.4.5' } };
  constructor(readonly id: string) {}
  async freeze() {
    this.calls.push('freeze');
    this.state = 'frozen';
  }
  async wake() {
    this.calls.push(this.state === 'frozen' ? 'thaw' : this.state === 'asleep' ? 'start' : 'wake');
    this.state = 'running';
  }
  async sleep() {
    this.calls.push('sleep');
    this.state = 'asleep';
  }
}

export class FakeHost extends EventEmitter {
  readonly boxes = new Map<string, FakeBox>();
  readonly destroyed: string[] = [];
  level: 'namespaces' | 'process' = 'namespaces';
  /** Ids whose files survive a restart (restoreAll finds them). */
  onDisk = new Set<string>();
  async create(id: string) {
    const box = new FakeBox(id);
    this.boxes.set(id, box);
    this.onDisk.add(id);
    return box;
  }
  get(id: string) {
    return this.boxes.get(id);
  }
  async destroy(id: string) {
    this.destroyed.push(id);
    this.boxes.get(id)!.state = 'destroyed';
    this.boxes.delete(id);
    this.onDisk.delete(id);
  }
  async purge(id: string) {
    this.destroyed.push(id);
    this.onDisk.delete(id);
  }
  async restoreAll(entries: { id: string }[]) {
    const missing = entries.filter((e) => !this.onDisk.has(e.id)).map((e) => e.id);
    for (const e of entries) if (this.onDisk.has(e.id)) this.boxes.set(e.id, Object.assign(new FakeBox(e.id), { state: 'asleep' as const }));
    const listed = new Set(entries.map((e) => e.id));
    return { restored: [], missing, orphans: [...this.onDisk].filter((id) => !listed.has(id)) };
  }
  isolation() {
    return this.level === 'namespaces'
      ? new FakeBox('x').isolation
      : { level: 'process' as const, mechanisms: [], missing: ['namespaces: refused'], reason: 'user namespaces are disabled', runtime: { name: 'bun' as const, version: '1.4.5' } };
  }
  async close() {}
}

export function harness(options: { store?: MemoryStore; host?: FakeHost; config?: Partial<FbayConfig>; sandbox?: Partial<typeof DEFAULT_SANDBOX>; hosts?: SandboxHosts } = {}) {
  const host = options.host ?? new FakeHost();
  const config: FbayConfig = { ...DEFAULT_CONFIG, ...options.config };
  const settings = { ...DEFAULT_SANDBOX, idle_after_s: 300, deep_sleep_after_s: 1800, ...options.sandbox };
  const provider = new SandboxProvider({ open: async () => host as unknown as SandboxHost, settings: () => settings, now: () => Date.now(), log: vi.fn(), ...(options.hosts ? { hosts: options.hosts } : {}) });
  const store = options.store ?? new MemoryStore();
  const core = new SessionCore({
    clock: systemClock,
    store,
    kinds: [sandboxKind({ url: (s) => `http://${s.id}.localhost:9/?fbay_token=${s.web_secret}`, now: () => Date.now() })],
    providers: { sandbox: provider },
    tiers: () => ({ tiers: tierTable(config), browserPlans: browserPlanTable(config), sandboxPlans: sandboxPlanTable(config) }),
    ownerAccount: () => ({ tier: 'local' }),
    log: vi.fn(),
  });
  const sessions = new SandboxSessions(core, provider);
  const restored = core.restore();
  return {
    core,
    host,
    store,
    provider,
    sessions,
    settings,
    restored,
    create: async (body: Record<string, unknown> = {}, account = 'local', key: string | null = null) => {
      await restored;
      return (await core.create(account, 'sandbox', body, { idempotencyKey: key })) as SandboxRecord;
    },
    box: (id: string) => host.boxes.get(id)!,
    view: (s: SandboxRecord) => core.view(s) as Record<string, unknown>,
  };
}
