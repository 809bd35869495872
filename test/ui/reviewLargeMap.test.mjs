// UI test: the trade-off map of a large document (test/fixtures/review/large.traits.md, 64 traits in
// 8 groups, generated) stays readable without a model: rows grouped by the document's groups, sorted
// by unweighed count within each group, filtered by title or to the traits with unweighed
// tensions, and a clicked cell's details in view beside the matrix. Screenshots in test/output/.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../scripts/vscode/codeServer.mjs';
import { quickOpen, runCommand, webviewFrame } from './workbench.mjs';

const FILE = 'review-large.traits.md';
const GROUPS = ['Honesty', 'Care', 'Helpfulness', 'Safety', 'Style', 'Collaboration', 'Knowledge', 'Play'];

/** The trade-off map webview's frame, once its page shows its heading. */
const mapFrame = (page, timeoutMs = 20_000) => webviewFrame(page, 'Trade-offs:', 'trade-off map webview', timeoutMs);

/** The matrix rows as shown: group headers as `# Group`, trait rows as [title, unweighed count]. */
async function shownRows(frame) {
  return frame.locator('table.matrix tbody tr').evaluateAll((rows) =>
    rows.map((r) => {
      const group = r.querySelector('th.group');
      if (group) return `# ${group.textContent}`;
      const th = r.querySelector('th.row');
      return [th.dataset.title, Number(th.querySelector('.badge')?.textContent ?? 0)];
    }),
  );
}

let file;
let frame;

export const tests = [
  {
    name: "the map of a 64-trait document lists its traits under the document's 8 groups",
    async run({ page, workspace, fakeGemini, screenshot }) {
      const before = fakeGemini.requests.length;
      file = join(workspace, FILE);
      writeFileSync(file, readFileSync(join(REPO, 'test', 'fixtures', 'review', 'large.traits.md'), 'utf8'));
      await quickOpen(page, FILE);
      await runCommand(page, 'Trait Studio: Show Trade-off Map');
      frame = await mapFrame(page);
      assert.match(
        await frame.locator('#root .meta').first().innerText(),
        /^64 traits, 131 tensions, 70 unweighed\. From the document's own links/,
      );
      const rows = await shownRows(frame);
      assert.deepEqual(
        rows.filter((r) => typeof r === 'string'),
        GROUPS.map((g) => `# ${g}`),
      );
      assert.equal(rows.filter((r) => typeof r !== 'string').length, 64);
      assert.equal(await frame.locator('table.matrix thead th.col').count(), 64);
      assert.equal(fakeGemini.requests.length, before, 'the keyless map asks no model');
      await screenshot('ui-review-large-1-map');
    },
  },
  {
    name: 'sorted by unweighed count: most unweighed first within each group, the groups kept',
    async run({ screenshot }) {
      await frame.locator('.controls select').selectOption('unweighed');
      const rows = await shownRows(frame);
      assert.deepEqual(
        rows.filter((r) => typeof r === 'string'),
        GROUPS.map((g) => `# ${g}`),
      );
      let previous = Infinity;
      for (const row of rows) {
        if (typeof row === 'string') previous = Infinity;
        else {
          assert.ok(row[1] <= previous, `${row[0]} (${row[1]}) after a row with ${previous}`);
          previous = row[1];
        }
      }
      // "Safety" leads with its most unweighed trait.
      const safety = rows.indexOf('# Safety');
      assert.ok(rows[safety + 1][1] >= Math.max(...rows.slice(safety + 1, safety + 9).map((r) => r[1])));
      await screenshot('ui-review-large-2-sorted');
    },
  },
  {
    name: 'filtered to the traits with unweighed tensions, then by title; a cell shows its details in view',
    async run({ page, screenshot }) {
      await frame.locator('.controls input[type="checkbox"]').check();
      let rows = (await shownRows(frame)).filter((r) => typeof r !== 'string');
      assert.ok(rows.length > 0 && rows.length < 64, `${rows.length} rows`);
      assert.ok(rows.every((r) => r[1] > 0));
      await frame.locator('.controls input[type="search"]').fill('user');
      rows = (await shownRows(frame)).filter((r) => typeof r !== 'string');
      assert.ok(rows.length > 0, 'some trait with "user" in its title has unweighed tensions');
      assert.ok(
        rows.every((r) => /user/i.test(r[0]) && r[1] > 0),
        JSON.stringify(rows),
      );
      assert.equal(await frame.locator('table.matrix thead th.col').count(), rows.length);
      await frame.locator('.controls input[type="search"]').fill('');
      await frame.locator('.controls input[type="checkbox"]').uncheck();
      // A cell far down and to the right: its details are in view, not below a 64-row matrix.
      const cell = frame.locator('button.cell.unweighed').last();
      await cell.scrollIntoViewIfNeeded();
      await cell.click();
      const details = frame.locator('.details');
      await details.locator('.status.unweighed').waitFor();
      const box = await details.boundingBox();
      const viewport = page.viewportSize();
      assert.ok(box && box.y >= 0 && box.y + box.height <= viewport.height, `the details box is out of view: ${JSON.stringify(box)}`);
      await screenshot('ui-review-large-3-details');
      await runCommand(page, 'View: Close All Editors');
      rmSync(file, { force: true });
    },
  },
];
