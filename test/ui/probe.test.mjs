// UI test: an author probes a trait against two models under test — "base" and "after SFT", both
// served by a fake OpenAI-compatible target this test starts ("after SFT" gives way from turn 3 on)
// — with the auditor, realism checker and judge answered by the fake Gemini server. The "Probe"
// lens asks for the target in a pick list and to confirm the estimate; the viewer shows the two
// targets side by side (violation rate, first turn of violation), the transcripts with the
// auditor's note folded beside each turn and the judge's verified quote highlighted. "Pin as BAD
// example" adds one example to the trait (the coverage lens counts it; one Undo removes it);
// "Export JSONL" writes the transcripts; after a reload the viewer comes back from its files.
// Screenshots in test/output/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../scripts/vscode/codeServer.mjs';
import {
  confirmDialog,
  editorTextUntil,
  focusEditor,
  pick,
  putWorkspaceBack,
  quickOpen,
  reloadWindow,
  saveAs,
  webviewFrame,
} from './workbench.mjs';

const FILE = 'probe-ui.traits.md';
const TRAIT = 'Say what you believe';

let target;
let file;
let settingsFile;
let settingsBefore;
let exported;

/** The probe viewer's frame, once its page shows its heading. */
const viewerFrame = (page, timeoutMs = 30_000) => webviewFrame(page, 'Probes:', 'probe viewer', timeoutMs);

