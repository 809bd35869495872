import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTraitDocument } from '../document/parse';
import { count, usd } from '../format';
import { loadTemplates } from '../llm/templates';
import { openAICompatibleReviewAccess } from '../review/access';
import { REVIEW_TEMPLATE_STAGES } from '../review/prompts';
import { DEFAULT_REVIEW_MODEL, estimateReview, reviewDocument, selectTraits } from '../review/review';
import { REVIEW_PARTS, type DocumentReview, type QuotedAnswer, type TraitReview } from '../review/types';
import { interruptedNote, interruptible, INTERRUPTED, INTERRUPTED_EXIT } from './interrupt';
import { readTextFile, UsageError } from './io';
import { cliAnswerCache, cliModelAccess, cliTemplates } from './modelSetup';
import type { CliOutput } from './output';

export const REVIEW_USAGE = `Usage: trait-studio review FILE [--format json|markdown] [--traits ID,...] [--tensions]
                           [--model NAME] [--openai-url URL] [--no-cache] [--workspace-templates]

Reviews a trait document with a model. For each trait (with the document's preamble and its
group's introduction as context) the model says whether it states its reason, its trade-offs and
its exceptions, whether it is deliberately absolute, and which fixed surface forms it prescribes,
each with a verbatim quote. A quote not found in the trait's text (whitespace apart) is asked for
once more, then reported as unverified ("verified": false) and never used. Before it runs, the
requests and their estimated cost go to stderr; after, the tokens spent and their cost.

  --format json|markdown
                      json: {file, model, traits: [{id, title, parts: {rationale, tradeoffs,
                      exceptions}: {present, quote, verified}, deliberatelyAbsolute, surfaceForms:
                      [{form, quote, verified}]}], tensions, usage, cost}; a trait whose request
                      failed has "error" and null answers. Default markdown.
  --traits ID,...     review only these traits (ids, comma-separated); default every trait
  --tensions          also the trade-off map: pairs of traits that can conflict in a realistic
                      situation, and whether the document says how to weigh them (tensions: [{a,
                      b, situation, weighed, quote, verified, source}]; a, b are trait ids). The
                      keyless pass (links between traits, trade-off sentences, a priorities
                      section) is merged with the model's pairs.
  --model NAME        the review's model (default ${DEFAULT_REVIEW_MODEL}, the catalogue's fast model)
  --openai-url URL    ask an OpenAI-compatible server instead of Gemini (Ollama, vLLM, LM Studio;
                      e.g. http://localhost:11434/v1, with /v1): no Gemini key needed; needs
                      --model NAME (the model's name there). TRAIT_STUDIO_REVIEW_API_KEY, when set,
                      is sent to that server as its key (OPENAI_API_KEY never is)
  --no-cache          neither read nor write the answer cache
  --workspace-templates
                      use .traits/prompts/review-coverage.md and review-tensions.md under the
                      current folder (a file there must be inside the folder); default the shipped ones

Model access: GEMINI_API_KEY (Gemini Developer API); or GOOGLE_GENAI_USE_VERTEXAI=true with
GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION for Vertex AI (Application Default Credentials).
GOOGLE_GEMINI_BASE_URL points either at another Gemini-compatible endpoint.

Answers are cached in your user cache folder (as for preview; TRAIT_STUDIO_CACHE_DIR sets another),
keyed by the trait's text and context, the model and the prompt: reviewing an unchanged document
again sends nothing and costs nothing; editing one trait re-reviews that trait.

Exit status: 0 every trait (and the tension pass) was reviewed, 1 a request failed for good (the
others are still reported), 2 usage or I/O problem, 130 interrupted (Ctrl+C; answers so far are
cached).
`;

