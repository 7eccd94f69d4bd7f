// The interactive console: board output straight to the terminal, keys to the board or to console commands, and the
// Ink panel at the bottom, repainted at most a few times a second and never per byte of output.
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import type { Session } from '../../transport/protocol/api.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { runCommand, type CommandHost } from './commands.js';
import { KeyRouter, type KeyAction } from './keys.js';
import { applyLineEnding } from './line-ending.js';
import type { LogFile } from './log-file.js';
import { MeterFeed } from './meter-feed.js';
import { linkOutcome } from './outcome.js';
import { OutputView } from './output-view.js';
import type { Overlay } from './panel.js';
import { PanelPainter, type PanelRenderer } from './panel-painter.js';
import { Screen } from './screen.js';
import { SerialLink, type LinkOptions, type LinkOutcome } from '../client/serial-link.js';
import { ConsoleModel, statusSegments } from './status-model.js';
import type { ConsoleTerminal } from './terminal.js';

export interface TuiOptions {
  terminal: ConsoleTerminal;
  /** Never starts a daemon: after the attach, a daemon that is gone is reported, not replaced. */
  client: DaemonClient;
  session: Session;
  since: number;
  /** Every timer of the console runs on it (tests pass a fake one). */
  clock?: Clock;
  /** Test knobs for the serial link's reconnect. */
  link?: Pick<LinkOptions, 'initialDelayMs' | 'maxDelayMs' | 'pingIntervalMs' | 'deadAfterMs' | 'random'>;
  /** Loads the Ink renderer (default: ./ink-panel.js); until it has, the plain one draws. */
  loadRenderer?: () => Promise<PanelRenderer>;
  /** Least time between two repaints of the panel. */
  paintEveryMs?: number;
  /** Where `l` writes log files (default: the current directory). */
  logDir?: string;
  /** Aborted to quit from outside (SIGTERM, SIGHUP, a SIGINT sent by `kill`): as `q` does. */
  signal?: AbortSignal | undefined;
}

/** Above this much queued input (a big paste) the terminal is not read until the board has taken some. */
const INPUT_HIGH_WATER = 256 * 1024;
const INK_AFTER_MS = 50;

export async function runTui(options: TuiOptions): Promise<string> {
  return new Tui(options).run();
}

class Tui implements CommandHost {
  readonly model: ConsoleModel;
  readonly view = new OutputView();
  readonly router = new KeyRouter();
  readonly link: SerialLink;
  readonly screen: Screen;
  overlay: Overlay = { kind: 'none' };
  log: LogFile | null = null;
  readonly #painter: PanelPainter;
  #meter: MeterFeed;
  readonly clock: Clock;
  #ticker: TimerHandle | undefined;
  #inkTimer: TimerHandle | undefined;
  #paused = false;
  readonly #closing: Promise<void>[] = [];
  #finish!: (outcome: LinkOutcome | { kind: 'quit' }) => void;
  readonly #finished = new Promise<LinkOutcome | { kind: 'quit' }>((resolve) => (this.#finish = resolve));

  readonly client: DaemonClient;
  readonly terminal: ConsoleTerminal;
  readonly logDir: string | undefined;

