// Turns CDP console events (Runtime.consoleAPICalled, Runtime.exceptionThrown, Log.entryAdded) into log lines.

/** Past this many lines the log keeps counting but stops storing: a page logging in a loop must not fill the disk. */
export const MAX_CONSOLE_LINES = 50_000;

/** A RemoteObject as console.log would print it. */
export function remoteText(o: Record<string, any> | undefined): string {
  if (!o) return '';
  if (o.unserializableValue !== undefined) return String(o.unserializableValue);
  if (o.type === 'string') return String(o.value);
  if ('value' in o) return typeof o.value === 'object' ? JSON.stringify(o.value) : String(o.value);
  return String(o.description ?? o.type ?? '');
}

function where(url: unknown, line: unknown): string {
  if (typeof url !== 'string' || url === '') return '';
  return typeof line === 'number' ? ` (${url}:${line + 1})` : ` (${url})`;
}

export class ConsoleLog {
  private readonly lines: string[] = [];
  private dropped = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Feeds one event of page `page`; returns true when it was a console event. */
  onEvent(page: string, method: string, p: Record<string, any>): boolean {
    switch (method) {
      case 'Runtime.consoleAPICalled': {
        const text = (p.args ?? []).map(remoteText).join(' ');
        const frame = p.stackTrace?.callFrames?.[0];
        this.push(p.timestamp, page, p.type ?? 'log', text + where(frame?.url, frame?.lineNumber));
        return true;
      }
      case 'Runtime.exceptionThrown': {
        const d = p.exceptionDetails ?? {};
        const text = d.exception?.description ?? d.text ?? 'exception';
        this.push(p.timestamp, page, 'exception', text + where(d.url, d.lineNumber));
        return true;
      }
      case 'Log.entryAdded': {
        const e = p.entry ?? {};
        this.push(e.timestamp, page, `${e.source ?? 'log'}.${e.level ?? 'info'}`, String(e.text ?? '') + where(e.url, e.lineNumber));
        return true;
      }
      default:
        return false;
    }
  }

  text(): string {
    const more = this.dropped > 0 ? [`… ${this.dropped} more lines not kept (limit ${MAX_CONSOLE_LINES})`] : [];
    return [...this.lines, ...more].map((l) => `${l}\n`).join('');
  }

  private push(timestamp: unknown, page: string, type: string, text: string): void {
    if (this.lines.length >= MAX_CONSOLE_LINES) {
      this.dropped++;
      return;
    }
    // CDP timestamps are epoch milliseconds here; anything else falls back to the daemon's clock.
    const at = typeof timestamp === 'number' && timestamp > 1e12 ? timestamp : this.now();
    this.lines.push(`${new Date(at).toISOString()} ${page} ${type}: ${text.replace(/\n/g, '\n    ')}`);
  }
}
