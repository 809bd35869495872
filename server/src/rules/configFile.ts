import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { LineIndex } from '../document/position';
import { validateConfigFile, type LintSettings } from './config';

/** Config file names, in the order they are looked for in each folder. */
export const CONFIG_FILE_NAMES = ['.traitsrc.json', '.traitsrc.yaml', '.traitsrc.yml'] as const;

/** A config file that cannot be read, parsed or validated; the message names the file and place. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The nearest config file at or above `folder`, or undefined. */
export function findConfigFile(folder: string): string | undefined {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The nearest config file's settings per folder, each folder looked up and each file read once
 * (undefined: no config file above that folder). `clear()` after a config file changes. A file
 * that cannot be used throws ConfigError each time it is asked for, and is not cached.
 */
export class ConfigFiles {
  private readonly byFolder = new Map<string, LintSettings | undefined>();

  settingsFor(folder: string): LintSettings | undefined {
    if (this.byFolder.has(folder)) return this.byFolder.get(folder);
    const file = findConfigFile(folder);
    const settings = file ? loadConfigFile(file) : undefined;
    this.byFolder.set(folder, settings);
    return settings;
  }

  clear(): void {
    this.byFolder.clear();
  }
}

/**
 * Reads and validates a `.traitsrc.json` / `.traitsrc.yaml` file: `{ lint: { rule: setting } }`.
 * Throws ConfigError (with `file:line:col` for syntax errors) when it cannot be used.
 */
export function loadConfigFile(path: string): LintSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseConfigText(text, path);
}

/** Parses config text (JSON is read as the YAML subset it is). Throws ConfigError. */
export function parseConfigText(text: string, path: string): LintSettings {
  const source = text.replace(/^\uFEFF/, '');
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = new LineIndex(source).positionAt(syntax.pos[0]);
    throw new ConfigError(`${path}:${at.line + 1}:${at.character + 1}: ${syntax.message.split('\n')[0]}`);
  }
  const data = doc.toJS() ?? {};
  const problems = validateConfigFile(data);
  if (problems.length) throw new ConfigError(`${path}: ${problems.map((p) => p.message).join(' ')}`);
  return (data as { lint?: LintSettings }).lint ?? {};
}
