// What the VS Code tests load of the fake model servers: test/vscode/run.mjs bundles this file to
// CommonJS, starts one fake Gemini for the UI tests, and the in-host tests require it to start their own.
export { fakeModelVersion, startFakeGemini } from './server';
export { stageOf } from './stages';
export { HOSTILE_MARKUP, MARKDOWN_TAIL, previewResponder } from './previewAnswers';
export { startFakeOpenAI } from '../fake-openai/server';
export { coverageAnswer, reviewResponder, tensionsAnswer } from './reviewAnswers';
export { GIVE_WAY, probeResponder } from './probeAnswers';
export { givesWayAt, HOLDS, targetResponder } from '../fake-openai/probeTarget';
