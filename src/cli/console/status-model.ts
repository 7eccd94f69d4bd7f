// What the status line knows (session, connection, meter, warnings, port settings) and the words it shows for it now.
import { formatDuration } from '../../shared/duration.js';
import type { Session, WarningKind } from '../../transport/protocol/api.js';
import type { MeterEvent } from '../../transport/protocol/events.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { LinkState } from '../client/serial-link.js';
import { credits } from '../output/format.js';
import { lineEndingLabel, type LineEnding } from './line-ending.js';

export type Tone = 'active' | 'idle' | 'reconnecting' | 'ended' | 'warning' | 'muted' | 'plain';

export interface Settings {
  /** null: the port's own rate (the API does not say which); set once the user picks one. */
  baud: number | null;
  eol: LineEnding;
  hex: boolean;
  timestamps: boolean;
  echo: boolean;
  logPath: string | null;
}

/**
 * A piece of the status line. Lower `priority` pieces are dropped first when the terminal is too narrow; one with a
 * `short` form is first shortened, when the fitting gets to `shortAt`.
 */
export interface Segment {
  text: string;
  tone: Tone;
  priority: number;
  short?: string;
  shortAt?: number;
}

/** Long enough to read a notice with a path in it. */
export const NOTICE_MS = 6000;

export class ConsoleModel {
  session: Session;
  /** When `session.credits_used` was read (ms): the meter runs on from there at `rate_credits_per_min`. */
  #readAt: number;
  /** The account's balance at #readAt; null: unmetered; undefined: not known (yet). */
  balance: number | null | undefined = undefined;
  link: LinkState = 'connecting';
  /** While reconnecting: when trying stops (ms). */
  reconnectDeadline: number | null = null;
  warning: { kind: WarningKind; at: number } | null = null;
  notice: { text: string; short: string | undefined; until: number } | null = null;
  /** The running flash's latest progress, from the serial line's `flash` messages; null when none runs. */
  flash: Extract<ServerMessage, { type: 'flash' }> | null = null;
  readonly settings: Settings = { baud: null, eol: 'cr', hex: false, timestamps: false, echo: false, logPath: null };

  constructor(session: Session, now: number) {
    this.session = session;
    this.#readAt = now;
  }

  setSession(session: Session, now: number): void {
    // The balance read earlier went down by what the session used since.
    if (typeof this.balance === 'number') this.balance -= Math.max(0, session.credits_used - this.creditsAt(now));
    this.session = session;
    this.#readAt = now;
    if (session.state === 'active' && this.warning?.kind === 'idle_warning') this.warning = null;
  }

  /** A text frame from the daemon; returns true when the status line should change. */
  apply(message: ServerMessage, now: number): boolean {
    switch (message.type) {
      case 'state': {
        const { type: _type, ...session } = message;
        this.setSession(session, now);
        return true;
      }
      case 'warning':
        this.warning = { kind: message.kind, at: Date.parse(message.at) || now + message.seconds_left * 1000 };
        return true;
      case 'ended':
        this.setSession(message.session, now);
        return true;
      case 'flash':
        // A log line is for `fbay flash`'s output; the status line shows where the flash is.
        if (message.line !== undefined) return false;
        this.flash = message.state === 'running' ? message : null;
        if (message.state === 'failed' && message.error) this.say(`flash failed: ${message.error}`, now);
        return true;
      default:
        return false;
    }
  }

  applyMeter(event: MeterEvent, now: number): void {
    this.session = { ...this.session, credits_used: event.credits_used, rate_credits_per_min: event.rate_credits_per_min };
    this.balance = event.balance_credits;
    this.#readAt = now;
  }