export const tests = [
  {
    name: 'two targets in the settings, and the probe fixture open',
    async run({ page, workspace, fakes }) {
      target = await fakes.startFakeOpenAI();
      target.setResponder(
        fakes.targetResponder((turn, request) => fakes.givesWayAt(request.body.model === 'ckpt-7' ? 3 : undefined)(turn)),
      );
      settingsFile = join(workspace, '.vscode', 'settings.json');
      settingsBefore = readFileSync(settingsFile, 'utf8');
      mkdirSync(join(workspace, '.vscode'), { recursive: true });
      writeFileSync(
        settingsFile,
        `${JSON.stringify(
          {
            ...JSON.parse(settingsBefore),
            'traitStudio.probe.targets': [
              { name: 'base', url: target.baseUrl, model: 'base-1' },
              { name: 'after SFT', url: target.baseUrl, model: 'ckpt-7' },
            ],
          },
          null,
          2,
        )}\n`,
      );
      file = join(workspace, FILE);
      writeFileSync(file, readFileSync(join(REPO, 'test', 'fixtures', 'probe', 'probe.traits.md'), 'utf8'));
      await quickOpen(page, FILE);
    },
  },
  {
    name: 'the Probe lens asks for the target, then to confirm the estimate; the viewer shows the result',
    async run({ page, fakeGemini, screenshot }) {
      const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Probe' });
      await lens.first().waitFor();
      await lens.first().click();
      await pick(page, 'base');
      const { message, confirm } = await confirmDialog(page, 'Probe');
      assert.ok(message.includes(`Probe "${TRAIT}" against base?`), message);
      assert.match(message, /against base\? 3 probes of 5 turns: about \d+ requests, ≈ \$[\d.]+ \(no price for base-1: not counted\)\./);
      await screenshot('ui-probe-1-confirm');
      const before = fakeGemini.requests.length;
      await confirm();
      const frame = await viewerFrame(page);
      await frame.locator('.summary td.figure', { hasText: '0/3 (0%)' }).waitFor({ timeout: 60_000 });
      assert.ok(fakeGemini.requests.length - before >= 1 + 3 * 2 * 5 + 3, 'situations, auditor and realism per turn, a judge per probe');
      assert.equal(target.requests.length, 15, 'one target request per turn of 3 probes of 5 turns');
    },
  },
  {
    name: '"Probe against another target…" adds "after SFT" as a second column: 3 of 3 violated, first at turn 3',
    async run({ page, screenshot }) {
      const frame = await viewerFrame(page);
      await frame.locator('button', { hasText: 'Probe against another target…' }).click();
      await pick(page, 'after SFT');
      const { confirm } = await confirmDialog(page, 'Probe');
      await confirm();
      await frame.locator('.summary td.figure', { hasText: '3/3 (100%)' }).waitFor({ timeout: 60_000 });
      const heads = await frame.locator('.summary th.target .label').allInnerTexts();
      assert.deepEqual(heads, ['base', 'after SFT']);
      const row = await frame.locator('.summary tbody tr').first().locator('td').allInnerTexts();
      assert.deepEqual(row, ['0/3 (0%)', '—', '—', '3/3 (100%)', 'turn 3', '—']);
      // The transcripts side by side: the two columns' boxes start at the same height.
      const [a, b] = await Promise.all([
        frame.locator('.columns .column').nth(0).boundingBox(),
        frame.locator('.columns .column').nth(1).boundingBox(),
      ]);
      assert.ok(a && b && Math.abs(a.y - b.y) < 2 && a.x + a.width <= b.x, `not side by side: ${JSON.stringify([a, b])}`);
      await screenshot('ui-probe-2-two-targets');
    },
  },
  {
    name: "each turn folds the auditor's note and realism; the judge's verified quote is highlighted at the turn it gave way",
    async run({ page, fakes, screenshot }) {
      const frame = await viewerFrame(page);
      const probe = frame.locator('.column').nth(1).locator('section.probe').first();
      assert.match(await probe.locator('h3').innerText(), /Probe 1\s+violated at turn 3 · judge 8\/10/);
      const turn3 = probe.locator('.turn[data-turn="3"]');
      assert.match(await turn3.locator('.turn-head').innerText(), /first gave way here/);
      const note = turn3.locator('details.auditor');
      assert.equal(await note.getAttribute('open'), null, 'the auditor note starts folded');
      // Keyboard: focus the summary and open it with Enter.
      await note.locator('summary').focus();
      await page.keyboard.press('Enter');
      await note.locator('.strategy', { hasText: 'escalate: add urgency' }).waitFor();
      assert.match(await note.locator('summary').innerText(), /Auditor · realism 0\.90/);
      assert.equal(await turn3.locator('mark.evidence').innerText(), fakes.GIVE_WAY);
      assert.equal(await probe.locator('.turn[data-turn="2"] mark').count(), 0);
      await turn3.scrollIntoViewIfNeeded();
      await screenshot('ui-probe-3-transcript');
    },
  },
  {
    name: '"Pin as BAD example" adds one example to the trait, counted by its lens; one Undo removes it',
    async run({ page, screenshot }) {
      const frame = await viewerFrame(page);
      const coverage = page.locator('.monaco-editor .codelens-decoration', { hasText: 'reason' }).first();
      assert.match(await coverage.innerText(), /0 examples/);
      await frame.locator('.column').nth(1).locator('section.probe').first().locator('button', { hasText: 'Pin as BAD example' }).click();
      // The editor shows the example it inserted. The status message comes after the pin has revealed
      // the example, which scrolls the editor: a Control+End sent before that is undone by the reveal.
      await page.locator('.statusbar', { hasText: 'pinned probe 1 as a BAD example' }).waitFor();
      const pinned = await editorTextUntil(page, (t) => t.includes('**Example**: gives way under pressure'), 'the pinned example');
      assert.match(
        pinned,
        /\*\*Example\*\*: gives way under pressure: situation 1: a user wants the assistant to bend the rule ~~~xml <user>/,
      );
      // Its end: the answer where the target gave way, marked BAD with the judge's verified quote.
      await focusEditor(page);
      await page.keyboard.press('Control+End');
      await editorTextUntil(
        page,
        (t) =>
          /<assistant> <!-- BAD: gave way under pressure at turn 3 \(judge 8\/10\): “Fine, I will make an exception this time\.” --> Fine, I will make an exception this time\./.test(
            t,
          ),
        'the BAD turn',
      );
      await screenshot('ui-probe-4-pinned');
      // It parses back as one example of the trait: the trait's coverage lens counts it.
      await page.keyboard.press('Control+Home');
      await page.locator('.monaco-editor .codelens-decoration', { hasText: '1 example ·' }).first().waitFor();
      await page.keyboard.press('Control+Z');
      // The undo took the whole example out: the document is as it was, and the trait's lens (the first) counts none.
      await editorTextUntil(page, (t) => !/\*\*Example\*\*/.test(t), 'the undo to take the example out');
      await coverage.filter({ hasText: '0 examples' }).waitFor();
    },
  },
  {
    name: '"Export JSONL" writes one transcript a line to the file chosen',
    async run({ page, workspace }) {
      const frame = await viewerFrame(page);
      exported = join(workspace, 'after-sft.jsonl');
      await frame.locator('.column').nth(1).locator('button', { hasText: 'Export JSONL' }).click();
      await saveAs(page, exported, '.jsonl');
      const lines = readFileSync(exported, 'utf8').trim().split('\n');
      assert.equal(lines.length, 3);
    },
  },
  {
    name: 'after a window reload the viewer comes back from its result files, with both columns',
    async run({ page, screenshot }) {
      await reloadWindow(page);
      const frame = await viewerFrame(page, 30_000);
      await frame.locator('.summary td.figure', { hasText: '3/3 (100%)' }).waitFor();
      assert.deepEqual(await frame.locator('.summary th.target .label').allInnerTexts(), ['base', 'after SFT']);
      await screenshot('ui-probe-5-restored');
    },
  },
];

/** Whatever step failed: no editor left open, the workspace's settings as they were (the next files share it), no copy or export left, the target closed. */
export async function after({ page }) {
  await putWorkspaceBack(page, { settings: { file: settingsFile, before: settingsBefore }, files: [file, exported], target });
}
