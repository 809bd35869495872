import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { parseTraitDocument } from '../../../server/src/document/parse';
import { count, usd } from '../../../server/src/format';
import { describeFailure } from '../../../server/src/generation/failures';
import { DiskAnswerCache } from '../../../server/src/llm/cache';
import { defaultPrices } from '../../../server/src/llm/cost';
import { loadTemplates } from '../../../server/src/llm/templates';
import { openAICompatibleReviewAccess } from '../../../server/src/review/access';
import { REVIEW_COMMAND, SET_REVIEW_REQUEST, type SetReviewParams } from '../../../server/src/lsp/protocol';
import { REVIEW_TEMPLATE_STAGES } from '../../../server/src/review/prompts';
import { estimateReview, reviewDocument } from '../../../server/src/review/review';
import type { DocumentReview } from '../../../server/src/review/types';
import { TradeoffPanel } from '../webviews/tradeoffPanel';
import { TRADEOFF_VIEW_TYPE } from '../webviews/tradeoffProtocol';
import { modelSettings } from '../config';
import { MissingKeyError, modelSetup, templateWorkspace, type PolicyCache } from './modelSetup';
import { explainRestricted } from './restricted';
import { ReviewedTraitsStore } from './keptReview';
import { ReviewedPairsStore } from './reviewedPairs';

/** `Trait Studio: Show Trade-off Map`: the matrix of the document's trait pairs beside it (keyless without a review). */
export const TRADEOFF_MAP_COMMAND = 'traitStudio.showTradeoffMap';

/** Options an automation (the tests) may pass to `traitStudio.reviewDocument`. */
export interface ReviewRequest {
  /** Run without asking to confirm the estimate. */
  readonly confirm?: false;
  /** Ask for the trade-off map (default: the `traitStudio.review.tensions` setting); the map's own button asks for it. */
  readonly tensions?: boolean;
}

/**
 * `Trait Studio: Review Document with Model` (palette, editor title, the lens on the document's
 * first heading, which passes its URI): after a cost estimate the user confirms, a model reviews
 * each trait (server/src/review) and, with `traitStudio.review.tensions` (default on), proposes the
 * trade-off map in one more request, with progress and cancel; the results go to the language
 * server (SET_REVIEW_REQUEST), which shows them as diagnostics beside the lint's. A cancelled
 * review publishes nothing. Off in Restricted Mode (it sends the document to a model provider).
 * Resolves the review, or undefined when the user backed out or it did not run. Also registers
 * `Show Trade-off Map` and the map panel's restore after a window reload (from the document and
 * the reviewed pairs kept in the workspace state: no model call). The trait reviews are kept there
 * too, so the server's review findings come back with the map (keptReview.ts).
 */
