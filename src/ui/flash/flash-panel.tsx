// The session's Flash panel: pick .bin files and their offsets, send them to the daemon, follow the job (phase,
// bytes, speed, esptool's log) from the event stream while the console below goes on and shows the new boot log.
import { useEffect, useRef, useState } from 'react';
import type { BoardList } from '../../transport/protocol/api.js';
import { api, ApiFailure } from '../api.js';
import { bytes } from '../lib/format.js';
import { useEvents } from '../hooks.js';
import { latestFlash, startFlash, type FlashChoices, type PickedImage } from './flash-request.js';
import { overLimit, parseOffset } from './flash-images.js';
import { percent, withEvent, withJob, type FlashProgress } from './flash-progress.js';
import { FlashLog } from './flash-log.js';

export interface FlashPanelProps {
  sessionId: string;
  boardId: string | null;
  /** The board is there to flash (the session is idle or active). */
  usable: boolean;
  /** The session is `flashing` (here, or a flash started elsewhere). */
  flashing: boolean;
  /** The form is shown (the Flash button); progress shows whenever a job runs. */
  open: boolean;
  onClose(): void;
}

export function FlashPanel({ sessionId, boardId, usable, flashing, open, onClose }: FlashPanelProps) {
  const [picked, setPicked] = useState<PickedImage[]>([]);
  const [choices, setChoices] = useState<FlashChoices>({ verify: true, eraseAll: false, force: false });
  const [progress, setProgress] = useState<FlashProgress | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [limit, setLimit] = useState<number | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const refresh = () =>
    void latestFlash(sessionId).then(
      (job) => job && setProgress((p) => (job.state === 'running' || p ? withJob(p, job) : p)),
      () => undefined,
    );
  // Asked only when there is a job to show (a page opened mid-flash): a session never flashed answers 404.
  const shown = useRef(false);
  shown.current = progress !== null;
  useEffect(() => {
    if (flashing) refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessionId, flashing]);
  useEffect(() => {
    void api<BoardList>('GET', '/v1/boards').then(
      (list) => setLimit(list.boards.find((b) => b.id === boardId)?.flash?.max_bytes ?? null),
      () => setLimit(null),
    );
  }, [boardId]);
  useEvents((type, data) => {
    if (type === 'resync') return void ((flashing || shown.current) && refresh());
    if (type !== 'flash' || data.session_id !== sessionId) return;
    setProgress((p) => withEvent(p, data));
    if (data.state !== 'running') refresh(); // the ended job: its images, time and boot offset
  });

  const running = progress?.state === 'running';
  const add = (files: FileList | null) => {
    if (!files) return;
    // Copied now: the FileList is live, and emptied when the input is cleared below.
    const added = [...files].map((file) => ({ file, offset: '' }));
    setPicked((now) => [...now, ...added]);
    setRefusal(null);
    if (input.current) input.current.value = '';
  };
  const setOffset = (n: number, offset: string) => setPicked((now) => now.map((p, i) => (i === n ? { ...p, offset } : p)));
  const remove = (n: number) => setPicked((now) => now.filter((_, i) => i !== n));
  const flash = async () => {
    setSending(true);
    setRefusal(null);
    try {
      const job = await startFlash(sessionId, picked, choices, limit);
      setProgress((p) => withJob(p, job));
    } catch (err) {
      setRefusal(err instanceof ApiFailure ? err.message : String(err));
    } finally {
      setSending(false);
    }
  };
  const tooBig = overLimit(picked.map((p) => p.file.size), limit);
  const badOffset = picked.some((p) => parseOffset(p.offset) === undefined);
  if (!open && !progress) return null;
  return (
    <section className="flash card" id="flash-panel" aria-labelledby="flash-title" data-testid="flash-panel">
      <div className="card-head">
        <h2 id="flash-title">Flash firmware</h2>
        {open && (
          <button type="button" className="small" onClick={onClose}>
            Hide
          </button>
        )}
      </div>
      {open && (
        <form
          className="flash-form"
          onSubmit={(e) => {
            e.preventDefault();
            void flash();
          }}
        >
          <label className="flash-pick">
            Add .bin files{' '}
            <input ref={input} type="file" multiple accept=".bin,application/octet-stream" onChange={(e) => add(e.target.files)} data-testid="flash-files" />
          </label>
          {picked.length > 0 && (
            <ul className="flash-images plain" aria-label="Images to flash">
              {picked.map((p, n) => (
                <li key={`${n}-${p.file.name}`} className="flash-image">
                  <span className="mono flash-name">{p.file.name}</span>
                  <span className="muted">{bytes(p.file.size)}</span>
                  <label>
                    at{' '}
                    <input
                      type="text"
                      className="mono flash-offset"
                      inputMode="text"
                      spellCheck={false}
                      placeholder="by kind"
                      value={p.offset}
                      onChange={(e) => setOffset(n, e.target.value)}
                      aria-label={`Offset of ${p.file.name}`}
                      aria-invalid={parseOffset(p.offset) === undefined}
                    />
                  </label>
                  <button type="button" className="small" onClick={() => remove(n)} aria-label={`Remove ${p.file.name}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <p className="muted hint">
            An empty offset puts the image where its kind belongs, as <code>fbay flash</code> does: an app at 0x10000, a bootloader at 0x0,
            a partition table at 0x8000.{limit !== null && ` At most ${bytes(limit)} (the board's flash).`}
          </p>
          <div className="flash-options">
            <label>
              <input type="checkbox" checked={choices.verify} onChange={(e) => setChoices({ ...choices, verify: e.target.checked })} /> Verify (MD5)
            </label>
            <label>
              <input type="checkbox" checked={choices.eraseAll} onChange={(e) => setChoices({ ...choices, eraseAll: e.target.checked })} /> Erase all first
            </label>
            <label>
              <input type="checkbox" checked={choices.force} onChange={(e) => setChoices({ ...choices, force: e.target.checked })} /> Force
            </label>
            <button type="submit" disabled={picked.length === 0 || !usable || running || sending || badOffset}>
              {sending ? 'Sending…' : `Flash ${picked.length === 1 ? '1 image' : `${picked.length} images`}`}
            </button>
          </div>
          {tooBig && <p className="notice warn">These files do not fit the board's flash: the daemon will refuse them, and nothing is sent.</p>}
          {refusal && (
            <p role="alert" className="error" data-testid="flash-refusal">
              {refusal}
            </p>
          )}
        </form>
      )}
      {progress && <Progress progress={progress} />}
    </section>
  );
}

function Progress({ progress: p }: { progress: FlashProgress }) {
  const pct = percent(p);
  const images = p.final?.images.map((i) => `${i.name} (${i.description}) at 0x${i.offset.toString(16)}`).join(', ');
  return (
    <div className="flash-progress" data-testid="flash-progress" data-state={p.state}>
      <div className="flash-bar-row">
        <progress max={100} value={pct} aria-label="Flash progress" />
        <span className="mono" data-testid="flash-percent">
          {pct}%
        </span>
      </div>
      <p role="status" className="muted" data-testid="flash-status">
        {p.state === 'running' && `${p.phase}… ${bytes(p.written)} of ${bytes(p.total)}${p.kbit_s ? ` · ${Math.round(p.kbit_s)} kbit/s` : ''}`}
        {p.state === 'succeeded' && `Flashed ${images ?? 'the images'}${p.final?.seconds != null ? ` in ${p.final.seconds.toFixed(1)} s` : ''}${p.final?.verify ? ', verified' : ''}; the board was reset.`}
        {p.state === 'failed' && 'The flash failed.'}
      </p>
      {p.state === 'failed' && p.error && (
        <p role="alert" className="error">
          {p.error}
        </p>
      )}
      <FlashLog lines={p.lines} />
    </div>
  );
}
