// Server-Sent Events read from a fetch body (EventSource cannot POST): `event:` and `data:` lines, a blank line
// ends an event; comments (`: ping`) and unknown fields are skipped, and a chunk may end anywhere.

export class SseParser {
  #buffer = '';
  #event = 'message';
  #data: string[] = [];

  constructor(private readonly onEvent: (type: string, data: string) => void) {}

  push(text: string): void {
    this.#buffer += text;
    let nl: number;
    while ((nl = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, nl);
      const width = this.#buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (width === 1 && this.#buffer[nl] === '\r' && nl === this.#buffer.length - 1) return;
      this.#buffer = this.#buffer.slice(nl + width);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0) this.onEvent(this.#event, this.#data.join('\n'));
      this.#event = 'message';
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
  }
}

/** Terminal colour and cursor sequences, which a plain text view would show as noise. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}
