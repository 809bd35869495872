/**
 * Scores the model review's coverage answers against the labelled corpus of the lint evaluation
 * (test/fixtures/corpus/labels), beside the heuristics' on the same labels: for each of reason,
 * trade-offs and exceptions, "the part is missing" is the positive, as in `npm run eval:lint`. The
 * review counts a part as stated only when it quoted it verbatim (an unverified quote is not used).
 * Tuned and held-out documents are reported apart: the held-out ones were labelled before anything
 * was tuned to them, and only their figures say how either method does on text it was not fitted to.
 *
 * It calls a model (a user with a key measures the model mode on their own account): GEMINI_API_KEY,
 * or Vertex AI as for the CLI; GOOGLE_GEMINI_BASE_URL points at another endpoint. Answers are
 * cached as the CLI caches them, so a rerun costs nothing.
 *
 * Run: npm run eval:review [-- --set tuned|held-out] [--document FILE ...] [--model NAME] [--details]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { answerCacheDir, cliAnswerCache, cliModelAccess } from '../server/src/cli/modelSetup';
import { processOutput } from '../server/src/cli/output';
import { parseTraitDocument } from '../server/src/document/parse';
import { count, usd } from '../server/src/format';
import { addUsage, emptyUsage } from '../server/src/llm/usage';
import { estimateCost } from '../server/src/llm/cost';
import { lintDocument } from '../server/src/rules/lint';
import { DEFAULT_REVIEW_MODEL, reviewDocument } from '../server/src/review/review';
import { REVIEW_PARTS, type ReviewPart } from '../server/src/review/types';
import { CORPUS, Counts, pct, readLabels, type DocumentLabels } from './evalCorpus';

const RULE_OF: Record<ReviewPart, string> = {
  rationale: 'missing-rationale',
  tradeoffs: 'missing-tradeoffs',
  exceptions: 'missing-exceptions',
};

type Scores = Record<'review' | 'heuristics', Record<ReviewPart, Counts>>;
const scores = (): Scores => ({
  review: { rationale: new Counts(), tradeoffs: new Counts(), exceptions: new Counts() },
  heuristics: { rationale: new Counts(), tradeoffs: new Counts(), exceptions: new Counts() },
});

function report(title: string, results: { labels: DocumentLabels; scores: Scores; failed: number }[]): void {
  if (!results.length) return;
  console.log(`\n== ${title}: ${results.map((r) => r.labels.document).join(', ')}`);
  console.log(
    `  ${'part (missing = positive)'.padEnd(22)} ${'review: P'.padStart(10)}  ${'R'.padStart(4)}   ${'heuristics: P'.padStart(14)}  ${'R'.padStart(4)}   (TP/FP/FN review | heuristics)`,
  );
  const total = scores();
  for (const part of REVIEW_PARTS) {
    for (const who of ['review', 'heuristics'] as const) results.forEach((r) => total[who][part].add(r.scores[who][part]));
    const [m, h] = [total.review[part], total.heuristics[part]];
    console.log(
      `  ${part.padEnd(22)} ${pct(m.precision).padStart(10)}  ${pct(m.recall)}   ${pct(h.precision).padStart(14)}  ${pct(h.recall)}   (${m.tp}/${m.fp}/${m.fn} | ${h.tp}/${h.fp}/${h.fn})`,
    );
  }
  const together = (who: 'review' | 'heuristics') => REVIEW_PARTS.reduce((c, p) => (c.add(total[who][p]), c), new Counts());
  const [m, h] = [together('review'), together('heuristics')];
  console.log(
    `  ${'all three parts'.padEnd(22)} ${pct(m.precision).padStart(10)}  ${pct(m.recall)}   ${pct(h.precision).padStart(14)}  ${pct(h.recall)}   (${m.tp}/${m.fp}/${m.fn} | ${h.tp}/${h.fp}/${h.fn})`,
  );
  const failed = results.reduce((n, r) => n + r.failed, 0);
  if (failed)
    console.log(`  ${count(failed, 'trait')} could not be reviewed (blocked or failed requests) and are left out of both columns.`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      set: { type: 'string' },
      document: { type: 'string', multiple: true },
      model: { type: 'string' },
      details: { type: 'boolean', default: false },
    },
  });
  if (values.set !== undefined && values.set !== 'tuned' && values.set !== 'held-out') throw new Error('--set must be tuned or held-out');
  const model = values.model ?? DEFAULT_REVIEW_MODEL;
  const access = cliModelAccess(process.env, 'evaluate the model review');
  const cache = cliAnswerCache(false, processOutput);
  const labels = readLabels().filter(
    (l) => (!values.set || l.set === values.set) && (!values.document || values.document.includes(l.document)),
  );
  const unknown = (values.document ?? []).filter((d) => !labels.some((l) => l.document === d));
  if (unknown.length) throw new Error(`--document: no labels for ${unknown.join(', ')}`);
  const usage = emptyUsage();
  const results: { labels: DocumentLabels; scores: Scores; failed: number }[] = [];
  for (const l of labels) {
    const { lint, ...parseOptions } = l.settings ?? {};
    const document = parseTraitDocument(readFileSync(join(CORPUS, l.document), 'utf8'), parseOptions);
    const byLine = new Map(document.traits.map((t) => [t.heading.range.start.line + 1, t]));
    const labelled = l.traits.filter((t) => byLine.has(t.line));
    process.stderr.write(`${l.document}: reviewing ${count(labelled.length, 'labelled trait')} with ${model}\n`);
    const review = await reviewDocument(document, {
      ...access,
      model,
      cache,
      traits: [...new Set(labelled.map((t) => byLine.get(t.line)!.id))],
    });
    addUsage(usage, review.usage);
    const { diagnostics } = lintDocument(document, { settings: lint ? [lint] : [] });
    const s = scores();
    let failed = 0;
    for (const t of labelled) {
      const trait = byLine.get(t.line)!;
      const answer = review.traits.find((r) => r.id === trait.id)!;
      if (!answer.parts) {
        failed++;
        continue;
      }
      for (const part of REVIEW_PARTS) {
        const missing = t[part] === null;
        const reviewSays = !(answer.parts[part].present && answer.parts[part].verified);
        const lintSays = diagnostics.some((d) => d.traitId === trait.id && d.rule === RULE_OF[part]);
        s.review[part].count(reviewSays, missing);
        s.heuristics[part].count(lintSays, missing);
        if (values.details && reviewSays !== missing)
          console.log(
            `  ${reviewSays ? 'FP' : 'FN'} review ${part} ${l.document}:${t.line} "${t.title}"${answer.parts[part].quote ? ` — quoted: ${answer.parts[part].quote}${answer.parts[part].verified ? '' : ' (unverified)'}` : ''}`,
          );
      }
    }
    results.push({ labels: l, scores: s, failed });
  }
  console.log(`Model review (${model}) and the heuristics against the labelled corpus (a missing part is positive).`);
  report(
    'Tuned documents (the heuristics were tuned to these)',
    results.filter((r) => r.labels.set === 'tuned'),
  );
  report(
    'Held-out documents (neither was tuned to these)',
    results.filter((r) => r.labels.set === 'held-out'),
  );
  const cost = estimateCost(usage.byModel);
  console.log(
    `\n${count(usage.inputTokens, 'input token')} + ${count(usage.outputTokens, 'output token')}, ${count(usage.cachedAnswers, 'answer')} from the cache (${answerCacheDir(process.env)}); estimated cost ${usd(cost.usd)}${cost.unpriced.length ? ` (no price known: ${cost.unpriced.join(', ')})` : ''}.`,
  );
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`eval:review: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
