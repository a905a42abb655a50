import type { Finding } from '../checks/index.js';
import type { ReviewReport, SummaryRow } from './review.js';
import { formatImageSectionMarkdown } from './image-section.js';

/**
 * The review as Markdown for a pull-request comment: the summary table, then a collapsible
 * `<details>` per layer with its description and each hunk in a ```diff block under its tag and
 * above its findings, then the range-diff when there is one.
 */
export function formatReviewMarkdown(report: ReviewReport): string {
  const out: string[] = [`## nano-overlay review`, '', `Upstream \`${report.upstream.ref}\` (${report.upstream.commit.slice(0, 12)}).`, ''];
  out.push('| layer | files | + | − | hunks | flags (stock default) | stock-safe |', '|---|---:|---:|---:|---|---|---|');
  for (const row of report.summary.rows) out.push(tableRow(row.layer, row));
  out.push(tableRow('**total**', report.summary.total), '');
  for (const layer of report.layers) {
    out.push('<details>', `<summary><b>${escapeHtml(layer.name)}</b> — ${escapeHtml(layer.summary)} (${layer.status})</summary>`, '');
    out.push(layer.description, '');
    out.push(...findingLines(layer.findings));
    for (const file of layer.files) {
      out.push(`#### \`${file.path}\` (${file.status})`, '');
      for (const hunk of file.hunks) {
        out.push(`\`${hunk.header}\` **${hunk.badge.text}**`, '', fence(diffBody(hunk.patch)), '');
        out.push(...findingLines(hunk.findings));
      }
      out.push(...findingLines(file.findings));
    }
    out.push('</details>', '');
  }
  if (report.findings.length > 0) out.push('### Layer set', '', ...findingLines(report.findings));
  if (report.since) {
    out.push(`### Changes since \`${report.since.rev}\` (${report.since.commit.slice(0, 12)})`, '');
    for (const layer of report.since.layers) {
      out.push(`- **${layer.name}**: ${layer.status}`);
      for (const file of layer.files) out.push(`  - \`${file.path}\` (${file.status})`, '', indent(fence(diffBody(file.interdiff)), '    '), '');
    }
    out.push('');
  }
  if (report.image) out.push(formatImageSectionMarkdown(report.image));
  return out.join('\n');
}

function tableRow(name: string, row: Omit<SummaryRow, 'layer'>): string {
  const hunks = Object.entries(row.hunks)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  const flags = row.flags.map((flag) => `\`${flag.name}\` (${flag.default})`).join(', ');
  return `| ${name} | ${row.files} | ${row.added} | ${row.removed} | ${hunks || '—'} | ${flags || '—'} | ${row.stockSafe ? row.stockSafety : `**${row.stockSafety}**`} |`;
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
