/**
 * Text from a document (headings, file names) on its way to a terminal: C0 control characters
 * (tab and line feed included), DEL and C1 control characters become visible escapes (`\x1b`,
 * `\x9b`), so an ESC or OSC sequence in a heading cannot recolour the terminal, move the cursor or
 * set its title. Everything else is left as it is. For text output only: JSON keeps the exact text.
 */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
