/** Where a CLI command writes: the process's streams, or buffers in tests. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (colour, progress bars). */
  readonly isTTY: boolean;
  /**
   * True when stdout takes colour: a terminal that has colours, with NO_COLOR, NODE_DISABLE_COLORS
   * and TERM=dumb unset (FORCE_COLOR overrides them), as Node's tty `hasColors()` decides. Unset: no colour.
   */
  readonly color?: boolean;
}

export const processOutput: CliOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  isTTY: !!process.stdout.isTTY,
  color: !!process.stdout.isTTY && process.stdout.hasColors(),
};
