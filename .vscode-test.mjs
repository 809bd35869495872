// For contributors with a desktop VS Code: `npx vscode-test` downloads VS Code and runs the in-host
// suite there. These machines cannot download it; `npm run test:vscode` runs the same suite in
// code-server instead (see test/vscode/run.mjs).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'test/vscode/suite/**/*.test.js',
  workspaceFolder: './examples',
  mocha: { timeout: 60_000 },
});
