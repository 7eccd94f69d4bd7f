// The live view of a browser session's page: frames drawn on a canvas as they come, the page's title and URL under it.
import { useEffect, useRef, useState } from 'react';
import { LiveViewLine } from './live-view.js';

export function LiveViewPanel({ sessionId }: { sessionId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [page, setPage] = useState<{ url: string; title: string } | null>(null);
  const [state, setState] = useState<'connecting' | 'open' | 'reconnecting' | 'closed'>('connecting');
  const [frames, setFrames] = useState(0);
  useEffect(() => {
    const line = new LiveViewLine(sessionId, {
      frame: (bitmap) => {
        const c = canvas.current;
        if (c) {
          if (c.width !== bitmap.width || c.height !== bitmap.height) [c.width, c.height] = [bitmap.width, bitmap.height];
          c.getContext('2d')?.drawImage(bitmap, 0, 0);
        }
        bitmap.close();
        setFrames((n) => n + 1);
      },
      page: setPage,
      state: setState,
    });
    line.start();
    return () => line.close();
  }, [sessionId]);
  const label = page ? `Live view of ${page.title || page.url}` : 'Live view';
  return (
    <section className="card live-view" aria-labelledby="live-title">
      <div className="card-head">
        <h2 id="live-title">Live view</h2>
        <span className="muted" role="status" data-testid="live-state">
          {state === 'open' ? (frames > 0 ? 'live' : 'waiting for the first frame…') : state === 'closed' ? 'closed' : `${state}…`}
        </span>
      </div>
      <div className="screen">
        <canvas ref={canvas} width={1280} height={720} role="img" aria-label={label} data-testid="live-canvas" data-frames={frames} />
      </div>
      <p className="mono page-url" data-testid="live-page">
        {page ? (
          <>
            <strong>{page.title || 'untitled'}</strong> — {page.url}
          </>
        ) : (
          <span className="muted">No page yet.</span>
        )}
      </p>
      <p className="muted hint">View only: what the session's CDP client does shows here; this view does not take its place.</p>
    </section>
  );
}
