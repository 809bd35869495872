// UI test: the probe run's limits and the viewer's other actions, against a fake OpenAI-compatible
// target this test starts (it always holds the trait) and the fake Gemini server's auditor, realism
// checker and judge. The settings ask for 1 probe of 3 turns and at most 2 target requests a run.
// - "capped" stops at the budget after 2 of 3 turns: the viewer and the notification say it was
//   stopped, not that it failed.
// - "steady": the target holds its turn-2 request unanswered; Cancel on the progress notification
//   ends the run with nothing shown as its result; run again, it resumes from the kept turn 1 (only
//   turns 2 and 3 go to the target) and is judged.
// - "Pin as GOOD example" puts the held conversation into the trait as one example (its coverage
//   lens counts it; one Undo removes it); "Export Inspect log" writes a log Inspect reads.
// Screenshots in test/output/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO } from '../../scripts/vscode/codeServer.mjs';
import { assertInspectLog } from '../checks/inspectLog.mjs';
import {
  confirmDialog,
  editorTextUntil,
  focusEditor,
  pick,
  putWorkspaceBack,
  quickOpen,
  runCommand,
  saveAs,
  until,
  webviewFrame,
} from './workbench.mjs';

const FILE = 'probe-budget.traits.md';

let target;
let file;
let settingsFile;
let settingsBefore;
let inspectLog;
/** While true, the target never answers a turn-2 request. */
let holdTurn2 = false;

/** The probe viewer's frame, once its page shows its heading. */
const viewerFrame = (page, timeoutMs = 30_000) => webviewFrame(page, 'Probes:', 'probe viewer', timeoutMs);

/** The 1-based turn a chat request asks for: its number of user messages. */
const turnOf = (request) => (request.body.messages ?? []).filter((m) => m.role === 'user').length;

/** The viewer's column of target `label`. */
const column = (frame, label) => frame.locator('.column', { has: frame.locator('h2', { hasText: label }) });

/** Clicks the first trait's "Probe" lens, picks `name`, checks the estimate and confirms it. */
async function probeAgainst(page, name) {
  await focusEditor(page);
  await page.keyboard.press('Control+Home');
  const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Probe' });
  await lens.first().click();
  await pick(page, name);
  const { message, confirm } = await confirmDialog(page, 'Probe');
  assert.match(message, new RegExp(`against ${name}\\? 1 probe of 3 turns: about \\d+ requests`));
  assert.match(message, /The run stops after 2 target requests\./);
  await confirm();
}

/** The notification centre's item holding `text`, once it shows. */
async function notification(page, text) {
  await runCommand(page, 'Notifications: Show Notifications');
  const item = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  await item.waitFor({ timeout: 60_000 });
  return item;
}

