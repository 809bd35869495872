// `trait-studio audit` and `audit filter` through the built CLI (dist/cli.js: run `npm run build`
// first): the JSON contract, the files beside the dataset, bad lines on stderr, exit statuses; and
// the model pass wired in, in-process against the fake Gemini (no network).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportMarkdown, type AuditReport } from '../../server/src/audit';
import { DEFAULT_AUDIT_MODEL } from '../../server/src/audit/modelPass';
import { runAudit } from '../../server/src/cli/audit';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-audit-cli-'));
  dirs.push(dir);
  return dir;
}

/** The environment without any Gemini access, so only --offline or the fallback can run. */
function keyless(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['GEMINI_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GEMINI_BASE_URL']) delete env[k];
  return env;
}

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: keyless() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const N = 40;
const greatQuestion = (i: number) => i % 2 === 0; // 50%: flagged
const doesThatHelp = (i: number) => i % 5 === 0; // 20%: not flagged
const idsWhere = (f: (i: number) => boolean) =>
  Array.from({ length: N }, (_, i) => i)
    .filter(f)
    .map(String);

/**
 * Gemini-format lines of varied lengths without ids (ids are the 0-based line numbers), with a line that is not
 * JSON at index 3 and one with no model turn at index 7 — those line numbers hold no record.
 */
