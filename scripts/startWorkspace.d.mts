// Types of startWorkspace.mjs, for the TypeScript tests that import it.
export const START_SETTINGS: Readonly<Record<string, unknown>>;
export function scratchExamples(repo: string): string;
export function prepareScratchExamples(repo: string): { folder: string; copied: string[] };
export function startPlan(
  argv: readonly string[],
  options: { repo: string; env?: Record<string, string | undefined> },
): { folder: string; copied: string[]; settings: Record<string, unknown>; port: number | undefined; build: boolean };
