// Shared helpers for the in-host tests: the fixture workspace, activation, and waiting on VS Code
// events (never on sleeps).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const EXTENSION_ID = 'trait-studio.trait-studio';
const SOURCE = 'traits';

/** Rejects with a clear message when `promise` takes longer than `ms`. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The fixture workspace folder that test/vscode/run.mjs made. */
function workspaceFolder() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'no workspace folder is open (run.mjs opens the fixture workspace)');
  return folder.uri;
}

function fixtureUri(name) {
  return vscode.Uri.joinPath(workspaceFolder(), name);
}

/** Activates Trait Studio and waits for its language server (the API's `ready`). */
async function activate() {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath)`);
  const api = await withTimeout(Promise.resolve(extension.activate()), 20_000, 'the extension to activate');
  assert.ok(api && typeof api.ready?.then === 'function', 'activate() must return { ready: Promise<void> }');
  await withTimeout(api.ready, 20_000, 'the language server (api.ready)');
  return { extension, api };
}

/** Opens a fixture document (and shows it, so the editor has it like a user would). */
async function open(name, { show = true } = {}) {
  const document = await vscode.workspace.openTextDocument(fixtureUri(name));
  if (show) await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** The Trait Studio diagnostics VS Code holds for `uri`. */
function traitDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/**
 * Resolves with traitDiagnostics(uri) once `predicate` holds for them, checking now and on every
 * onDidChangeDiagnostics for `uri`; rejects after `ms` with what was last seen.
 */
function waitForDiagnostics(uri, predicate, ms = 20_000, what = 'diagnostics') {
  const key = uri.toString();
  return new Promise((resolve, reject) => {
    let subscription;
    const check = () => {
      const diagnostics = traitDiagnostics(uri);
      if (predicate(diagnostics)) {
        clearTimeout(timer);
        subscription?.dispose();
        resolve(diagnostics);
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      subscription?.dispose();
      const seen = traitDiagnostics(uri).map(describe);
      reject(
        new Error(
          `timed out after ${ms} ms waiting for ${what} on ${uri.path}; ` +
            `last seen ${seen.length}: ${JSON.stringify(seen.slice(0, 10))}`,
        ),
      );
    }, ms);
    if (check()) return;
    subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((u) => u.toString() === key)) check();
    });
  });
}

/** Resolves on the next onDidChangeDiagnostics event that names `uri`. */
function nextDiagnosticsEvent(uri, ms = 20_000) {
  const key = uri.toString();
  let subscription;
  return withTimeout(
    new Promise((resolve) => {
      subscription = vscode.languages.onDidChangeDiagnostics((event) => {
        if (event.uris.some((u) => u.toString() === key)) resolve(traitDiagnostics(uri));
      });
    }),
    ms,
    `a diagnostics update for ${uri.path}`,
  ).finally(() => subscription?.dispose());
}

function ruleOf(diagnostic) {
  const { code } = diagnostic;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

function describe(diagnostic) {
  return (
    `${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ` +
    `${vscode.DiagnosticSeverity[diagnostic.severity]} ${ruleOf(diagnostic)} ${diagnostic.message}`
  );
}

/** 0-based line of the first line equal to `text` (trimmed). */
function lineOf(document, text) {
  for (let line = 0; line < document.lineCount; line += 1) {
    if (document.lineAt(line).text.trim() === text) return line;
  }
  assert.fail(`no line "${text}" in ${document.uri.path}`);
}

/**
 * The repository file that test/vscode/run.mjs copied the workspace file `uri` from (its
 * TRAIT_STUDIO_FIXTURES), or undefined for a file a test made.
 */
function fixtureSource(uri) {
  assert.ok(process.env.TRAIT_STUDIO_FIXTURES, 'TRAIT_STUDIO_FIXTURES is not set (test/vscode/run.mjs sets it)');
  if (path.dirname(uri.fsPath) !== workspaceFolder().fsPath) return undefined;
  return JSON.parse(process.env.TRAIT_STUDIO_FIXTURES)[path.basename(uri.fsPath)];
}

/**
 * Throws away unsaved changes to `document` (tests edit the fixtures in memory only), then checks
 * that a fixture is still, on disk, the file it was copied from: an edit that was saved would reach
 * every later test.
 */
async function revert(document) {
  if (document.isDirty) {
    await vscode.window.showTextDocument(document, { preview: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(document.isDirty, false, `could not revert ${document.uri.path}`);
  }
  const source = fixtureSource(document.uri);
  if (source && document.getText() !== fs.readFileSync(source, 'utf8')) {
    assert.fail(`${document.uri.path} was saved with a test's edits (is files.autoSave on?): it is no longer ${source}`);
  }
}

module.exports = {
  EXTENSION_ID,
  SOURCE,
  activate,
  describe,
  fixtureUri,
  lineOf,
  nextDiagnosticsEvent,
  open,
  revert,
  ruleOf,
  traitDiagnostics,
  waitForDiagnostics,
  withTimeout,
  workspaceFolder,
};
