// What a console command's handler may touch: the console's parts, and a way to redraw.
import type { Clock } from '../../shared/clock.js';
import type { DaemonClient } from '../client/daemon-client.js';
import type { SerialLink } from '../client/serial-link.js';
import type { LogFile } from './log-file.js';
import type { OutputView } from './output-view.js';
import type { Overlay } from './panel.js';
import type { ConsoleModel } from './status-model.js';
import type { ConsoleTerminal } from './terminal.js';

/** What the handlers may touch: the console's parts, and a way to redraw. */
export interface CommandHost {
  readonly model: ConsoleModel;
  readonly view: OutputView;
  readonly link: SerialLink;
  readonly client: DaemonClient;
  readonly terminal: ConsoleTerminal;
  readonly clock: Clock;
  /** Where `l` writes its log files (default: the current directory). */
  readonly logDir: string | undefined;
  overlay: Overlay;
  log: LogFile | null;
  quit(): void;
  /** Stops logging (the file is closed before the console ends). */
  closeLog(): void;
  invalidate(): void;
  paintNow(): void;
}
