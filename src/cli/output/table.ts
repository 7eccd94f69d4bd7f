// Plain column tables like `docker ps`: upper-case headers, columns padded to their widest cell, no borders.
const GAP = '   ';

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .join(GAP)
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}

/** Aligned `label  value` lines for one object. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const w = Math.max(...fields.map(([label]) => width(label)));
  return fields.map(([label, value]) => `${label}${' '.repeat(w - width(label))}  ${value}`).join('\n') + '\n';
}

/** Display width, counting code points (not UTF-16 units) so '→' or 'é' pad right. */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
