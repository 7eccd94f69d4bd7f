// The sandbox's files under /workspace: a directory at a time, with download, delete and upload
// (GET|PUT|DELETE /v1/sessions/{id}/files/{path}; a directory's GET lists it).
import { useRef, useState } from 'react';
import type { SandboxDirectory, SandboxFileEntry } from '../../transport/protocol/sandbox-api.js';
import { API } from '../../transport/protocol/paths.js';
import { api, ApiFailure } from '../api.js';
import { ago, bytes } from '../lib/format.js';
import { saveFrom } from '../lib/save-file.js';
import { useLoad } from '../hooks.js';

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

export function FileBrowser({ sessionId, usable }: { sessionId: string; usable: boolean }) {
  const [dir, setDir] = useState('');
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = encodeURIComponent(sessionId);
  const listing = useLoad(() => (usable ? api<SandboxDirectory>('GET', API.file(id, dir)) : Promise.resolve(null)), [id, dir, usable]);

  const act = async (run: () => Promise<string>) => {
    setBusy(true);
    setNote(null);
    try {
      setNote({ text: await run(), error: false });
    } catch (err) {
      setNote({ text: err instanceof ApiFailure ? err.message : String(err), error: true });
    } finally {
      setBusy(false);
      setConfirming(null);
      listing.reload();
    }
  };
  const upload = (files: FileList | null) => {
    const picked = files ? [...files] : [];
    if (input.current) input.current.value = '';
    if (picked.length === 0) return;
    void act(async () => {
      for (const f of picked) await api('PUT', API.file(id, join(dir, f.name)), f);
      return `Uploaded ${picked.map((f) => f.name).join(', ')} to /workspace/${dir}.`;
    });
  };
  const remove = (e: SandboxFileEntry) =>
    act(async () => {
      await api('DELETE', API.file(id, join(dir, e.name)));
      return `Deleted /workspace/${join(dir, e.name)}.`;
    });
  const download = (e: SandboxFileEntry) => act(async () => (await saveFrom(API.file(id, join(dir, e.name)), e.name), `Downloaded ${e.name}.`));
  const crumbs = dir ? dir.split('/') : [];
  const entries = [...(listing.value?.entries ?? [])].sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
  return (
    <section className="card files" aria-labelledby="files-title">
      <div className="card-head">
        <h2 id="files-title">Files</h2>
        <div className="actions">
          <label className={`button small-button${usable ? '' : ' disabled'}`}>
            Upload files
            <input ref={input} type="file" multiple className="visually-hidden" onChange={(e) => upload(e.target.files)} disabled={!usable || busy} data-testid="upload-files" />
          </label>
          <button type="button" className="small" onClick={listing.reload} disabled={!usable}>
            Refresh
          </button>
        </div>
      </div>
      <nav aria-label="Folder" className="crumbs mono">
        <button type="button" className="link" onClick={() => setDir('')} aria-current={dir === '' ? 'location' : undefined}>
          /workspace
        </button>
        {crumbs.map((c, i) => (
          <span key={i}>
            {' / '}
            <button type="button" className="link" onClick={() => setDir(crumbs.slice(0, i + 1).join('/'))} aria-current={i === crumbs.length - 1 ? 'location' : undefined}>
              {c}
            </button>
          </span>
        ))}
      </nav>
      {note && (
        <p role={note.error ? 'alert' : 'status'} className={note.error ? 'error' : 'muted'} data-testid="files-note">
          {note.text}
        </p>
      )}
      {listing.error && <p role="alert" className="error">{listing.error.message}</p>}
      {!usable && <p className="muted">This sandbox is over: its files are gone.</p>}
      {listing.value && entries.length === 0 && <p className="muted">This folder is empty.</p>}
      {entries.length > 0 && (
        <table className="file-table" data-testid="file-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col" className="wide-only">Modified</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.name} data-file={e.name}>
                <td className="mono">
                  {e.type === 'dir' ? (
                    <button type="button" className="link" onClick={() => setDir(join(dir, e.name))}>
                      {e.name}/
                    </button>
                  ) : (
                    e.name
                  )}
                </td>
                <td>{e.type === 'dir' ? '—' : bytes(e.size)}</td>
                <td className="wide-only">{ago(e.modified_at)}</td>
                <td className="row-actions">
                  {e.type === 'file' && (
                    <button type="button" className="small" onClick={() => void download(e)} disabled={busy} aria-label={`Download ${e.name}`}>
                      Download
                    </button>
                  )}
                  {confirming === e.name ? (
                    <>
                      <button type="button" className="small danger" onClick={() => void remove(e)} disabled={busy} aria-label={`Really delete ${e.name}`}>
                        Delete it
                      </button>
                      <button type="button" className="small" onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <button type="button" className="small" onClick={() => setConfirming(e.name)} disabled={busy} aria-label={`Delete ${e.name}`}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
