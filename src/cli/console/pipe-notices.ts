// What the console in pipe mode says on stderr while it runs (the TUI shows the same in its status line): lost
// bytes, warnings (idle, credits low, time cap), a board that went away and came back, reconnects of its own line
// and of a mirrored session's line to its host.
import type { Clock } from '../../shared/clock.js';
import type { Session, WarningKind } from '../../transport/protocol/api.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { LinkState } from '../client/serial-link.js';

const WARNING: Record<WarningKind, string> = {
  idle_warning: 'no client is attached: the session ends (idle_timeout)',
  credits_low: 'credits are running low: the session ends (credits_exhausted)',
  duration_warning: 'the session reaches its time cap (max_duration)',
  quota_low: 'the monthly browser hours are running out (quota_exceeded)',
};

const seconds = (at: number, now: number) => `${Math.max(0, Math.round((at - now) / 1000))}s`;

export class PipeNotices {
  session: Session;
  #opened = false;

  constructor(
    session: Session,
    private readonly warn: (line: string) => void,
    private readonly clock: Clock,
  ) {
    this.session = session;
  }

  message(m: ServerMessage): void {
    if (m.type === 'state') {
      const { type: _type, ...session } = m;
      this.#changed(this.session, session);
      this.session = session;
    } else if (m.type === 'ended') this.session = m.session;
    else if (m.type === 'gap') this.warn(`${m.lost_bytes} bytes of output were lost here (this reader fell behind).`);
    else if (m.type === 'warning') this.warn(`session ${this.session.id}: ${WARNING[m.kind] ?? m.kind} in ${m.seconds_left}s.`);
    else if (m.type === 'error') this.warn(m.error);
  }

  link(state: LinkState, deadline: number | null): void {
    if (state === 'reconnecting' && deadline !== null) {
      this.warn(`lost the daemon; reconnecting for up to ${seconds(deadline, this.clock.now())}…`);
    } else if (state === 'open') {
      if (this.#opened) this.warn('reconnected; output resumes where it stopped.');
      this.#opened = true;
    }
  }

  /** Says what changed between two states of the session that a reader of the output should know. */
  #changed(before: Session, after: Session): void {
    const id = after.id;
    if (!before.board_missing_since && after.board_missing_since) {
      const grace = after.grace_deadline ? ` it keeps the board for ${seconds(Date.parse(after.grace_deadline), this.clock.now())}` : '';
      this.warn(`session ${id}: the board went away (unplugged or re-enumerating);${grace || ' waiting for it'}.`);
    } else if (before.board_missing_since && !after.board_missing_since && after.state !== 'ended') {
      this.warn(`session ${id}: the board is back.`);
    }
    const was = before.link?.state ?? 'open';
    const is = after.link?.state ?? 'open';
    if (was !== 'reconnecting' && is === 'reconnecting') {
      const left = after.link?.deadline ? ` for up to ${seconds(Date.parse(after.link.deadline), this.clock.now())}` : '';
      this.warn(`session ${id}: the daemon lost its line to ${after.host ?? 'the remote host'}; it reconnects${left}.`);
    } else if (was === 'reconnecting' && is === 'open') this.warn(`session ${id}: the line to ${after.host ?? 'the remote host'} is back.`);
  }
}