export const tests = [
  {
    name: 'two targets and a budget of 2 target requests in the settings, and a copy of the probe fixture open',
    async run({ page, workspace, fakes }) {
      target = await fakes.startFakeOpenAI();
      const answer = fakes.targetResponder(fakes.givesWayAt(undefined));
      target.setResponder((request) => (holdTurn2 && turnOf(request) === 2 ? { kind: 'hang' } : answer(request)));
      settingsFile = join(workspace, '.vscode', 'settings.json');
      settingsBefore = readFileSync(settingsFile, 'utf8');
      mkdirSync(join(workspace, '.vscode'), { recursive: true });
      writeFileSync(
        settingsFile,
        `${JSON.stringify(
          {
            ...JSON.parse(settingsBefore),
            'traitStudio.probe.targets': [
              { name: 'capped', url: target.baseUrl, model: 'capped-1' },
              { name: 'steady', url: target.baseUrl, model: 'steady-1' },
            ],
            'traitStudio.probe.probes': 1,
            'traitStudio.probe.turns': 3,
            'traitStudio.probe.maxTurns': 2,
          },
          null,
          2,
        )}\n`,
      );
      file = join(workspace, FILE);
      // A line of its own in the trait: no answer cached by test/ui/probe.test.mjs fits its prompts.
      const text = readFileSync(join(REPO, 'test', 'fixtures', 'probe', 'probe.traits.md'), 'utf8');
      writeFileSync(file, text.replace('Users act on what Aster tells them.', 'Users act on what Aster tells them, budget or not.'));
      await quickOpen(page, FILE);
    },
  },
  {
    name: 'a run the budget stops after 2 of 3 turns is shown as stopped, not as failed',
    async run({ page, screenshot }) {
      await probeAgainst(page, 'capped');
      const frame = await viewerFrame(page);
      const capped = column(frame, 'capped');
      await frame.locator('.summary td.figure', { hasText: 'stopped by the budget' }).waitFor({ timeout: 60_000 });
      assert.equal(target.requests.length, 2, 'two target requests, then the budget');
      assert.match(
        await capped.locator('.note.stopped').innerText(),
        /^Stopped early: the budget of 2 target requests was reached\. 1 probe left unfinished is not counted; run it again/,
      );
      const probe = capped.locator('section.probe').first();
      assert.equal(await probe.locator('.badge.stopped').innerText(), 'stopped by the budget');
      assert.match(await probe.locator('p.note').innerText(), /^stopped: the budget of 2 target requests was reached after 2 of 3 turns$/);
      assert.equal(await probe.locator('.turn').count(), 2, 'the two turns done are shown');
      assert.equal(await frame.locator('.badge.failed, p.error').count(), 0, 'nothing is shown as failed');
      // The notification is information, not a warning or an error.
      const said = await notification(page, 'Stopped early: the budget of 2 target requests was reached');
      assert.match(
        await said.innerText(),
        /violated in 0 of 0 judged probes; (\$[\d.]+|nothing) spent( \(all from the cache\))?\. Stopped early: .*1 probe left unfinished/,
      );
      assert.equal(await said.locator('.codicon-warning, .codicon-error').count(), 0, await said.innerHTML());
      assert.equal(await said.locator('.codicon-info').count(), 1, await said.innerHTML());
      await screenshot('ui-probe-budget-1-stopped');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'Cancel on the progress notification, the target holding turn 2, shows nothing of the run as a result',
    async run({ page, screenshot }) {
      holdTurn2 = true;
      target.requests.length = 0;
      await probeAgainst(page, 'steady');
      // The progress may show as a toast or only in the notification centre: cancel it from the centre.
      const progress = await notification(page, 'probing "Say what you believe" against steady');
      // Turn 1 is done (the brainstorm and turn 1 of 5 steps) and the held turn-2 request has reached the target.
      await progress.filter({ hasText: '2/5 · probe 1, turn 1' }).waitFor({ timeout: 60_000 });
      await until(
        () => target.requests.some((r) => turnOf(r) === 2),
        () => `a turn-2 request; turns asked: ${target.requests.map(turnOf)}`,
        30_000,
      );
      const frame = await viewerFrame(page);
      await frame.locator('p.running', { hasText: 'Probing "Say what you believe" against steady…' }).waitFor();
      await screenshot('ui-probe-budget-2-running');
      await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await progress.waitFor({ state: 'detached' });
      // The command logs the cancel once it is done with the run: anything it showed, it showed before this line.
      await runCommand(page, 'Trait Studio: Show Output');
      await page
        .locator('.output-view .view-line', { hasText: 'Probe of "Say what you believe": cancelled; finished turns are kept' })
        .first()
        .waitFor({ timeout: 30_000 });
      await runCommand(page, 'View: Hide Panel');
      await runCommand(page, 'Notifications: Hide Notifications');
      await frame.locator('p.running').waitFor({ state: 'detached' });
      assert.deepEqual(await frame.locator('.summary th.target .label').allInnerTexts(), ['capped'], 'no column for the cancelled run');
      assert.equal(await frame.locator('.column', { hasText: 'steady' }).count(), 0);
      assert.deepEqual(target.requests.map(turnOf), [1, 2]);
      await screenshot('ui-probe-budget-3-cancelled');
    },
  },
  {
    name: 'run again, it resumes from the kept turn: only turns 2 and 3 go to the target, and the probe is judged',
    async run({ page, screenshot }) {
      holdTurn2 = false;
      target.requests.length = 0;
      await probeAgainst(page, 'steady');
      const frame = await viewerFrame(page);
      const steady = column(frame, 'steady');
      await steady.locator('.badge.good', { hasText: 'held · judge 2/10' }).waitFor({ timeout: 60_000 });
      assert.deepEqual(target.requests.map(turnOf), [2, 3], 'turn 1 comes from the kept run');
      assert.deepEqual(await frame.locator('.summary th.target .label').allInnerTexts(), ['capped', 'steady']);
      assert.equal(await steady.locator('section.probe .turn').count(), 3);
      await screenshot('ui-probe-budget-4-resumed');
    },
  },
  {
    name: '"Pin as GOOD example" adds one example to the trait, its last answer marked GOOD, counted by its lens; one Undo removes it',
    async run({ page, screenshot }) {
      const frame = await viewerFrame(page);
      const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'reason' }).first();
      await page.keyboard.press('Control+Home');
      assert.match(await lens.innerText(), /0 examples/);
      await column(frame, 'steady').locator('button', { hasText: 'Pin as GOOD example' }).click();
      // The status message comes after the pin has revealed the example, which scrolls the editor: a
      // Control+End sent before that is undone by the reveal.
      await page.locator('.statusbar', { hasText: 'pinned probe 1 as a GOOD example' }).waitFor();
      await editorTextUntil(page, (t) => t.includes('**Example**: holds under pressure'), 'the pinned example');
      // Its end: the last answer, marked GOOD.
      await focusEditor(page);
      await page.keyboard.press('Control+End');
      const pinned = await editorTextUntil(page, (t) => t.includes('<!-- GOOD -->'), 'the pinned GOOD answer');
      assert.equal(pinned.match(/<!-- GOOD -->/g).length, 1);
      assert.doesNotMatch(pinned, /<!-- BAD/);
      await screenshot('ui-probe-budget-5-pinned-good');
      await page.keyboard.press('Control+Home');
      const text = await editorTextUntil(page, (t) => t.includes('**Example**: holds under pressure'), 'the example title');
      assert.match(text, /\*\*Example\*\*: holds under pressure: situation 1: a user wants the assistant to bend the rule ~~~xml <user>/);
      // It parses back as one example of the trait: its coverage lens counts it.
      await lens.filter({ hasText: '1 example ·' }).waitFor();
      await page.keyboard.press('Control+Z');
      await editorTextUntil(page, (t) => !t.includes('**Example**'), 'the undo to take the example out');
      await lens.filter({ hasText: '0 examples' }).waitFor();
    },
  },
  {
    name: '"Export Inspect log" writes the chosen file, an eval log Inspect reads with the probe as its sample',
    async run({ page, workspace }) {
      const frame = await viewerFrame(page);
      await column(frame, 'steady').locator('button', { hasText: 'Export Inspect log' }).click();
      // Saved in the workspace under the name the dialog proposes: Inspect lists a log by its name.
      inspectLog = await saveAs(page, (proposed) => join(workspace, basename(proposed)), '.json');
      // The file may show before its last byte: read it once it parses.
      let unread;
      const log = await until(
        () => {
          try {
            return JSON.parse(readFileSync(inspectLog, 'utf8'));
          } catch (error) {
            unread = error;
            return undefined;
          }
        },
        () => `${inspectLog} to parse (${unread})`,
      );
      assertInspectLog(basename(inspectLog), log);
      assert.equal(log.status, 'success');
      assert.equal(log.eval.model, 'openai-api/steady-1');
      assert.equal(log.samples.length, 1);
      assert.equal(log.samples[0].messages.length, 6, 'three user turns and three answers');
      assert.equal(log.samples[0].scores.trait_violation.value, 'C');
    },
  },
];

/** Whatever step failed: no editor left open, the workspace's settings as they were (the next files share it), no copy or log left, the target closed. */
export async function after({ page }) {
  await putWorkspaceBack(page, { settings: { file: settingsFile, before: settingsBefore }, files: [file, inspectLog], target });
}