function writeDataset(dir: string): string {
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    if (i === 3) lines.push('{oops');
    else if (i === 7) lines.push(JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello?' }] }] }));
    else {
      const response = `${greatQuestion(i) ? 'Great question! ' : ''}Item ${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${i} is explained here with a few words${' and more'.repeat(i)}.${doesThatHelp(i) ? ' Does that help?' : ' That is all.'}`;
      lines.push(
        JSON.stringify({
          contents: [
            { role: 'user', parts: [{ text: `q${i}` }] },
            { role: 'model', parts: [{ text: response }] },
          ],
        }),
      );
    }
  }
  const path = join(dir, 'data.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
const isRecord = (i: number) => i !== 3 && i !== 7;

describe('trait-studio audit (built CLI)', () => {
  it('prints the JSON contract, writes <name>.audit.json and .md beside the dataset, reports bad lines on stderr, exits 0 with flags', () => {
    const dir = tempDir();
    writeDataset(dir);
    const { status, stdout, stderr } = cli(dir, 'audit', 'data.jsonl', '--offline', '--format', 'json');
    assert.equal(status, 0, stderr);
    const report = JSON.parse(stdout) as AuditReport;
    assert.equal(report.records, N - 2);
    assert.deepEqual(
      report.badLines.map((b) => b.line),
      [4, 8],
    );
    assert.match(stderr, /^data\.jsonl:4: skipped: not JSON/m);
    assert.match(stderr, /^data\.jsonl:8: skipped: no model turn/m);
    for (const p of report.patterns) {
      for (const key of ['id', 'name', 'description', 'source', 'prevalence', 'records', 'examples', 'flagged'])
        assert.ok(key in p, `${p.id} has ${key}`);
      assert.equal(p.source, 'offline');
      assert.equal(typeof p.prevalence.broad, 'number');
      assert.equal(typeof p.prevalence.strict, 'number');
    }
    const gq = report.patterns.find((p) => p.id === 'opening:great-question')!;
    assert.deepEqual(
      gq.records,
      idsWhere((i) => isRecord(i) && greatQuestion(i)),
    );
    assert.equal(gq.prevalence.strict, 20 / 38);
    assert.equal(gq.flagged, true);
    const help = report.patterns.find((p) => p.id === 'closing:does-that-help')!;
    assert.deepEqual(
      help.records,
      idsWhere((i) => isRecord(i) && doesThatHelp(i)),
    );
    assert.equal(help.flagged, false);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'data.audit.json'), 'utf8')), report);
    assert.match(readFileSync(join(dir, 'data.audit.md'), 'utf8'), /^# Dataset audit: data\.jsonl/);
  });

  it('prints Markdown by default; --no-write writes nothing; --threshold moves the flags; --fail-on-flagged exits 1', () => {
    const dir = tempDir();
    writeDataset(dir);
    const md = cli(dir, 'audit', 'data.jsonl', '--offline', '--no-write');
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, /^# Dataset audit: data\.jsonl/);
    assert.match(md.stdout, /\| Opens with "great question" \| offline \| 53% \(20\) \|/);
    assert.equal(existsSync(join(dir, 'data.audit.json')), false);
    assert.equal(existsSync(join(dir, 'data.audit.md')), false);
    const high = JSON.parse(
      cli(dir, 'audit', 'data.jsonl', '--offline', '--no-write', '--format', 'json', '--threshold', '0.6').stdout,
    ) as AuditReport;
    assert.equal(high.threshold, 0.6);
    assert.equal(high.patterns.find((p) => p.id === 'opening:great-question')!.flagged, false);
    assert.equal(cli(dir, 'audit', 'data.jsonl', '--offline', '--no-write', '--fail-on-flagged').status, 1);
    assert.equal(cli(dir, 'audit', 'data.jsonl', '--offline', '--no-write', '--fail-on-flagged', '--threshold', '1').status, 0);
  });

  it('exits 2 on usage and I/O problems', () => {
    const dir = tempDir();
    writeDataset(dir);
    const missing = cli(dir, 'audit', 'nope.jsonl', '--offline');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.jsonl: cannot read \(ENOENT\)/);
    assert.equal(cli(dir, 'audit').status, 2);
    assert.match(cli(dir, 'audit', 'data.jsonl', '--threshold', '2').stderr, /--threshold must be a share from 0 to 1/);
    assert.equal(cli(dir, 'audit', 'data.jsonl', '--format', 'xml').status, 2);
    assert.equal(cli(dir, 'audit', 'data.jsonl', '--bogus').status, 2);
    assert.equal(cli(dir, 'audit', '--help').status, 0);
  });

  it('falls back to the offline audit with a note when no Gemini key is set', () => {
    const dir = tempDir();
    writeDataset(dir);
    const { status, stdout, stderr } = cli(dir, 'audit', 'data.jsonl', '--format', 'json', '--no-write');
    assert.equal(status, 0, stderr);
    assert.match(stderr, /note: no model pass \(set GEMINI_API_KEY/);
    const report = JSON.parse(stdout) as AuditReport;
    assert.equal(report.modelPass, null);
    assert.ok(report.patterns.every((p) => p.source === 'offline'));
  });

  it('audit filter drops and down-samples, deterministically, with a log; refuses OUT = DATASET and unknown patterns', () => {
    const dir = tempDir();
    writeDataset(dir);
    const input = readFileSync(join(dir, 'data.jsonl'), 'utf8').split('\n');
    const run = (out: string) =>
      cli(
        dir,
        'audit',
        'filter',
        'data.jsonl',
        '--out',
        out,
        '--drop',
        'opening:great-question',
        '--downsample',
        'closing:does-that-help=0.5',
        '--seed',
        '3',
        '--format',
        'json',
      );
    const a = run('a.jsonl');
    assert.equal(a.status, 0, a.stderr);
    const result = JSON.parse(a.stdout) as { written: number; dropped: { id: string; line: number; patterns: string[] }[]; log: string };
    // Does-that-help records that do not open with "Great question": 10, 30 → round(0.5 × 4 matches) = 2 kept of 0, 10, 20, 30.
    const droppedIds = result.dropped.map((d) => d.id);
    assert.ok(idsWhere((i) => isRecord(i) && greatQuestion(i)).every((id) => droppedIds.includes(id)));
    assert.equal(result.dropped.filter((d) => d.patterns.includes('closing:does-that-help')).length, 4);
    const kept = input.filter((_, k) => !droppedIds.includes(String(k)));
    assert.equal(readFileSync(join(dir, 'a.jsonl'), 'utf8'), kept.join('\n'));
    assert.equal(result.written, 38 - droppedIds.length);
    assert.equal(readFileSync(join(dir, 'a.log.jsonl'), 'utf8').trimEnd().split('\n').length, droppedIds.length + 1);
    assert.equal(run('b.jsonl').status, 0);
    assert.equal(readFileSync(join(dir, 'b.jsonl'), 'utf8'), readFileSync(join(dir, 'a.jsonl'), 'utf8'));

    const same = cli(dir, 'audit', 'filter', 'data.jsonl', '--out', 'data.jsonl', '--drop', 'opening:great-question');
    assert.equal(same.status, 2);
    assert.match(same.stderr, /is the input dataset/);
    const unknown = cli(dir, 'audit', 'filter', 'data.jsonl', '--out', 'c.jsonl', '--drop', 'model-nothing');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no pattern "model-nothing"[\s\S]*--report/);
    assert.equal(cli(dir, 'audit', 'filter', 'data.jsonl', '--out', 'c.jsonl', '--downsample', 'closing-question=2').status, 2);
    assert.equal(cli(dir, 'audit', 'filter', 'data.jsonl', '--out', 'c.jsonl').status, 2);
    assert.equal(existsSync(join(dir, 'c.jsonl')), false);
  });

  it('audit filter uses a saved report with --report', () => {
    const dir = tempDir();
    writeDataset(dir);
    assert.equal(cli(dir, 'audit', 'data.jsonl', '--offline').status, 0);
    const { status, stdout, stderr } = cli(
      dir,
      'audit',
      'filter',
      'data.jsonl',
      '--out',
      'clean.jsonl',
      '--report',
      'data.audit.json',
      '--drop',
      'closing:does-that-help',
    );
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^Wrote 30 records to clean\.jsonl; left out 8 \(closing:does-that-help: 8\)\. Log: clean\.log\.jsonl/);
    assert.equal(cli(dir, 'audit', 'filter', 'data.jsonl', '--out', 'x.jsonl', '--report', 'nope.json', '--drop', 'a').status, 2);
  });
});

