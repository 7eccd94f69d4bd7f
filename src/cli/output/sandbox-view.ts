// Human views of sandboxes: the `sandbox list` table, the one-sandbox block of `create`/`show`/`end`, file listings
// and background processes.
import type { SandboxDirectory, SandboxProcess, SandboxSession } from '../../transport/protocol/sandbox-api.js';
import { credits, orDash, relativeTime } from './format.js';
import { renderFields, renderTable } from './table.js';

export function sandboxStateLine(s: SandboxSession, now = Date.now()): string {
  switch (s.state) {
    case 'idle':
      return 'idle (processes frozen; a request wakes it)';
    case 'deep_sleep':
      return 'deep_sleep (files kept, processes ended; a request wakes it)';
    case 'failed':
      return `failed: ${orDash(s.failure_reason)}`;
    case 'ended':
    case 'expired':
      return `${s.state} (${orDash(s.end_reason)}) ${relativeTime(s.ended_at, now)}`;
    default:
      return s.state;
  }
}

export function sandboxTable(list: readonly SandboxSession[], all: boolean, now = Date.now()): string {
  if (list.length === 0) return all ? 'No sandboxes.\n' : 'No live sandboxes.\n';
  const rows = list.map((s) => [s.id, s.state, relativeTime(s.created_at, now), relativeTime(s.expires_at, now), credits(s.credits_used), orDash(s.url)]);
  return renderTable(['id', 'state', 'created', 'expires', 'credits', 'url'], rows);
}

function limitsLine(s: SandboxSession): string {
  const l = s.limits;
  return `${l.memory_mb} MB memory, ${l.cpu} CPU, ${l.disk_mb} MB disk, ${l.pids} processes, exec timeout ${l.exec_timeout_s} s`;
}

/** The block `sandbox create` prints (id and url first); `full` adds what `show` and `end` need. */
export function sandboxDetail(s: SandboxSession, now = Date.now(), full = false): string {
  const fields: [string, string][] = [
    ['id', s.id],
    ['url', orDash(s.url)],
    ['state', sandboxStateLine(s, now)],
    ['expires', s.state === 'expired' || s.state === 'ended' ? '-' : relativeTime(s.expires_at, now)],
  ];
  if (full) {
    fields.push(['created', relativeTime(s.created_at, now)], ['last activity', relativeTime(s.last_activity_at, now)], ['limits', limitsLine(s)]);
    if (s.isolation) {
      fields.push(['isolation', `${s.isolation.level}: ${s.isolation.mechanisms.join(', ')}`], ['runtime', `${s.isolation.runtime.name} ${s.isolation.runtime.version}`]);
      if (s.isolation.missing.length > 0) fields.push(['missing', s.isolation.missing.join('; ')]);
    }
    fields.push(['credits', `${credits(s.credits_used)} (${credits(s.rate_credits_per_min)} a minute now)`]);
    const meta = Object.entries(s.metadata ?? {});
    if (meta.length > 0) fields.push(['metadata', meta.map(([k, v]) => `${k}=${v}`).join(', ')]);
  }
  return renderFields(fields);
}

export function directoryTable(dir: SandboxDirectory): string {
  if (dir.entries.length === 0) return `${dir.path} is empty.\n`;
  const rows = dir.entries.map((e) => [e.type === 'dir' ? `${e.name}/` : e.name, e.type, String(e.size), e.modified_at]);
  return renderTable(['name', 'type', 'size', 'modified'], rows);
}

export function processTable(list: readonly SandboxProcess[], now = Date.now()): string {
  if (list.length === 0) return 'No background processes.\n';
  const rows = list.map((p) => [String(p.pid), p.state === 'exited' ? `exited ${p.exit_code ?? p.signal ?? ''}`.trim() : 'running', p.restart, relativeTime(p.started_at, now), p.command]);
  return renderTable(['pid', 'state', 'restart', 'started', 'command'], rows);
}
