// Audit Dataset in the real extension host: the offline detectors on a dataset with a planted
// pattern, the files written beside it, the report panel, and bad lines skipped.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, workspaceFolder } = require('./helpers');

describe('audit dataset', () => {
  let dir;
  let dataset;

  before(async () => {
    await activate();
    dir = path.join(workspaceFolder().fsPath, 'audit-data');
    fs.mkdirSync(dir, { recursive: true });
    dataset = path.join(dir, 'chat.jsonl');
    const lines = [];
    for (let i = 0; i < 40; i++) {
      // Every other response opens with the same validation phrase: 50%, over the 25% threshold.
      const opener = i % 2 === 0 ? 'Great question! ' : '';
      const body = [
        'Paris is the capital of France.',
        'Water boils at 100 °C at sea level.',
        'Use a hash map for that lookup.',
        'The meeting moved to Tuesday.',
      ][i % 4];
      lines.push(
        JSON.stringify({
          id: `r${i}`,
          messages: [
            { role: 'user', content: `Question ${i}?` },
            { role: 'assistant', content: `${opener}${body} Reply ${i}.` },
          ],
        }),
      );
    }
    lines.splice(7, 0, 'this line is not JSON');
    lines.splice(12, 0, JSON.stringify({ messages: [{ role: 'user', content: 'no answer' }] }));
    fs.writeFileSync(dataset, `${lines.join('\n')}\n`);
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('flags the planted opener, with exactly its records, writes the audit files and shows the report', async () => {
    const report = await vscode.commands.executeCommand('traitStudio.auditDataset', vscode.Uri.file(dataset), { offline: true });
    assert.ok(report, 'no report returned');
    assert.equal(report.records, 40);
    assert.deepEqual(
      report.badLines.map((b) => b.line),
      [8, 13],
    );
    const opener = report.patterns.find((p) => p.flagged && /great question/i.test(p.name));
    assert.ok(
      opener,
      `no flagged "great question" pattern among: ${report.patterns.map((p) => `${p.name}${p.flagged ? ' (flagged)' : ''}`).join('; ')}`,
    );
    assert.deepEqual([...opener.records].sort(), Array.from({ length: 20 }, (_, k) => `r${2 * k}`).sort());
    assert.equal(opener.prevalence.strict, 0.5);
    for (const file of ['chat.audit.json', 'chat.audit.md']) assert.ok(fs.existsSync(path.join(dir, file)), `${file} missing`);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'chat.audit.json'), 'utf8'));
    assert.equal(saved.patterns.find((p) => p.id === opener.id).flagged, true);
    // The report panel is open on it.
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    if (!labels().includes('Audit: chat.jsonl')) {
      await new Promise((resolve) => {
        const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
          if (labels().includes('Audit: chat.jsonl')) {
            sub.dispose();
            resolve();
          }
        });
        setTimeout(() => {
          sub.dispose();
          resolve();
        }, 5000);
      });
    }
    assert.ok(
      labels().includes('Audit: chat.jsonl'),
      `no "Audit: chat.jsonl" tab among ${labels().join(', ')} (dataset ${report.dataset})`,
    );
  });

  it("Filter Dataset by Pattern drops the pattern's records, copies the rest verbatim and logs the drops", async () => {
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'chat.audit.json'), 'utf8'));
    const opener = report.patterns.find((p) => p.flagged && /great question/i.test(p.name));
    const out = path.join(dir, 'chat.filtered.jsonl');
    const result = await vscode.commands.executeCommand('traitStudio.filterDataset', vscode.Uri.file(dataset), {
      choices: [{ patternId: opener.id, mode: 'drop' }],
      out: vscode.Uri.file(out),
    });
    assert.equal(result.dropped.length, 20);
    const kept = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean);
    const original = fs.readFileSync(dataset, 'utf8').split('\n').filter(Boolean);
    // The 20 odd records and the two bad lines stay, byte for byte.
    assert.deepEqual(
      kept,
      original.filter((line) => !/"id":"r\d*[02468]"/.test(line)),
    );
    assert.ok(
      fs.readdirSync(dir).some((f) => f.startsWith('chat.filtered') && f.includes('log')),
      `no log beside it: ${fs.readdirSync(dir).join(', ')}`,
    );
  });

  it('on one record, says a pattern reaches the threshold on too few records to flag', async () => {
    const one = path.join(dir, 'one.jsonl');
    fs.writeFileSync(
      one,
      `${JSON.stringify({
        id: 'only',
        messages: [
          { role: 'user', content: 'Hi?' },
          {
            role: 'assistant',
            content: 'Hello there, here is a short answer of some twenty four words in all, which is all that this single record holds.',
          },
        ],
      })}\n`,
    );
    const report = await vscode.commands.executeCommand('traitStudio.auditDataset', vscode.Uri.file(one), { offline: true, show: false });
    const length = report.patterns.find((p) => p.id === 'length-cluster');
    assert.equal(length.prevalence.strict, 1);
    assert.equal(length.flagged, false);
    assert.equal(report.minFlagMatches, 3);
    const md = fs.readFileSync(path.join(dir, 'one.audit.md'), 'utf8');
    assert.match(md, /reach(es)? 25% on too few records to flag/);
    assert.match(md, /\| no: 1 match, needs 3 \|/);
  });

  it('a model pass that fails shows in the report header, in a sentence', async () => {
    const fakeModule = require(process.env.TRAIT_STUDIO_FAKE_GEMINI);
    const fake = await fakeModule.startFakeGemini();
    fake.setResponder(() => ({ kind: 'status', status: 400, message: 'API key not valid. Please pass a valid API key.' }));
    const saved = { baseUrl: process.env.GOOGLE_GEMINI_BASE_URL, key: process.env.GEMINI_API_KEY };
    process.env.GOOGLE_GEMINI_BASE_URL = fake.baseUrl;
    process.env.GEMINI_API_KEY = 'audit-test-key';
    try {
      const report = await vscode.commands.executeCommand('traitStudio.auditDataset', vscode.Uri.file(dataset), {
        confirm: false,
        show: false,
      });
      assert.ok(fake.requests.length > 0, 'the model pass asked nothing');
      assert.match(
        report.modelPass.failed,
        /^The audit’s scan for patterns failed: gemini-[\w.-]+: the API key was refused — “API key not valid\. Please pass a valid API key”\.$/,
      );
      assert.ok(!report.patterns.some((p) => p.source === 'model'));
      const md = fs.readFileSync(path.join(dir, 'chat.audit.md'), 'utf8');
      assert.match(md, /\n\nThe model pass \(gemini-[\w.-]+\) failed: The audit’s scan for patterns failed: /);
    } finally {
      process.env.GOOGLE_GEMINI_BASE_URL = saved.baseUrl;
      if (saved.key === undefined) delete process.env.GEMINI_API_KEY;
      else process.env.GEMINI_API_KEY = saved.key;
      await fake.close();
    }
  });
});
