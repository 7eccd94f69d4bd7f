// The grace a joined host that dropped gets before its sessions end: counted from its last heartbeat, or from
// the coordinator's own start for a host that was away only because the coordinator was.
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { HostRecord } from './host-store.js';

export interface GraceHost {
  record: HostRecord;
  grace: { timer: TimerHandle; deadline: number } | null;
}

export interface HostGraceDeps<H extends GraceHost> {
  clock: Clock;
  graceS(): number;
  /** The grace ran out: `heard` is the host's last heartbeat (what its sessions are charged up to). */
  expired(host: H, heard: number): void;
}

export class HostGrace<H extends GraceHost> {
  /** Hosts known from before this coordinator started that have not connected since: away through no fault of theirs. */
  private readonly awaySinceStart = new Set<string>();

  constructor(private readonly o: HostGraceDeps<H>) {}

  knownAtStart(name: string): void {
    this.awaySinceStart.add(name);
  }

  /** The host is back: its grace stops. */
  back(host: H): void {
    this.awaySinceStart.delete(host.record.name);
    this.cancel(host);
  }

  /** The host is away: its grace runs (once, however many of its sessions ask); returns when it ends. */
  away(host: H): number {
    if (!host.grace) {
      const now = this.o.clock.now();
      const heard = host.record.last_heartbeat_at ?? now;
      const from = this.awaySinceStart.has(host.record.name) ? now : heard;
      const deadline = from + this.o.graceS() * 1000;
      const timer = this.o.clock.setTimeout(() => {
        host.grace = null;
        this.o.expired(host, heard);
      }, Math.max(0, deadline - now));
      timer.unref?.();
      host.grace = { timer, deadline };
    }
    return host.grace.deadline;
  }

  cancel(host: H): void {
    if (host.grace) this.o.clock.clearTimeout(host.grace.timer);
    host.grace = null;
  }
}