  /** Credits used by now: the last reading, run on at the session's rate while it is billed (idle or active). */
  creditsAt(now: number): number {
    const s = this.session;
    const billed = s.state === 'idle' || s.state === 'active';
    return s.credits_used + (billed ? (s.rate_credits_per_min * Math.max(0, now - this.#readAt)) / 60_000 : 0);
  }

  balanceAt(now: number): number | null | undefined {
    if (typeof this.balance !== 'number') return this.balance;
    return Math.max(0, this.balance - (this.creditsAt(now) - this.session.credits_used));
  }

  /** A notice for the status line; `short` is what it shows where the full text has no room. */
  say(text: string, now: number, short?: string): void {
    this.notice = { text, short, until: now + NOTICE_MS };
  }
}

const left = (at: number, now: number) => formatDuration(Math.max(0, Math.ceil((at - now) / 1000)) * 1000);

function stateSegment(m: ConsoleModel, now: number): Segment {
  const s = m.session;
  if (s.state === 'ended') return { text: `● ended (${s.end_reason ?? 'unknown'})`, tone: 'ended', priority: 100 };
  if (m.link === 'reconnecting') {
    const rest = m.reconnectDeadline === null ? '' : ` ${left(m.reconnectDeadline, now)} left`;
    return { text: `● reconnecting…${rest}`, tone: 'reconnecting', priority: 100 };
  }
  if (m.link === 'connecting') return { text: '● connecting…', tone: 'reconnecting', priority: 100 };
  // A mirrored session whose daemon is reconnecting to its remote host: the console's own link is fine.
  if (s.link?.state === 'reconnecting') {
    const rest = s.link.deadline ? ` ${left(Date.parse(s.link.deadline), now)} left` : '';
    return { text: `● reconnecting to ${s.host ?? 'host'}…${rest}`, tone: 'reconnecting', priority: 100 };
  }
  if (s.board_missing_since) {
    const grace = s.grace_deadline ? ` ${left(Date.parse(s.grace_deadline), now)} grace` : '';
    return { text: `● board away${grace}`, tone: 'warning', priority: 100 };
  }
  if (s.state === 'idle') {
    const ends = s.idle_deadline ? ` · ends in ${left(Date.parse(s.idle_deadline), now)}` : '';
    return { text: `● idle${ends}`, tone: 'idle', priority: 100 };
  }
  return { text: `● ${s.state}`, tone: s.state === 'active' ? 'active' : 'idle', priority: 100 };
}

const WARNING_TEXT: Record<WarningKind, string> = {
  idle_warning: 'idle: ends',
  credits_low: 'credits low: out',
  duration_warning: 'time cap: ends',
  quota_low: 'browser hours low: out',
};

function meterSegment(m: ConsoleModel, now: number): Segment {
  const used = `${credits(m.creditsAt(now))} cr · ${credits(m.session.rate_credits_per_min)}/min`;
  const balance = m.balanceAt(now);
  const tail = balance === undefined ? '' : balance === null ? ' · unmetered' : ` · bal ${credits(balance)}`;
  return { text: `${used}${tail}`, tone: 'plain', priority: 60 };
}

function portSegment(m: ConsoleModel): Segment {
  const st = m.settings;
  const modes = [st.hex && 'HEX', st.timestamps && 'TS', st.echo && 'ECHO', st.logPath && 'LOG'].filter(Boolean);
  // The API does not say a port's rate: it is shown once the user has set one.
  const baud = st.baud === null ? '' : `${st.baud} `;
  return { text: [`${baud}${lineEndingLabel(st.eol)}`, ...modes].join(' '), tone: 'muted', priority: 40 };
}

/** `virtual-1`, or `esp32-s3 · lab-s3` when the board's id does not say its type. */
function boardName(s: Session): string {
  if (!s.board_id) return s.board_type;
  return s.board_id.startsWith(s.board_type) ? s.board_id : `${s.board_type} · ${s.board_id}`;
}

/** The status line's pieces, most important first in `priority`; the view drops the least important to fit. */
export function statusSegments(m: ConsoleModel, now: number): Segment[] {
  const s = m.session;
  const segments: Segment[] = [
    // ses_4kQ…Zp when room is short: enough to tell sessions apart at a glance.
    { text: s.id, tone: 'plain', priority: 90, short: `${s.id.slice(0, 7)}…${s.id.slice(-2)}`, shortAt: 65 },
    { text: boardName(s), tone: 'plain', priority: 70 },
    stateSegment(m, now),
  ];
  if (m.flash) {
    const f = m.flash;
    const pct = f.total > 0 ? Math.floor((f.written / f.total) * 100) : 0;
    segments.push({ text: `⚡ ${f.phase} ${pct}%${f.kbit_s > 0 ? ` · ${f.kbit_s} kbit/s` : ''}`, tone: 'warning', priority: 96, short: `⚡ ${pct}%`, shortAt: 80 });
  }
  if (m.warning && m.warning.at > now - 1000 && s.state !== 'ended') {
    segments.push({ text: `⚠ ${WARNING_TEXT[m.warning.kind]} in ${left(m.warning.at, now)}`, tone: 'warning', priority: 95 });
  }
  const started = s.started_at ? Date.parse(s.started_at) : NaN;
  if (!Number.isNaN(started)) {
    const end = s.ended_at ? Date.parse(s.ended_at) : now;
    const seconds = Math.floor(Math.max(0, end - started) / 1000);
    segments.push({ text: seconds === 0 ? '0s' : formatDuration(seconds * 1000), tone: 'muted', priority: 30 });
  }
  segments.push(meterSegment(m, now), portSegment(m));
  // A notice (logging to PATH…) is what the user just asked about: shortened in the middle rather than dropped.
  if (m.notice && m.notice.until > now) {
    segments.push({ text: m.notice.text, tone: 'warning', priority: 88, short: m.notice.short ?? cutMiddle(m.notice.text, 40), shortAt: 75 });
  }
  // The way to the help stays while there is room for it: the other pieces go first.
  segments.push({ text: '^T ? help', tone: 'muted', priority: 85 });
  return segments;
}

export const SEPARATOR = ' │ ';

/** Display width in terminal columns, counting code points (the status line uses no wide characters). */
export function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Drops (or shortens) the least important pieces until the line fits in `columns` (the view still cuts what remains). */
export function fitSegments(segments: readonly Segment[], columns: number): Segment[] {
  const kept = segments.map((s) => ({ ...s }));
  const width = () => kept.reduce((w, s) => w + textWidth(s.text), 0) + SEPARATOR.length * Math.max(0, kept.length - 1) + 1;
  const step = (s: Segment) => (s.short !== undefined && s.text !== s.short ? (s.shortAt ?? s.priority) : s.priority);
  while (width() > columns && (kept.length > 1 || (kept[0]?.short !== undefined && kept[0].text !== kept[0].short))) {
    let lowest = 0;
    for (let i = 1; i < kept.length; i++) if (step(kept[i]!) < step(kept[lowest]!)) lowest = i;
    const s = kept[lowest]!;
    if (s.short !== undefined && s.text !== s.short) s.text = s.short;
    else kept.splice(lowest, 1);
  }
  return kept;
}

/** At most `max` columns, the middle replaced by '…' (a path's start and its file name both stay). */
export function cutMiddle(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`;
}
