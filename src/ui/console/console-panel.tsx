// The session's serial console: xterm.js on the serial WebSocket (binary both ways), earlier output replayed on open,
// line ending, baud, local echo, and a hex view for the bytes a terminal cannot show.
import { useEffect, useRef, useState } from 'react';
import type { Terminal } from '@xterm/xterm';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import { request } from '../api.js';
import { applyLineEnding, echoOf, type LineEnding } from '../lib/line-ending.js';
import { RecentBytes, Utf8Check } from '../lib/hex.js';
import { SerialLine, type LineState } from './serial-line.js';
import { TerminalView, terminalText } from './terminal-view.js';
import { HexPanel } from './hex-panel.js';

/** On opening the page, this much of the earlier output is replayed (the daemon keeps it in its ring and transcript). */
export const REPLAY_BYTES = 512 * 1024;
const BAUDS = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1500000, 2000000];

declare global {
  interface Window {
    /** For tests and debugging: the terminal's text and where the serial line is. */
    fbayConsole?: { text(): string; offset(): number; state(): LineState; term: Terminal };
  }
}

export interface ConsolePanelProps {
  sessionId: string;
  /** A board is there to talk to (idle or active); the console attaches once this is true. */
  attachable: boolean;
  onMessage(message: ServerMessage): void;
  onLineState(state: LineState): void;
}

const encoder = new TextEncoder();
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function ConsolePanel({ sessionId, attachable, onMessage, onLineState }: ConsolePanelProps) {
  const term = useRef<Terminal | null>(null);
  const line = useRef<SerialLine | null>(null);
  const recent = useRef(new RecentBytes());
  const utf8 = useRef(new Utf8Check());
  const [invalid, setInvalid] = useState(0);
  const [hexTick, setHexTick] = useState(0);
  const [ending, setEnding] = useState<LineEnding>('cr');
  const [echo, setEcho] = useState(false);
  const [hex, setHex] = useState(false);
  const [baud, setBaud] = useState(115200);
  const [note, setNote] = useState<string | null>(null);
  const hexOpen = useRef(hex);
  hexOpen.current = hex;
  const settings = useRef({ ending, echo });
  settings.current = { ending, echo };
  const handlers = useRef({ onMessage, onLineState });
  handlers.current = { onMessage, onLineState };

  useEffect(() => {
    if (!attachable || line.current) return;
    let cancelled = false;
    let frame = 0;
    void (async () => {
      const since = await startOffset(sessionId);
      if (cancelled) return;
      const l = new SerialLine(sessionId, since, {
        data: (bytes, end) => {
          term.current?.write(bytes);
          recent.current.push(bytes, end);
          const before = utf8.current.invalid;
          utf8.current.push(bytes);
          // React renders at most once a frame, and only when something it shows changed: a flood stays xterm's work.
          if (utf8.current.invalid !== before || hexOpen.current) {
            frame ||= requestAnimationFrame(() => {
              frame = 0;
              setInvalid(utf8.current.invalid);
              if (hexOpen.current) setHexTick((n) => n + 1);
            });
          }
        },
        message: (m) => handlers.current.onMessage(m),
        state: (s) => handlers.current.onLineState(s),
      });
      line.current = l;
      window.fbayConsole = { text: () => (term.current ? terminalText(term.current) : ''), offset: () => l.offset, state: () => l.state, term: term.current! };
      l.start();
    })();
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
    };
  }, [attachable, sessionId]);
  useEffect(() => () => line.current?.close(), []);

  const onInput = (data: string, binary: boolean) => {
    const { ending: e, echo: localEcho } = settings.current;
    const text = binary ? data : applyLineEnding(data, e);
    line.current?.send(binary ? latin1(text) : encoder.encode(text));
    if (localEcho && !binary) term.current?.write(echoOf(data));
  };
  const changeBaud = (rate: number) => {
    setBaud(rate);
    setNote(line.current?.control({ type: 'baud', rate }) ? `Baud set to ${rate}.` : 'Not connected: the baud rate is sent once the console is back.');
  };
  const sendBreak = () => setNote(line.current?.control({ type: 'break' }) ? 'Break sent.' : 'Not connected.');

  return (
    <section className="console" aria-label="Serial console">
      <div className="console-tools" role="toolbar" aria-label="Console settings">
        <label>
          Enter sends{' '}
          <select value={ending} onChange={(e) => setEnding(e.target.value as LineEnding)}>
            <option value="cr">CR</option>
            <option value="lf">LF</option>
            <option value="crlf">CR LF</option>
          </select>
        </label>
        <label>
          Baud{' '}
          <select value={baud} onChange={(e) => changeBaud(Number(e.target.value))}>
            {BAUDS.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={echo} onChange={(e) => setEcho(e.target.checked)} /> Local echo
        </label>
        <label>
          <input type="checkbox" checked={hex} onChange={(e) => setHex(e.target.checked)} /> Hex view
        </label>
        <button type="button" className="small" onClick={sendBreak}>
          Break
        </button>
        <span className="muted" role="status">
          {note}
        </span>
      </div>
      {invalid > 0 && !hex && (
        <p className="notice">
          {invalid} byte{invalid === 1 ? ' was' : 's were'} not UTF-8: the terminal skips them.{' '}
          <button type="button" className="link" onClick={() => setHex(true)}>
            Show hex
          </button>
        </p>
      )}
      <TerminalView label="Serial console: what you type goes to the board; Shift+Tab leaves it" onReady={(t) => (term.current = t)} onInput={onInput} />
      {hex && <HexPanel recent={recent.current} tick={hexTick} />}
    </section>
  );
}

/** Where to start on opening: the last REPLAY_BYTES of what the board printed, so a reopened page shows it again. */
async function startOffset(sessionId: string): Promise<number> {
  try {
    const res = await request('HEAD', `/v1/sessions/${encodeURIComponent(sessionId)}/log`);
    const end = Number(res.headers.get('fbay-log-end'));
    return Number.isFinite(end) ? Math.max(0, end - REPLAY_BYTES) : 0;
  } catch {
    return 0;
  }
}
