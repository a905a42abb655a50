import { resolve } from 'node:path';
import { abortRebase, startRebase } from '../maintain/rebase.js';
import type { RebaseReport } from '../maintain/rebase-report.js';
import { formatReviewMarkdown } from '../review/markdown.js';
import { reviewLayers } from '../review/review.js';
import { loadLayersFrom } from './layer-set.js';
import { validateRange, type RangeReport } from './validate-range.js';
import { validateLayers } from './validate.js';

export interface NightlyRequest {
  readonly upstream: string;
  /** The upstream revision to move the layers onto (upstream main). */
  readonly onto: string;
  readonly layersDir?: string;
}

/** The outcome of the maintainer's nightly run. */
export interface NightlyReport {
  /** `ready`: the layers moved and validate is clean, the body is a pull request's; otherwise the body says what needs a human. */
  readonly outcome: 'ready' | 'invalid' | 'conflict';
  readonly rebase: RebaseReport;
  /** Markdown: the pull request body, or the report for a human. */
  readonly body: string;
}

/**
 * The nightly maintainer run: moves the layer set onto `onto` (`rebase --onto`), validates it
 * there, and writes a pull request body (the per-layer rebase table and the review's Markdown).
 * On a conflict the rebase is aborted (the layer set is left as it was) and the body names the
 * layers and files that need a human and, from `validate --range` over the layers' base..onto, the
 * first upstream commit that broke each.
 */
export async function nightlyRun(request: NightlyRequest): Promise<NightlyReport> {
  const layersDir = resolve(request.layersDir ?? '.');
  const bases = (await loadLayersFrom(layersDir)).set.layers.map((layer) => layer.manifest.base);
  const rebase = await startRebase({ upstream: request.upstream, onto: request.onto, layersDir });
  const title = `Move the Nano layers onto ${request.onto} (${rebase.onto.commit.slice(0, 12)})`;
  if (!rebase.done) {
    await abortRebase(layersDir);
    const base = usual(bases);
    const range = base ? await validateRange({ upstream: request.upstream, layersDir, range: `${base}..${rebase.onto.commit}` }) : undefined;
    return { outcome: 'conflict', rebase, body: conflictBody(title, rebase, range) };
  }
  const validation = await validateLayers({ upstream: request.upstream, layersDir, ref: rebase.onto.commit });
  const review = formatReviewMarkdown(await reviewLayers({ upstream: request.upstream, layersDir, ref: rebase.onto.commit }));
  const errors = validation.findings.filter((finding) => finding.level === 'error');
  const verdict = errors.length === 0 ? 'validate: no errors.' : `validate: ${errors.length} error(s); see the review below.`;
  const body = [`# ${title}`, '', rebaseTable(rebase), '', verdict, '', review.trimEnd(), ''].join('\n');
  return { outcome: errors.length === 0 ? 'ready' : 'invalid', rebase, body };
}

/** The per-layer rebase table, in Markdown. */
function rebaseTable(rebase: RebaseReport): string {
  const rows = rebase.layers.map((layer) => {
    const files = new Set(layer.files.filter((file) => file.status !== 'clean').map((file) => `${file.resolvedPath} (${file.status})`));
    return `| ${layer.name} | ${layer.status} | ${[...files].join('<br>') || '—'} |`;
  });
  return ['| layer | rebase | files not clean |', '| --- | --- | --- |', ...rows].join('\n');
}

function conflictBody(title: string, rebase: RebaseReport, range: RangeReport | undefined): string {
  const stopped = rebase.stopped!;
  const lines = [`# ${title}: needs a human`, '', rebaseTable(rebase), '', `The rebase stopped at layer **${stopped.layer}**; these files conflict:`, ''];
  lines.push(...stopped.files.map((file) => `- \`${file}\``), '', 'The layer set was left as it was.');
  if (range) {
    const broken = range.layers.filter((layer) => layer.firstBad);
    lines.push('', `## First upstream commit that broke each layer (validate --range ${range.upstream.from.slice(0, 12)}..${range.upstream.to.slice(0, 12)})`, '');
    if (broken.length === 0) lines.push('No layer breaks in the range.');
    for (const layer of broken) {
      const first = layer.firstBad!;
      lines.push(`- **${layer.name}**: ${first.commit.slice(0, 12)} ${first.subject}${layer.lastGood ? ` (fine through ${layer.lastGood.commit.slice(0, 12)})` : ''}`);
      lines.push(...first.findings.slice(0, 5).map((finding) => `  - ${finding.code} \`${finding.path ?? ''}${finding.line ? `:${finding.line}` : ''}\` ${finding.message}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The base most layers record. */
function usual(bases: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const base of bases) if (base) counts.set(base, (counts.get(base) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
