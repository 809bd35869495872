// What the VS Code tests load of the fake Gemini server: test/vscode/run.mjs bundles this file to
// CommonJS, starts one fake for the UI tests, and the in-host tests require it to start their own.
export { fakeModelVersion, startFakeGemini } from './server';
export { stageOf } from './stages';
export { HOSTILE_MARKUP, MARKDOWN_TAIL, previewResponder } from './previewAnswers';
