// Paints the panel: at most once per interval for what changes by itself (countdowns, the meter), at once for what
// the user just did; with the plain renderer until Ink has loaded, which happens only after the console is up.
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import type { PanelView } from './panel.js';
import { plainPanel } from './plain-panel.js';
import type { Screen } from './screen.js';

export type PanelRenderer = (view: PanelView) => string[];

export class PanelPainter {
  #render: PanelRenderer = plainPanel;
  #timer: TimerHandle | undefined;
  #last = 0;
  #loading = false;
  #stopped = false;

  constructor(
    private readonly screen: Screen,
    private readonly view: (now: number) => PanelView,
    private readonly everyMs = 250,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Repaints soon: at most once per interval. */
  invalidate(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = this.clock.setTimeout(() => this.paintNow(), Math.max(0, this.#last + this.everyMs - this.clock.now()));
  }

  paintNow(): void {
    this.#cancel();
    if (this.#stopped) return;
    this.#last = this.clock.now();
    const view = this.view(this.#last);
    let lines: string[];
    try {
      lines = this.#render(view);
    } catch {
      lines = plainPanel(view); // a layout bug must not take the console down with it
    }
    const room = this.screen.room();
    // Too tall: the first lines (the top of the help) and the status line (the last) are the ones to keep.
    this.screen.show(lines.length > room ? (room > 1 ? [...lines.slice(0, room - 1), lines.at(-1)!] : lines.slice(-room)) : lines);
  }

  /** Loads the Ink renderer once; the plain one stays if it cannot be loaded. */
  load(loader: () => Promise<PanelRenderer>): void {
    if (this.#loading) return;
    this.#loading = true;
    loader().then(
      (render) => {
        this.#render = render;
        this.invalidate();
      },
      () => undefined,
    );
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
