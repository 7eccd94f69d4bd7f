// Asks before ending a session: the board goes back to the pool and the console closes.
import { useEffect, useRef } from 'react';
import type { Session } from '../../transport/protocol/api.js';

export function EndDialog({ session, onCancel, onConfirm }: { session: Session; onCancel(): void; onConfirm(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="dialog" onCancel={onCancel} aria-labelledby="end-title">
      <h2 id="end-title">End this session?</h2>
      <p>
        The board <strong>{session.board_id ?? session.board_type}</strong> goes back to the pool and this console closes. Its
        transcript stays available with <code>fbay serial cat</code>.
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} autoFocus>
          Keep it
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          End Session
        </button>
      </div>
    </dialog>
  );
}
