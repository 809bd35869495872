// Types of systemPackages.mjs, for the TypeScript tests that import it.
export type PackageName = 'chromium' | 'libkrb5-dev';
export interface Probe {
  exists(path: string): boolean;
  isRoot(): boolean;
  hasApt(): boolean;
}
export type Plan = { action: 'none' } | { action: 'install'; packages: PackageName[] } | { action: 'stop'; message: string };
export const CHROMIUM: string;
export const GSSAPI_HEADERS: readonly string[];
export const PACKAGES: Record<PackageName, { provides: string; present(exists: (path: string) => boolean): boolean }>;
export const systemProbe: Probe;
export function missingPackages(wanted: readonly PackageName[], exists?: (path: string) => boolean): PackageName[];
export function installCommand(packages: readonly string[], options: { sudo: boolean }): string;
export function decide(state: { missing: readonly PackageName[]; isRoot: boolean; hasApt: boolean }): Plan;
export class SystemPackagesError extends Error {}
export function ensureSystemPackages(
  wanted: readonly PackageName[],
  options?: { probe?: Probe; runApt?: (args: string[]) => { status: number | null; lastLine: string }; log?: (line: string) => void },
): PackageName[];
export function packagesFor(purpose: 'test' | 'start' | 'code-server', state: { codeServerInstalled: boolean }): PackageName[];