describe('trait-studio audit with the model pass (in-process, fake Gemini)', () => {
  let fake: FakeGemini;
  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());

  const promptOf = (r: LoggedRequest): string => r.body.contents[0].parts[0].text;
  const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 100, outputTokens: 10 });
  const transcripts = (r: LoggedRequest) =>
    [...promptOf(r).matchAll(/<transcript id="([^"]*)">\nUser: ([\s\S]*?)\n\nAssistant: ([\s\S]*?)\n<\/transcript>/g)].map((m) => ({
      id: m[1],
      response: m[3],
    }));
  const feature = {
    name: 'Praises the question',
    description: 'Opens by praising the question',
    broad_criterion: 'Praise anywhere',
    strict_criterion: 'Opens with praise',
  };
  const answers: Record<string, (r: LoggedRequest) => Reply> = {
    'audit-scan': () => json({ recurring_features: [feature] }),
    'audit-cluster': (r) =>
      json({ merged_features: [{ ...feature, merges: [...promptOf(r).matchAll(/^- (S\d+): /gm)].map((m) => m[1]) }] }),
    'audit-rate': (r) => {
      const features = [...promptOf(r).matchAll(/^- (model-[a-z0-9-]+): /gm)].map((m) => m[1]);
      return json({
        record_ratings: transcripts(r).map((t) => ({
          id: t.id,
          ratings: features.map((f) => ({ feature: f, broad: t.response.startsWith('Great'), strict: t.response.startsWith('Great') })),
        })),
      });
    },
  };

  it('adds the model pass patterns and spend to the report and flags them at the threshold', async () => {
    fake.setResponder((r) => answers[stageOf(r)](r));
    const dir = tempDir();
    const path = writeDataset(dir);
    let stdout = '';
    let stderr = '';
    const out = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), isTTY: false };
    const status = await runAudit([path, '--format', 'json', '--no-cache'], out, {
      GEMINI_API_KEY: 'k',
      GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
    });
    assert.equal(status, 0, stderr);
    assert.match(stderr, /model pass: about \d+ requests/);
    const report = JSON.parse(stdout) as AuditReport;
    const model = report.patterns.find((p) => p.source === 'model');
    assert.ok(model, 'a model pattern');
    assert.equal(model.name, 'Praises the question');
    assert.deepEqual(
      model.records,
      idsWhere((i) => isRecord(i) && greatQuestion(i)),
    );
    assert.equal(model.flagged, true);
    assert.equal(report.modelPass?.model, DEFAULT_AUDIT_MODEL);
    assert.equal(report.modelPass?.failed, undefined);
    assert.equal(report.modelPass?.unrated, 0);
    assert.ok(report.modelPass!.usage.inputTokens > 0);
    assert.ok(report.patterns.some((p) => p.source === 'offline'));
    assert.ok(fake.requests.every((r) => r.apiKey === 'k'));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'data.audit.json'), 'utf8')), report);
  });

  it('keeps the offline report and exits 1 when the model pass fails', async () => {
    fake.setResponder(() => ({ kind: 'status', status: 400, message: 'bad request' }));
    const dir = tempDir();
    const path = writeDataset(dir);
    let stdout = '';
    let stderr = '';
    const out = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), isTTY: false };
    const status = await runAudit([path, '--format', 'json', '--no-cache', '--no-write'], out, {
      GEMINI_API_KEY: 'k',
      GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
    });
    assert.equal(status, 1);
    assert.match(stderr, /model pass failed/);
    const report = JSON.parse(stdout) as AuditReport;
    // The header says the pass failed and why, in a sentence: not an offline report in disguise.
    assert.equal(report.modelPass?.model, DEFAULT_AUDIT_MODEL);
    assert.match(
      report.modelPass?.failed ?? '',
      /^The audit’s scan for patterns failed: .*the request was refused as invalid — “bad request”\.$/,
    );
    assert.doesNotMatch(report.modelPass?.failed ?? '', /StageError|RequestFailedError|\{"error"/);
    assert.ok(!report.patterns.some((p) => p.source === 'model'));
    assert.ok(report.patterns.find((p) => p.id === 'opening:great-question')?.flagged);
    assert.match(
      reportMarkdown(report),
      /\n\nThe model pass \(gemini-[\w.-]+\) failed: The audit’s scan for patterns failed: .*The patterns below are the offline detectors' only\.\n/,
    );
  });

  it('refuses a model pass estimated above --max-usd, before any request', async () => {
    fake.requests.length = 0;
    const dir = tempDir();
    const path = writeDataset(dir);
    const out = { stdout: () => undefined, stderr: () => undefined, isTTY: false };
    await assert.rejects(
      runAudit([path, '--no-cache', '--no-write', '--max-usd', '0'], out, { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: fake.baseUrl }),
      /above --max-usd 0/,
    );
    assert.equal(fake.requests.length, 0);
  });
});
