/** Throws an AssertionError unless `log`, saved as file `name`, is an eval log Inspect reads (see inspectLog.mjs). */
export function assertInspectLog(name: string, log: Record<string, unknown>): void;
