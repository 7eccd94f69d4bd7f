// The sandbox's terminal: a command line (sh, or TypeScript/JavaScript run by Bun) whose output streams in as the
// command runs, stderr marked, then its exit code and time; Up/Down walk the history, Stop ends the command.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ExecStreamEvent, SandboxExecResult, SandboxLanguage } from '../../transport/protocol/sandbox-api.js';
import { ApiFailure } from '../api.js';
import { stripAnsi } from '../lib/sse.js';
import { execStream } from './exec-stream.js';

/** Runs kept on screen, and characters kept of one run's output (the start goes first). */
const KEPT_RUNS = 100;
const KEPT_CHARS = 256 * 1024;

interface Run {
  n: number;
  text: string;
  language: SandboxLanguage;
  out: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
  cut: boolean;
  result: SandboxExecResult | null;
  error: string | null;
}

const PROMPT: Record<SandboxLanguage, string> = { sh: '$', ts: 'ts>', js: 'js>' };

export function SandboxTerminal({ sessionId, usable }: { sessionId: string; usable: boolean }) {
  const [runs, setRuns] = useState<Run[]>([]);
  const [text, setText] = useState('');
  const [language, setLanguage] = useState<SandboxLanguage>('sh');
  const [running, setRunning] = useState<AbortController | null>(null);
  const history = useRef<string[]>([]);
  const back = useRef(0);
  const out = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (out.current) out.current.scrollTop = out.current.scrollHeight;
  }, [runs]);
  const live = useRef<AbortController | null>(null);
  useEffect(() => () => live.current?.abort(), []); // leaving the page ends the command

  const change = (n: number, f: (r: Run) => Run) => setRuns((all) => all.map((r) => (r.n === n ? f(r) : r)));
  const run = async () => {
    const line = text.trim();
    if (!line || running) return;
    history.current = [...history.current.filter((h) => h !== line), line].slice(-100);
    back.current = 0;
    setText('');
    const n = Date.now();
    setRuns((all) => [...all, { n, text: line, language, out: [], cut: false, result: null, error: null }].slice(-KEPT_RUNS));
    const abort = new AbortController();
    live.current = abort;
    setRunning(abort);
    const onEvent = (e: ExecStreamEvent) => {
      if (e.type === 'stdout' || e.type === 'stderr') change(n, (r) => append(r, e.type as 'stdout' | 'stderr', e.data));
      else if (e.type === 'result') change(n, (r) => ({ ...r, result: e.result }));
      else if (e.type === 'error') change(n, (r) => ({ ...r, error: e.error }));
    };
    try {
      await execStream(sessionId, { text: line, language }, onEvent, abort.signal);
    } catch (err) {
      const message = abort.signal.aborted ? 'Stopped.' : err instanceof ApiFailure ? err.message : String(err);
      change(n, (r) => (r.result ? r : { ...r, error: message }));
    } finally {
      setRunning(null);
    }
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    const h = history.current;
    back.current = Math.max(0, Math.min(h.length, back.current + (e.key === 'ArrowUp' ? 1 : -1)));
    setText(back.current === 0 ? '' : h[h.length - back.current]!);
  };
  return (
    <section className="card sandbox-terminal" aria-labelledby="term-title">
      <div className="card-head">
        <h2 id="term-title">Terminal</h2>
        <button type="button" className="small" onClick={() => setRuns([])} disabled={runs.length === 0}>
          Clear
        </button>
      </div>
      <pre ref={out} className="term-out" role="log" aria-label="Command output" tabIndex={0} data-testid="exec-output">
        {runs.length === 0 && <span className="muted">Run a command: it runs in /workspace, its output shows here as it comes.</span>}
        {runs.map((r) => (
          <RunView key={r.n} run={r} />
        ))}
      </pre>
      <form
        className="term-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <select value={language} onChange={(e) => setLanguage(e.target.value as SandboxLanguage)} aria-label="Language">
          <option value="sh">sh</option>
          <option value="ts">TypeScript (Bun)</option>
          <option value="js">JavaScript (Bun)</option>
        </select>
        <input
          type="text"
          className="mono term-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          placeholder={language === 'sh' ? 'ls -la' : 'console.log(Bun.version)'}
          aria-label="Command"
          spellCheck={false}
          autoComplete="off"
          disabled={!usable}
        />
        {running ? (
          <button type="button" className="danger" onClick={() => running.abort()}>
            Stop
          </button>
        ) : (
          <button type="submit" disabled={!usable || text.trim() === ''}>
            Run
          </button>
        )}
      </form>
    </section>
  );
}

function append(r: Run, stream: 'stdout' | 'stderr', data: string): Run {
  const last = r.out.at(-1);
  const out = last?.stream === stream ? [...r.out.slice(0, -1), { stream, text: last.text + data }] : [...r.out, { stream, text: data }];
  let size = out.reduce((n, o) => n + o.text.length, 0);
  let cut = r.cut;
  while (size > KEPT_CHARS && out.length > 0) {
    const first = out[0]!;
    const drop = Math.min(first.text.length, size - KEPT_CHARS);
    size -= drop;
    cut = true;
    if (drop === first.text.length) out.shift();
    else out[0] = { ...first, text: first.text.slice(drop) };
  }
  return { ...r, out, cut };
}

function RunView({ run: r }: { run: Run }) {
  const res = r.result;
  const end = res
    ? res.timed_out
      ? `timed out after ${Math.round(res.execution_ms)} ms`
      : `${res.exit_code === null ? `killed by ${res.signal}` : `exit ${res.exit_code}`} · ${Math.round(res.execution_ms)} ms${res.oom_killed ? ' · out of memory' : ''}`
    : null;
  return (
    <span className="run" data-testid="exec-run" data-exit={res?.exit_code ?? undefined}>
      <span className="prompt">
        {PROMPT[r.language]} {r.text}
      </span>
      {'\n'}
      {r.cut && <span className="muted">[earlier output not kept]{'\n'}</span>}
      {r.out.map((o, i) => (
        <span key={i} className={o.stream}>
          {stripAnsi(o.text)}
        </span>
      ))}
      {r.out.length > 0 && !r.out.at(-1)!.text.endsWith('\n') && '\n'}
      {end && <span className={`run-end ${res!.exit_code === 0 ? 'ok' : 'bad'}`}>[{end}]{'\n'}</span>}
      {r.error && <span className="stderr">{r.error}{'\n'}</span>}
      {!end && !r.error && <span className="muted">running…{'\n'}</span>}
    </span>
  );
}
