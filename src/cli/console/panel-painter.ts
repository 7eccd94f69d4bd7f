// Paints the panel: at most once per interval for what changes by itself (countdowns, the meter), at once for what
// the user just did; with the plain renderer until Ink has loaded, which happens only after the console is up.
import type { PanelView } from './panel.js';
import { plainPanel } from './plain-panel.js';
import type { Screen } from './screen.js';

export type PanelRenderer = (view: PanelView) => string[];

export class PanelPainter {
  #render: PanelRenderer = plainPanel;
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #loading = false;
  #stopped = false;

  constructor(
    private readonly screen: Screen,
    private readonly view: (now: number) => PanelView,
    private readonly everyMs = 250,
  ) {}

  /** Repaints soon: at most once per interval. */
  invalidate(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(() => this.paintNow(), Math.max(0, this.#last + this.everyMs - Date.now()));
  }

  paintNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    this.#last = Date.now();
    const view = this.view(this.#last);
    let lines: string[];
    try {
      lines = this.#render(view);
    } catch {
      lines = plainPanel(view); // a layout bug must not take the console down with it
    }
    const room = this.screen.room();
    this.screen.show(lines.length > room ? lines.slice(lines.length - room) : lines);
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
    clearTimeout(this.#timer);
  }
}
