// The console's panel drawn with Ink: the status line, and above it the help overlay or a prompt when one is open.
import { Box, Text } from 'ink';
import { HELP_TITLE, helpLayout, type HelpItem } from './help-layout.js';
import { SEPARATOR, fitSegments, type Segment, type Tone } from './status-model.js';

export type Overlay =
  | { kind: 'none' }
  | { kind: 'help' }
  | { kind: 'confirm-end'; id: string }
  | { kind: 'baud'; text: string }
  | { kind: 'flash'; text: string }
  | { kind: 'power' };

export interface PanelView {
  segments: Segment[];
  overlay: Overlay;
  columns: number;
  /** The terminal's height: the help is made to fit above the status line. */
  rows?: number;
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

function KeyItem({ item, width }: { item: HelpItem; width: number }) {
  return (
    <Box width={width}>
      <Text>
        <Text color="cyan" bold>
          {item.key.padEnd(3)}
        </Text>
        {item.text}
      </Text>
    </Box>
  );
}

/** Keys after Ctrl-T: laid out by helpLayout so that no word is cut and the first lines always show. */
export function HelpOverlay({ columns, rows }: { columns: number; rows?: number | undefined }) {
  const layout = helpLayout(columns, rows);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} width={layout.width}>
      <Text bold wrap="truncate-end">
        {HELP_TITLE}
      </Text>
      {layout.rows.map((row, i) =>
        layout.compact ? (
          <Text key={i}>
            {row.map((it, j) => (
              <Text key={it.key}>
                {j > 0 ? <Text dimColor> · </Text> : null}
                <Text color="cyan" bold>
                  {it.key}
                </Text>{' '}
                {it.text}
              </Text>
            ))}
          </Text>
        ) : (
          <Box key={i} gap={2}>
            {row.map((it) => (
              <KeyItem key={it.key} item={it} width={layout.itemWidth} />
            ))}
          </Box>
        ),
      )}
      {layout.footer.map((line, i) => (
        <Text key={`f${i}`} dimColor>
          {line}
        </Text>
      ))}
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
  if (overlay.kind === 'flash') {
    return (
      <Box width={columns}>
        <Text wrap="truncate-start">
          {' '}
          <Text bold>Flash file: </Text>
          <Text inverse>{overlay.text || ' '}</Text>
          <Text dimColor> Enter to flash (an app goes to 0x10000), Esc to cancel</Text>
        </Text>
      </Box>
    );
  }
  if (overlay.kind === 'power') {
    return (
      <Box width={columns}>
        <Text wrap="truncate-end">
          {' '}
          <Text bold>Power: </Text>
          <Text color="cyan" bold>c</Text> cycle · <Text color="cyan" bold>0</Text> off · <Text color="cyan" bold>1</Text> on · any other key cancels
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
      {overlay.kind === 'help' ? <HelpOverlay columns={columns} rows={view.rows} /> : null}
      {overlay.kind !== 'none' && overlay.kind !== 'help' ? <Prompt overlay={overlay} columns={columns} /> : null}
      <StatusLine segments={view.segments} columns={columns} />
    </Box>
  );
}