  constructor(readonly options: TuiOptions) {
    ({ client: this.client, terminal: this.terminal, logDir: this.logDir } = options);
    this.clock = options.clock ?? systemClock;
    this.model = new ConsoleModel(options.session, this.clock.now());
    this.screen = new Screen(options.terminal);
    this.#painter = new PanelPainter(
      this.screen,
      (now) => ({ segments: statusSegments(this.model, now), overlay: this.overlay, columns: options.terminal.columns, rows: options.terminal.rows }),
      options.paintEveryMs,
      this.clock,
    );
    this.link = new SerialLink(
      {
        wsUrl: options.session.ws_url!,
        since: options.since,
        windowMs: () => this.model.session.idle_timeout_s * 1000,
        clock: this.clock,
        ...options.link,
      },
      {
        data: (chunk) => this.#output(chunk),
        message: (m) => this.#message(m),
        state: (state, deadline) => {
          this.model.link = state;
          this.model.reconnectDeadline = deadline;
          if (state === 'open') void this.#meter.start();
          this.paintNow();
        },
        done: (outcome) => this.#finish(outcome),
        drain: () => this.#resumeInput(),
      },
    );
    const meterChanged = (apply: () => void) => {
      apply();
      this.invalidate();
    };
    this.#meter = new MeterFeed(
      options.client,
      options.session.id,
      (balance) => meterChanged(() => (this.model.balance = balance)),
      (event) => meterChanged(() => this.model.applyMeter(event, this.clock.now())),
    );
  }

  async run(): Promise<string> {
    const { terminal } = this.options;
    terminal.start((chunk) => this.#input(chunk));
    const offResize = terminal.onResize(() => this.paintNow());
    const onAbort = () => this.quit();
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    // Should the process die of a bug, the shell still gets its terminal back: no raw mode, no scroll region.
    const onExit = () => this.#teardown();
    process.once('exit', onExit);
    if (this.options.signal?.aborted) this.quit();
    this.paintNow();
    try {
      await this.link.start();
      this.#inkTimer = this.clock.setTimeout(() => this.#loadInk(), INK_AFTER_MS);
      this.#tick();
      const outcome = await this.#finished;
      if (outcome.kind === 'quit') return await this.#leave();
      return await linkOutcome(outcome, this.model.session, this.client);
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      process.off('exit', onExit);
      offResize();
      this.#teardown();
      void this.link.close();
      // Every byte logged is in its file before the console says it has ended.
      await Promise.all(this.#closing);
    }
  }

  quit(): void {
    this.#finish({ kind: 'quit' });
  }

  /** Stops logging; the file is flushed and closed before the console ends. */
  closeLog(): void {
    if (!this.log) return;
    this.#closing.push(this.log.close());
    this.log = null;
  }

  /** Once a second: countdowns and the meter move on by themselves. */
  #tick(): void {
    this.#ticker = this.clock.setTimeout(() => {
      this.invalidate();
      if (!this.#tornDown) this.#tick();
    }, 1000);
  }

  /** Repaints soon: at most once per paintEveryMs. */
  invalidate(): void {
    this.#painter.invalidate();
  }

  /** Repaints now: for what the user just did (an overlay opening, a resize). */
  paintNow(): void {
    this.#painter.paintNow();
  }

  /** Board output: to the log as received, to the screen as the view shows it. Nothing here waits for the panel. */
  #output(chunk: Buffer): void {
    this.log?.write(chunk);
    this.options.terminal.write(this.view.format(chunk));
    if (this.#inkTimer) this.#loadInk();
  }

  #message(m: ServerMessage): void {
    if (this.model.apply(m, this.clock.now())) return this.invalidate();
    if (m.type === 'gap') this.options.terminal.write(this.view.gap(m.lost_bytes, this.link.offset));
    else if (m.type === 'error') {
      // The daemon refused a baud rate: the port kept the one it had, which the API does not tell.
      if (/baud/i.test(m.error)) this.model.settings.baud = null;
      this.#say(m.error);
    }
  }

  #say(text: string): void {
    this.model.say(text, this.clock.now());
    this.invalidate();
  }

  #input(chunk: Buffer): void {
    for (const action of this.router.feed(chunk)) this.#act(action);
  }

  #act(action: KeyAction): void {
    if (action.type !== 'send') return runCommand(this, action);
    const bytes = applyLineEnding(action.bytes, this.model.settings.eol);
    if (this.model.settings.echo) this.options.terminal.write(bytes);
    const dropped = this.link.send(bytes) ? 0 : this.link.takeDropped();
    if (dropped > 0) this.#say(`not connected: ${dropped} bytes of input dropped (at most 64 KiB wait for the reconnect)`);
    if (this.link.queued > INPUT_HIGH_WATER && this.link.state === 'open' && !this.#paused) {
      this.#paused = true;
      this.options.terminal.pauseInput();
    }
  }

  #resumeInput(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.options.terminal.resumeInput();
  }

  /** Ink loads once the first output is on screen (or soon after connecting): it must not delay that output. */
  #loadInk(): void {
    if (this.#inkTimer !== undefined) this.clock.clearTimeout(this.#inkTimer);
    this.#inkTimer = undefined;
    this.#painter.load(this.options.loadRenderer ?? (async () => (await import('./ink-panel.js')).renderPanel));
  }

  /** `q`: close our connection; the session goes idle and its countdown starts. Says how long it has. */
  async #leave(): Promise<string> {
    await this.link.close();
    const { leaveMessage } = await import('./leave.js');
    return leaveMessage(this.client, this.model.session, () => this.clock.now());
  }

  #tornDown = false;
  #teardown(): void {
    if (this.#tornDown) return;
    this.#tornDown = true;
    this.#painter.stop();
    if (this.#inkTimer !== undefined) this.clock.clearTimeout(this.#inkTimer);
    if (this.#ticker !== undefined) this.clock.clearTimeout(this.#ticker);
    this.#meter.stop();
    this.closeLog();
    const { terminal } = this.options;
    this.screen.release();
    const tail = this.view.flush();
    if (tail || !this.view.atLineStart) terminal.write(tail || '\r\n');
    terminal.stop();
  }
}
