import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { html as diffHtml } from 'diff2html';
import type { Finding } from '../checks/index.js';
import { escapeHtml } from './markdown.js';
import type { ReviewReport, SummaryRow } from './review.js';
import { formatImageSectionHtml } from './image-section.js';
import type { HunkBadge } from './verdict-badges.js';

let diffCss: string | undefined;

/** diff2html's stylesheet, read once from the installed package. */
function diff2htmlCss(): string {
  diffCss ??= readFileSync(createRequire(import.meta.url).resolve('diff2html/bundles/css/diff2html.min.css'), 'utf8');
  return diffCss;
}

const PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1500px;padding:24px;color:#1f2328}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:36px}
h3{font:600 14px ui-monospace,monospace;margin:22px 0 8px}
table.summary{border-collapse:collapse;margin:12px 0}
table.summary th,table.summary td{border:1px solid #d0d7de;padding:4px 10px;text-align:left}
table.summary td.n{text-align:right;font-variant-numeric:tabular-nums}
table.summary tr.total td{font-weight:600;background:#f6f8fa}
.safe{color:#1a7f37;font-weight:600}.unsafe{color:#cf222e;font-weight:600}
nav ol{padding-left:22px}.muted{color:#59636e}
.tag{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;margin:6px 0 4px}
.tag-guarded{background:#dafbe1;color:#116329}.tag-unguarded{background:#ffebe9;color:#a40e26}
.tag-new-file{background:#ddf4ff;color:#0550ae}.tag-profile{background:#fff8c5;color:#7d4e00}
.tag-neutral{background:#ddf4ff;color:#0550ae}.tag-stock-changing{background:#ffebe9;color:#a40e26}.tag-unproven{background:#fff8c5;color:#7d4e00}
.hunk .d2h-file-header{display:none}.hunk .d2h-file-wrapper{margin-bottom:4px}
ul.findings{list-style:none;padding:0;margin:4px 0 12px}
ul.findings li{border-left:4px solid #d0d7de;padding:3px 8px;margin:3px 0;background:#f6f8fa}
ul.findings li.error{border-color:#cf222e}ul.findings li.warning{border-color:#bf8700}
.d2h-code-line-ctn{tab-size:4}
code{font-family:ui-monospace,monospace;font-size:12px}
`;

/**
 * The review as one self-contained HTML page: the summary table, a table of contents by layer, and
 * each layer's hunks as side-by-side diffs (rendered here with diff2html) under their tags and above
 * their findings, then the range-diff. Styles are inlined; the page loads nothing and runs no script.
 */
export function formatReviewHtml(report: ReviewReport): string {
  const body: string[] = [
    `<h1>nano-overlay review</h1>`,
    `<p class="muted">Upstream <code>${escapeHtml(report.upstream.ref)}</code> (${report.upstream.commit.slice(0, 12)}) at <code>${escapeHtml(report.upstream.path)}</code></p>`,
    summaryTable(report),
    `<nav><h2>Layers</h2><ol>${report.layers.map((layer) => `<li><a href="#${anchor(layer.name)}">${escapeHtml(layer.name)}</a> <span class="muted">— ${escapeHtml(layer.summary)}</span></li>`).join('')}${report.since ? `<li><a href="#since">Changes since ${escapeHtml(report.since.rev)}</a></li>` : ''}</ol></nav>`,
  ];
  for (const layer of report.layers) {
    body.push(`<section id="${anchor(layer.name)}"><h2>${escapeHtml(layer.name)} <span class="muted">(${escapeHtml(layer.status)})</span></h2>`);
    body.push(`<p><b>${escapeHtml(layer.summary)}</b></p>`, ...paragraphs(layer.description));
    if (layer.flags.length > 0) {
      body.push(`<p>Flags: ${layer.flags.map((flag) => `<code>${escapeHtml(flag.name)}</code> (stock default ${flag.default})`).join(', ')}</p>`);
    }
    body.push(findingList(layer.findings));
    for (const file of layer.files) {
      body.push(`<h3>${escapeHtml(file.path)} <span class="muted">(${file.status})</span></h3>`);
      for (const hunk of file.hunks) body.push(`<div class="hunk">${badge(hunk.badge)}${renderDiff(hunk.patch)}${findingList(hunk.findings)}</div>`);
      body.push(findingList(file.findings));
    }
    body.push('</section>');
  }
  if (report.findings.length > 0) body.push(`<section><h2>Layer set</h2>${findingList(report.findings)}</section>`);
  if (report.since) {
    body.push(`<section id="since"><h2>Changes since ${escapeHtml(report.since.rev)} <span class="muted">(${report.since.commit.slice(0, 12)})</span></h2>`);
    body.push(`<p class="muted">Each layer's change to the overlay then and now, applied to the same upstream; line numbers and context are ignored.</p><ul>`);
    for (const layer of report.since.layers) body.push(`<li><b>${escapeHtml(layer.name)}</b>: ${layer.status}</li>`);
    body.push('</ul>');
    for (const layer of report.since.layers) {
      for (const file of layer.files) {
        body.push(`<h3>${escapeHtml(layer.name)}: ${escapeHtml(file.path)} <span class="muted">(${file.status})</span></h3>${renderDiff(file.interdiff)}`);
      }
    }
    body.push('</section>');
  }
  if (report.image) body.push(formatImageSectionHtml(report.image, escapeHtml));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nano-overlay review</title>
<style>${diff2htmlCss()}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function summaryTable(report: ReviewReport): string {
  const head = '<tr><th>layer</th><th>files</th><th>+</th><th>−</th><th>hunks</th><th>flags (stock default)</th><th>stock-safe</th></tr>';
  const rows = report.summary.rows.map((row) => summaryRow(`<a href="#${anchor(row.layer)}">${escapeHtml(row.layer)}</a>`, row, ''));
  const total = summaryRow('total', report.summary.total, ' class="total"');
  return `<h2 id="summary">Summary</h2><table class="summary">${head}${rows.join('')}${total}</table>`;
}

function summaryRow(name: string, row: Omit<SummaryRow, 'layer'>, attributes: string): string {
  const hunks = Object.entries(row.hunks)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  const flags = row.flags.map((flag) => `<code>${escapeHtml(flag.name)}</code> (${flag.default})`).join(', ');
  const safe = `<span class="${row.stockSafe ? 'safe' : 'unsafe'}">${row.stockSafety}</span>`;
  return `<tr${attributes}><td>${name}</td><td class="n">${row.files}</td><td class="n">${row.added}</td><td class="n">${row.removed}</td><td>${hunks || '—'}</td><td>${flags || '—'}</td><td>${safe}</td></tr>`;
}

function badge(hunkBadge: HunkBadge): string {
  return `<span class="tag tag-${hunkBadge.verdict}">${escapeHtml(hunkBadge.text)}</span>`;
}

function renderDiff(patch: string): string {
  return diffHtml(patch, { outputFormat: 'side-by-side', drawFileList: false, matching: 'lines' });
}

function findingList(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const items = findings.map((entry) => {
    const where = entry.path === null ? '' : ` <code>${escapeHtml(entry.path)}${entry.line === null ? '' : `:${entry.line}`}</code>`;
    return `<li class="${entry.level}"><b>${entry.level}</b> <code>${escapeHtml(entry.code)}</code>${where}: ${escapeHtml(entry.message)}</li>`;
  });
  return `<ul class="findings">${items.join('')}</ul>`;
}

function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .filter((part) => part.trim() !== '')
    .map((part) => `<p>${escapeHtml(part.trim())}</p>`);
}

function anchor(name: string): string {
  return `layer-${name.replace(/[^A-Za-z0-9_.-]/g, '-')}`;
}
