// The flasher's log lines as they come (esptool's messages, or a flash_command's output), kept scrolled to the end.
import { useEffect, useRef } from 'react';

export function FlashLog({ lines }: { lines: string[] }) {
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  if (lines.length === 0) return null;
  return (
    <pre ref={box} className="log flash-log" tabIndex={0} aria-label="Flash log" data-testid="flash-log">
      {lines.join('\n')}
    </pre>
  );
}
