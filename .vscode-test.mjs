// For contributors with a desktop VS Code: `npx vscode-test` downloads VS Code and runs the in-host
// suite there. These machines cannot download it; `npm run test:vscode` runs the same suite in
// code-server instead (see test/vscode/run.mjs), in a fixture workspace it builds with the Model Spec
// copied in; here `./examples` stands in, so the suite's Model Spec tests need that copy added by hand.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'test/vscode/suite/**/*.test.js',
  workspaceFolder: './examples',
  mocha: { timeout: 60_000 },
});
