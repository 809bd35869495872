/** Where a CLI command writes: the process's streams, or buffers in tests. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (colour, progress bars). */
  readonly isTTY: boolean;
}

export const processOutput: CliOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  isTTY: !!process.stdout.isTTY,
};