export function registerReview(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  policies: PolicyCache,
  client: () => LanguageClient | undefined,
): vscode.Disposable {
  /** The latest review's trade-off pairs per document URI, for the trade-off map. */
  const reviewed = new ReviewedPairsStore(context.workspaceState);
  /** The latest review's trait reviews per document URI, given to the server again when it opens the document. */
  const reviewedTraits = new ReviewedTraitsStore(context.workspaceState);
  const host = { extensionUri: context.extensionUri, log, reviewed: (uri: string) => reviewed.get(uri) };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(TRADEOFF_MAP_COMMAND, async (target?: unknown) => {
      const document = await targetDocument(target);
      if (!document) {
        void vscode.window.showInformationMessage('Trait Studio: open a trait document to see its trade-off map.');
        return undefined;
      }
      return TradeoffPanel.show(host, document).current;
    }),
    vscode.window.registerWebviewPanelSerializer(TRADEOFF_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        await TradeoffPanel.restore(host, panel, state);
      },
    }),
    vscode.commands.registerCommand(
      REVIEW_COMMAND,
      async (target?: unknown, request: ReviewRequest = {}): Promise<DocumentReview | undefined> => {
        if (!vscode.workspace.isTrusted) return explainRestricted('Review Document with Model', log);
        const document = await targetDocument(target);
        if (!document) {
          void vscode.window.showInformationMessage('Trait Studio: open a trait document to review it with a model.');
          return undefined;
        }
        const name = basename(document.uri.path);
        const parsed = parseTraitDocument(document.getText());
        if (!parsed.traits.length) {
          void vscode.window.showInformationMessage(`Trait Studio: ${name} has no traits to review.`);
          return undefined;
        }
        const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri;
        const settings = modelSettings(folder ?? document.uri);
        const model = settings['models.review'];
        const tensions = request.tensions ?? settings['review.tensions'];
        const openaiUrl = settings['review.openaiBaseUrl'];
        try {
          // A local OpenAI-compatible server needs no Gemini key.
          const setup = openaiUrl
            ? {
                ...openAICompatibleReviewAccess(
                  openaiUrl,
                  process.env,
                  policies.get({
                    timeoutSeconds: settings['requests.timeoutSeconds'],
                    perMinute: settings['requests.perMinute'],
                    concurrency: 4,
                  }),
                ),
                cache: new DiskAnswerCache(vscode.Uri.joinPath(context.globalStorageUri, 'answers').fsPath),
                prices: { ...defaultPrices(), ...settings.prices },
              }
            : await modelSetup(context, folder, policies);
          const templates = loadTemplates(REVIEW_TEMPLATE_STAGES, templateWorkspace(folder));
          const estimate = await estimateReview(parsed, {
            model,
            templates,
            cache: setup.cache,
            providerId: setup.providerId,
            prices: setup.prices,
            tensions,
          });
          const cost = estimate.unpriced.length ? 'cost unknown' : `≈ ${usd(estimate.usd)}`;
          const cached = estimate.cached ? ` (${estimate.cached} answered from the cache)` : '';
          if (request.confirm !== false) {
            const choice = await vscode.window.showInformationMessage(
              `Review ${name} with ${model}? ${count(parsed.traits.length, 'trait')}${tensions ? ' and the trade-off map' : ''}: ${count(estimate.requests, 'request')}${cached}, ${cost}.`,
              {
                modal: true,
                detail: `Each trait is sent, with the document’s preamble and its group’s introduction, to the model provider.${
                  tensions
                    ? ' The trade-off map sends every trait in one more request (setting traitStudio.review.tensions).'
                    : ' The trade-off map is not asked for (setting traitStudio.review.tensions).'
                }`,
              },
              'Review',
            );
            if (choice !== 'Review') return undefined;
          }
          const version = document.version;
          const review = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Trait Studio: reviewing ${name} with ${model}`, cancellable: true },
            (progress, token) => {
              const controller = new AbortController();
              token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
              let reported = 0;
              return reviewDocument(parsed, {
                provider: setup.provider,
                providerId: setup.providerId,
                model,
                templates,
                tensions,
                cache: setup.cache,
                prices: setup.prices,
                signal: controller.signal,
                file: vscode.workspace.asRelativePath(document.uri),
                onProgress: (done, total) => {
                  const percent = (100 * done) / total;
                  const of = tensions ? `${total}: the traits and the trade-off map` : count(total, 'trait');
                  progress.report({ increment: percent - reported, message: `${done}/${of}` });
                  reported = percent;
                },
              });
            },
          );
          // Each trait's review carries the chunk it was made from: the server ignores it once the trait is edited.
          const chunk = (id: string) => parsed.traits.find((t) => t.id === id)!.chunk;
          const uri = document.uri.toString();
          // Without the map asked for, the pairs of an earlier review stay (each while its traits are unchanged).
          const pairs = review.tensions
            ? { model, tensions: review.tensions.map((t) => ({ tension: t, chunks: [chunk(t.a), chunk(t.b)] as const })) }
            : reviewed.get(uri);
          const params: SetReviewParams = {
            uri,
            model,
            traits: review.traits.map((r) => ({ review: r, chunk: chunk(r.id) })),
            tensions: [...(pairs?.tensions ?? [])],
          };
          await client()?.sendRequest(SET_REVIEW_REQUEST, params);
          // Kept for the server after a reload, a reopen or a restart (extension.ts re-sends them on open).
          await reviewedTraits.set(uri, { model, traits: params.traits });
          if (review.tensions) await reviewed.set(uri, pairs!);
          TradeoffPanel.of(uri)?.refresh();
          const failed = review.traits.filter((t) => t.error);
          const unverified = review.traits.reduce(
            (n, t) => n + Object.values(t.parts ?? {}).filter((p) => p.present && !p.verified).length,
            0,
          );
          if (review.tensionsError) log.warn(`Review of ${name}: the trade-off map has the keyless pairs only: ${review.tensionsError}`);
          const spent =
            review.usage.inputTokens + review.usage.outputTokens ? `${usd(review.cost.usd)} spent` : 'nothing spent (all from the cache)';
          log.info(
            `Review of ${name} with ${model}: ${count(review.traits.length, 'trait')}, ${failed.length} failed, ${unverified} unverified quotes; ${spent}.`,
          );
          if (document.version !== version)
            log.info(`Review of ${name}: the document changed while it ran; traits edited since are not shown.`);
          const summary = `Trait Studio: reviewed ${count(review.traits.length - failed.length, 'trait')} of ${name} with ${model}; ${spent}.`;
          if (failed.length)
            void vscode.window.showWarningMessage(
              `${summary} ${count(failed.length, 'trait')} could not be reviewed: ${describeFailure(failed[0].error!)}`,
            );
          else void vscode.window.showInformationMessage(`${summary} The findings are in the Problems panel (source "traits (review)").`);
          return review;
        } catch (error) {
          if (error instanceof MissingKeyError) {
            const choice = await vscode.window.showWarningMessage(
              error.message.replace('to preview scenarios', 'to review a document'),
              'Set API Key',
            );
            if (choice) await vscode.commands.executeCommand('traitStudio.setApiKey');
            return undefined;
          }
          const message = error instanceof Error ? error.message : String(error);
          if (/cancelled/.test(message)) {
            log.info(`Review of ${name}: cancelled.`);
            return undefined;
          }
          log.error(`Review of ${name}: ${message}`);
          void vscode.window.showErrorMessage(`Trait Studio: the review of ${name} failed: ${describeFailure(message)}`);
          return undefined;
        }
      },
    ),
  );
}

/** The document to review: the one the lens names, else the active editor's trait document. */
async function targetDocument(target: unknown): Promise<vscode.TextDocument | undefined> {
  if (typeof target === 'string' || target instanceof vscode.Uri)
    return vscode.workspace.openTextDocument(typeof target === 'string' ? vscode.Uri.parse(target) : target);
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'traits' ? editor.document : undefined;
}
