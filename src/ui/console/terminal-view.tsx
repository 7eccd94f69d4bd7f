// xterm.js in a resizable box, themed light or dark with the system; typed input goes to `onInput` as bytes.
import { useEffect, useRef } from 'react';
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';

const LIGHT: ITheme = { background: '#fbfbf9', foreground: '#1d2421', cursor: '#1f6f5c', selectionBackground: '#b9d9cf' };
const DARK: ITheme = { background: '#111614', foreground: '#dde5e1', cursor: '#6fd3b5', selectionBackground: '#2f5247' };

const dark = () => matchMedia('(prefers-color-scheme: dark)');

export interface TerminalViewProps {
  onReady(term: Terminal): void;
  /** Typed text (UTF-8 as a string) or, for `binary`, bytes as a latin1 string. */
  onInput(data: string, binary: boolean): void;
  label: string;
}

export function TerminalView({ onReady, onInput, label }: TerminalViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const input = useRef(onInput);
  input.current = onInput;
  const ready = useRef(onReady);
  ready.current = onReady;
  useEffect(() => {
    const term = new Terminal({
      // A board's output is kept by the daemon too; this is what can be scrolled here.
      scrollback: 10_000,
      convertEol: false,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      theme: dark().matches ? DARK : LIGHT,
      screenReaderMode: false,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box.current!);
    term.textarea?.setAttribute('aria-label', label);
    const fitNow = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    fitNow();
    const resize = new ResizeObserver(fitNow);
    resize.observe(box.current!);
    const scheme = dark();
    const onScheme = () => (term.options.theme = scheme.matches ? DARK : LIGHT);
    scheme.addEventListener('change', onScheme);
    // Tab belongs to the board; Shift+Tab leaves the terminal, so the page stays usable from the keyboard.
    term.attachCustomKeyEventHandler((e) => !(e.key === 'Tab' && e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey));
    const subs = [term.onData((d) => input.current(d, false)), term.onBinary((d) => input.current(d, true))];
    ready.current(term);
    return () => {
      scheme.removeEventListener('change', onScheme);
      resize.disconnect();
      for (const s of subs) s.dispose();
      term.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return <div className="terminal" ref={box} data-testid="terminal" />;
}

/** The terminal's text, line by line, for tests and for "copy all". */
export function terminalText(term: Terminal): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    // A wrapped row continues the one above it: join them back into the line the board sent.
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += line.translateToString(true);
    else lines.push(line.translateToString(true));
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}
