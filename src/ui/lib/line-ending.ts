// What the Enter key sends to the board, as picocom and tio let you choose; the terminal itself types CR.
export const LINE_ENDINGS = { cr: '\r', lf: '\n', crlf: '\r\n' } as const;
export type LineEnding = keyof typeof LINE_ENDINGS;

/** Typed text with each CR (Enter) turned into the chosen line ending. */
export function applyLineEnding(typed: string, ending: LineEnding): string {
  return ending === 'cr' ? typed : typed.replace(/\r/g, LINE_ENDINGS[ending]);
}

/** What local echo shows for typed text: Enter as a new line, Backspace as erase. */
export function echoOf(typed: string): string {
  return typed.replace(/\r/g, '\r\n').replace(/\x7f/g, '\b \b');
}
