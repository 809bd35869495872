// Types of codeServer.mjs, for the TypeScript tests that import it.
import type { Probe } from '../systemPackages.mjs';

export const REPO: string;
export const CODE_SERVER_DIR: string;
export const ENTRY: string;
export const NODE24_DIR: string;
export const NODE24: string;
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>>;
export function isInstalled(): boolean;
export function node24Env(extra?: Record<string, string>): Record<string, string | undefined>;
export function installCodeServer(options?: {
  force?: boolean;
  log?: (line: string) => void;
  systemPackages?: { probe?: Probe; runApt?: (args: string[]) => { status: number | null; lastLine: string } };
  npm?: (args: string[]) => number | null;
}): void;
export function freePort(): Promise<number>;
export function remoteUri(path: string): string;
export function workbenchUrl(
  baseUrl: string,
  options?: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string },
): string;
export interface CodeServer {
  baseUrl: string;
  port: number;
  tmp: string;
  logFile: string;
  userDataDir: string;
  pid: number;
  url(options?: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  stop(): Promise<void>;
}
export function startCodeServer(options?: {
  settings?: Record<string, unknown>;
  args?: string[];
  env?: Record<string, string>;
  workspaceTrust?: boolean;
  keepTemp?: boolean;
  timeoutMs?: number;
  log?: (line: string) => void;
  port?: number;
  tmp?: string;
}): Promise<CodeServer>;
