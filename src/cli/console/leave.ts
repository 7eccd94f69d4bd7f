// The line `q` leaves behind: the session stays reserved, and how long it has before the idle timeout ends it.
import { formatDuration } from '../../shared/duration.js';
import type { Session } from '../../transport/protocol/api.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { getSession } from '../services/sessions.js';

export async function leaveMessage(client: DaemonClient, last: Session, now = Date.now): Promise<string> {
  const again = `fbay console ${last.id}`;
  const s = await getSession(client, last.id).catch(() => null);
  if (s?.state === 'ended') return `Left session ${s.id}; it has ended (${s.end_reason ?? 'unknown reason'}).`;
  if (s?.state === 'idle' && s.idle_deadline) {
    const left = formatDuration(Math.max(0, Math.round((Date.parse(s.idle_deadline) - now()) / 1000)) * 1000);
    return `Left session ${s.id}; it stays reserved and is idle: it ends in ${left} unless you attach again (${again}).`;
  }
  // Still active: another client is attached (or the daemon has not seen us go yet); the idle window starts after.
  const window = formatDuration((s ?? last).idle_timeout_s * 1000);
  return `Left session ${last.id}; it stays reserved and ends ${window} after its last client leaves, unless you attach again (${again}).`;
}
