// A button that copies a value (cdpUrl, a sandbox's URL), saying so; falls back to selecting it where the page has no
// clipboard (plain HTTP on another host is not a secure context).
import { useState } from 'react';

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setSaid('Copied.');
    } catch {
      setSaid('Copy it from the field: this page may not use the clipboard.');
    }
    window.setTimeout(() => setSaid(null), 3000);
  };
  return (
    <span className="copy">
      <button type="button" className="small" onClick={() => void copy()} aria-label={label}>
        Copy
      </button>
      <span role="status" className="muted">
        {said}
      </span>
    </span>
  );
}
