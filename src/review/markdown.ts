import type { Finding } from '../checks/index.js';
import { basename } from 'node:path';
import { badgeView, hunkCountsText, layerFindings, stockSafeText, symlinkTarget } from './badges.js';
import { formatImageSectionMarkdown } from './image-section.js';
import type { LayerReview, ReviewReport, SummaryRow } from './review.js';

/** GitHub's limit on the size of a pull-request comment, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * The review as Markdown for a pull-request comment: the summary table, then a collapsible
 * `<details>` per layer with its description and each hunk in a ```diff block under its badge (the
 * tag and why) and above its findings, then the range-diff when there is one. The whole stays within
 * `limit` characters (GitHub's comment limit by default): layers that do not fit keep their
 * summary, findings and badges but lose their diffs, and a closing note says which.
 */
export function formatReviewMarkdown(report: ReviewReport, limit = GITHUB_COMMENT_LIMIT): string {
  const head: string[] = [`## nano-overlay review`, '', `Upstream \`${repositoryName(report)}\` at \`${report.upstream.ref}\` (commit ${report.upstream.commit.slice(0, 12)}).`, ''];
  head.push('| layer | files | + | − | hunks | flags (stock default) | stock-safe |', '|---|---:|---:|---:|---|---|---|');
  for (const row of report.summary.rows) {
    const layer = report.layers.find((entry) => entry.name === row.layer);
    head.push(tableRow(row.layer, row, layer ? layerFindings(layer) : []));
  }
  head.push(tableRow('**total**', report.summary.total, [...report.layers.flatMap(layerFindings), ...report.findings]), '');
  const tail: string[] = [];
  if (report.findings.length > 0) tail.push('### Layer set', '', ...findingLines(report.findings));
  if (report.since) {
    tail.push(`### Changes since \`${report.since.rev}\` (${report.since.commit.slice(0, 12)})`, '');
    for (const layer of report.since.layers) {
      tail.push(`- **${layer.name}**: ${layer.status}`);
      for (const file of layer.files) tail.push(`  - \`${file.path}\` (${file.status})`, '', indent(fence(diffBody(file.interdiff)), '    '), '');
    }
    tail.push('');
  }
  if (report.image) tail.push(formatImageSectionMarkdown(report.image));
  const cutNote = (names: readonly string[]) =>
    names.length === 0 ? '' : `_To fit a GitHub comment (${limit.toLocaleString('en')} characters), the diffs of ${names.length} layer${names.length === 1 ? '' : 's'} are left out: ${names.join(', ')}. \`nano-overlay review --format html\` shows them._\n`;
  // Every layer starts as one line; then, in order, as many as fit get their <details> without
  // diffs, and then, in order, as many as fit get their diffs back.
  const tiers = report.layers.map((layer) => [
    `- **${escapeHtml(layer.name)}** — ${escapeHtml(layer.summary)} (${layer.status})\n`,
    layerBlock(layer, false),
    layerBlock(layer, true),
  ]);
  const chosen = tiers.map(() => 0);
  let budget = limit - [...head, ...tail].join('\n').length - cutNote(report.layers.map((layer) => layer.name)).length - 2;
  budget -= tiers.reduce((sum, tier) => sum + tier[0]!.length + 1, 0);
  for (const level of [1, 2]) {
    tiers.forEach((tier, index) => {
      const growth = tier[level]!.length - tier[chosen[index]!]!.length;
      if (growth <= budget) {
        budget -= growth;
        chosen[index] = level;
      }
    });
  }
  const blocks = tiers.map((tier, index) => tier[chosen[index]!]!);
  const cut = report.layers.filter((_layer, index) => chosen[index] !== 2).map((layer) => layer.name);
  return [...head, ...blocks, ...tail, cutNote(cut)].join('\n');
}

/** One layer in `<details>`: description, findings and per hunk its badge, with the diff when `diffs`. */
function layerBlock(layer: LayerReview, diffs: boolean): string {
  const out = ['<details>', `<summary><b>${escapeHtml(layer.name)}</b> — ${escapeHtml(layer.summary)} (${layer.status})</summary>`, ''];
  out.push(layer.description, '');
  out.push(...findingLines(layer.findings));
  for (const file of layer.files) {
    const link = file.status === 'added' ? symlinkTarget(file.patch) : undefined;
    out.push(`#### \`${file.path}\`${link === undefined ? '' : ` → \`${link}\``} (${file.status})`, '');
    for (const hunk of file.hunks) {
      const badge = badgeView(hunk, layer);
      out.push(`\`${hunk.header}\` **${badge.label}** — ${badge.reason}`, '');
      if (diffs && link === undefined) out.push(fence(diffBody(hunk.patch)), '');
      out.push(...findingLines(hunk.findings));
    }
    out.push(...findingLines(file.findings));
  }
  if (!diffs) out.push('_Diffs left out to fit the comment._', '');
  out.push('</details>', '');
  return out.join('\n');
}

/** The upstream repository's name, never its local path. */
function repositoryName(report: ReviewReport): string {
  return basename(report.upstream.path).replace(/\.git$/, '') || 'upstream';
}

function tableRow(name: string, row: Omit<SummaryRow, 'layer'>, findings: readonly Finding[]): string {
  const hunks = hunkCountsText(row);
  const flags = row.flags.map((flag) => `\`${flag.name}\` (${flag.default})`).join(', ');
  return `| ${name} | ${row.files} | ${row.added} | ${row.removed} | ${hunks || '—'} | ${flags || '—'} | ${row.stockSafe ? 'yes' : `**${stockSafeText(row, findings)}**`} |`;
}

function findingLines(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  const lines = findings.map((entry) => {
    const where = entry.path === null ? '' : ` \`${entry.path}${entry.line === null ? '' : `:${entry.line}`}\``;
    return `> **${entry.level}** \`${entry.code}\`${where}: ${entry.message}`;
  });
  return [lines.join('  \n'), ''];
}

/** The patch from its first hunk header on: the file header is already shown above it. */
function diffBody(patch: string): string {
  const at = patch.indexOf('\n@@');
  return (at === -1 ? patch : patch.slice(at + 1)).replace(/\n$/, '');
}

/** A ```diff block long enough that backticks inside the diff cannot close it. */
function fence(body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}diff\n${body}\n${ticks}`;
}

function indent(text: string, prefix: string): string {
  return text.replace(/^/gm, prefix);
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
