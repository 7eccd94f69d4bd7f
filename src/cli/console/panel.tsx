// The console's panel drawn with Ink: the status line, and above it the help overlay or a prompt when one is open.
import { Box, Text } from 'ink';
import { COMMAND_KEYS } from './keys.js';
import { SEPARATOR, fitSegments, type Segment, type Tone } from './status-model.js';

export type Overlay = { kind: 'none' } | { kind: 'help' } | { kind: 'confirm-end'; id: string } | { kind: 'baud'; text: string };

export interface PanelView {
  segments: Segment[];
  overlay: Overlay;
  columns: number;
}

const COLOR: Partial<Record<Tone, string>> = {
  active: 'green',
  idle: 'yellow',
  reconnecting: 'magenta',
  ended: 'red',
  warning: 'yellow',
};

export function StatusLine({ segments, columns }: { segments: Segment[]; columns: number }) {
  const shown = fitSegments(segments, columns);
  return (
    <Box width={columns}>
      <Text wrap="truncate-end">
        {' '}
        {shown.map((s, i) => (
          <Text key={i}>
            {i > 0 ? <Text dimColor>{SEPARATOR}</Text> : null}
            <Text color={COLOR[s.tone]} dimColor={s.tone === 'muted'} bold={s.tone === 'active' || s.tone === 'ended'}>
              {s.text}
            </Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}

function KeyItem({ keyName, what, width }: { keyName: string; what: string; width: number }) {
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text color="cyan" bold>
          {keyName.padEnd(3)}
        </Text>
        {what}
      </Text>
    </Box>
  );
}

/** Keys after Ctrl-T; two columns when the terminal is wide enough. */
export function HelpOverlay({ columns }: { columns: number }) {
  const width = Math.max(10, Math.min(columns, 100));
  const twoColumns = width >= 80;
  const inner = width - 4;
  const colWidth = twoColumns ? Math.floor(inner / 2) : inner;
  const items = COMMAND_KEYS.map(([key, , what]) => ({ key, what }));
  const rows = twoColumns ? Array.from({ length: Math.ceil(items.length / 2) }, (_, i) => [items[i]!, items[i + Math.ceil(items.length / 2)]]) : items.map((it) => [it]);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} width={width}>
      <Text bold wrap="truncate-end">
        fbay console · press Ctrl-T, then:
      </Text>
      {rows.map((row, i) => (
        <Box key={i}>
          {row.map((it) => (it ? <KeyItem key={it.key} keyName={it.key} what={it.what} width={colWidth} /> : null))}
        </Box>
      ))}
      <Text dimColor wrap="truncate-end">
        Ctrl-T Ctrl-T sends Ctrl-T · Ctrl-] quits at once · any other key goes to the board · any key closes this help
      </Text>
    </Box>
  );
}

function Prompt({ overlay, columns }: { overlay: Overlay; columns: number }) {
  if (overlay.kind === 'confirm-end') {
    return (
      <Box width={columns}>
        <Text wrap="truncate-end">
          {' '}
          <Text color="red" bold>
            End session {overlay.id}?
          </Text>{' '}
          It releases the board and stops the meter. <Text bold>y</Text> to end, any other key to keep it.
        </Text>
      </Box>
    );
  }
  if (overlay.kind === 'baud') {
    return (
      <Box width={columns}>
        <Text wrap="truncate-end">
          {' '}
          <Text bold>Baud rate: </Text>
          <Text inverse>{overlay.text || ' '}</Text>
          <Text dimColor> Enter to set, Esc to cancel (e.g. 9600, 115200, 921600)</Text>
        </Text>
      </Box>
    );
  }
  return null;
}

export function Panel({ view }: { view: PanelView }) {
  const { overlay, columns } = view;
  return (
    <Box flexDirection="column" width={columns}>
      {overlay.kind === 'help' ? <HelpOverlay columns={columns} /> : null}
      {overlay.kind === 'confirm-end' || overlay.kind === 'baud' ? <Prompt overlay={overlay} columns={columns} /> : null}
      <StatusLine segments={view.segments} columns={columns} />
    </Box>
  );
}