/** `trait-studio review`: returns the exit status. */
export async function runReview(argv: string[], out: CliOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'markdown' },
      traits: { type: 'string' },
      tensions: { type: 'boolean', default: false },
      model: { type: 'string' },
      'openai-url': { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      'workspace-templates': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.stdout(REVIEW_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`review takes one file\n\n${REVIEW_USAGE}`);
  if (values.format !== 'json' && values.format !== 'markdown')
    throw new UsageError(`--format must be json or markdown, not "${values.format}"`);
  const openaiUrl = values['openai-url']?.trim();
  // A Gemini model name would be asked of the local server.
  if (openaiUrl && !values.model?.trim()) throw new UsageError('--openai-url needs --model NAME, the model to ask at that server');
  const model = values.model?.trim() || DEFAULT_REVIEW_MODEL;
  const ids = values.traits
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (values.traits !== undefined && !ids?.length) throw new UsageError('--traits needs at least one trait id');
  const file = positionals[0];
  const document = parseTraitDocument(readTextFile(file));
  try {
    selectTraits(document, ids);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  // After the file and the traits: a wrong id is worth knowing before a key is.
  const access = openaiUrl ? openAICompatibleReviewAccess(openaiUrl, env) : cliModelAccess(env, 'review a document');
  const templates = cliTemplates(values['workspace-templates'], out, (workspace) => loadTemplates(REVIEW_TEMPLATE_STAGES, workspace));
  const cache = cliAnswerCache(values['no-cache'], out, env);

  const estimate = await estimateReview(document, {
    model,
    traits: ids,
    tensions: values.tensions,
    templates,
    cache,
    providerId: access.providerId,
  });
  const cost = estimate.unpriced.length ? 'cost unknown' : `≈ ${usd(estimate.usd)}`;
  const cached = estimate.cached ? ` (${estimate.cached} answered from the cache)` : '';
  out.stderr(`trait-studio: reviewing ${basename(file)} with ${model}: ${count(estimate.requests, 'request')}${cached}, ${cost}\n`);

  const review = await interruptible((signal) =>
    reviewDocument(document, { ...access, model, traits: ids, tensions: values.tensions, templates, cache, signal, file }),
  );
  if (review === INTERRUPTED) {
    out.stderr(`trait-studio: ${interruptedNote(cache)}\n`);
    return INTERRUPTED_EXIT;
  }
  out.stdout(values.format === 'json' ? `${JSON.stringify(review, null, 2)}\n` : markdown(review));
  const failed = review.traits.filter((t) => t.error);
  for (const t of failed) out.stderr(`trait-studio: ${t.id}: not reviewed: ${t.error}\n`);
  if (review.tensionsError) out.stderr(`trait-studio: the trade-off map has the keyless pairs only: ${review.tensionsError}\n`);
  return failed.length || review.tensionsError ? 1 : 0;
}

const PART_NAMES = { rationale: 'Reason', tradeoffs: 'Trade-offs', exceptions: 'Exceptions' } as const;

/** One answer as a Markdown list item: stated (with its quote) or not, and whether the quote was found. */
function answerLine(name: string, a: QuotedAnswer): string {
  if (!a.present) return `- ${name}: **not stated**`;
  return `- ${name}: stated — "${a.quote ?? ''}"${a.verified ? '' : ' **(unverified: the quote is not in the trait; not used)**'}`;
}

function traitSection(t: TraitReview): string {
  const lines = [`## ${t.title} \`#${t.id}\`\n`];
  if (t.error) return `${lines[0]}\nNot reviewed: ${t.error}\n`;
  for (const p of REVIEW_PARTS) lines.push(answerLine(PART_NAMES[p], t.parts![p]));
  if (t.deliberatelyAbsolute!.present) lines.push(answerLine('Deliberately absolute', t.deliberatelyAbsolute!));
  for (const f of t.surfaceForms!) lines.push(`- Surface form "${f.form}": "${f.quote}"${f.verified ? '' : ' **(unverified)**'}`);
  return `${lines.join('\n')}\n`;
}

function markdown(review: DocumentReview): string {
  const parts = [`# Review: ${review.file} (${review.model})\n`, ...review.traits.map(traitSection)];
  if (review.tensions) {
    parts.push('## Trade-off map\n');
    if (!review.tensions.length) parts.push('No pairs of traits that can conflict.\n');
    for (const t of review.tensions)
      parts.push(
        `- \`${t.a}\` × \`${t.b}\`: ${t.situation} — ${t.weighed ? `weighed: "${t.quote}"` : '**unweighed**'}${t.quote && !t.verified ? ' (unverified quote)' : ''}`,
      );
    parts.push('');
  }
  const unpriced = review.cost.unpriced.length ? ` (not counted, no price known: ${review.cost.unpriced.join(', ')})` : '';
  parts.push(
    `**Usage**: ${count(review.usage.inputTokens, 'input token')} + ${count(review.usage.outputTokens, 'output token')}, ${count(review.usage.cachedAnswers, 'answer')} from the cache; estimated cost ${usd(review.cost.usd)}${unpriced}.\n`,
  );
  return parts.join('\n');
}
