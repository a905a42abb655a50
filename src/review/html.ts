import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { html as diffHtml } from 'diff2html';
import MarkdownIt from 'markdown-it';
import type { Finding } from '../checks/index.js';
import { badgeView, hunkCountsText, layerFindings, stockSafeText, symlinkTarget, type Badge } from './badges.js';
import { formatImageSectionHtml } from './image-section.js';
import { escapeHtml } from './markdown.js';
import type { FileReview, LayerReview, ReviewReport, SummaryRow } from './review.js';

/**
 * The review as one self-contained HTML page, built from sections: the summary table, one section
 * per layer (description rendered as Markdown, findings, each file's hunks as line-by-line diffs with
 * a badge that says why), the layer set's own findings and the range-diff. A switch at the top shows
 * the diffs side by side instead, in CSS alone. New files, symlinks and large changes are collapsed
 * behind a summary with their line count. The page loads nothing, runs no script, gives every
 * element a unique id and names the upstream by repository name and commit, never by local path.
 */

/** One section of the page: a heading in the table of contents and its HTML, or nothing for this report. */
export interface ReviewSection {
  readonly id: string;
  readonly title: string | ((report: ReviewReport) => string);
  readonly render: (report: ReviewReport, page: PageContext) => string | undefined;
}

/** What sections share while the page is built: unique ids and the diff renderer. */
export class PageContext {
  private readonly used = new Map<string, number>();

  /** `base`, or `base-2`, `base-3`… when the page already has it. */
  id(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.-]/g, '-');
    const seen = this.used.get(clean) ?? 0;
    this.used.set(clean, seen + 1);
    return seen === 0 ? clean : `${clean}-${seen + 1}`;
  }

  /** A diff line by line, and side by side for the switch; diff2html's ids made unique. */
  diff(patch: string): string {
    const render = (outputFormat: 'line-by-line' | 'side-by-side') =>
      diffHtml(patch, { outputFormat, drawFileList: false, matching: 'lines' }).replace(/ id="([^"]+)"/g, (_match, id: string) => ` id="${this.id(id)}"`);
    return `<div class="view-lines">${render('line-by-line')}</div><div class="view-sides">${render('side-by-side')}</div>`;
  }
}

/** A changed file is collapsed behind its summary when it is new or changes more lines than this. */
const LARGE_CHANGE = 60;

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** The sections of the page, in order; a new section is one more entry. */
export const REVIEW_SECTIONS: ReviewSection[] = [
  { id: 'summary', title: 'Summary', render: summarySection },
  { id: 'layers', title: 'Layers', render: layersSection },
  { id: 'layer-set', title: 'Layer set', render: (report) => (report.findings.length > 0 ? findingList(report.findings) : undefined) },
  { id: 'since', title: (report) => `Changes since ${report.since?.rev ?? ''}`, render: sinceSection },
  { id: 'image', title: 'Image', render: (report) => (report.image ? formatImageSectionHtml(report.image, escapeHtml) : undefined) },
];

/** Adds a section to the page, before the section with id `before` or at the end: the one call a new section needs. */
export function addReviewSection(section: ReviewSection, before?: string): void {
  const at = before === undefined ? -1 : REVIEW_SECTIONS.findIndex((entry) => entry.id === before);
  REVIEW_SECTIONS.splice(at < 0 ? REVIEW_SECTIONS.length : at, 0, section);
}

let diffCss: string | undefined;

/** diff2html's stylesheet, read once from the installed package. */
function diff2htmlCss(): string {
  diffCss ??= readFileSync(createRequire(import.meta.url).resolve('diff2html/bundles/css/diff2html.min.css'), 'utf8');
  return diffCss;
}

const PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:24px;color:#1f2328}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:36px}
h3.layer{font-size:18px;margin:32px 0 6px;border-bottom:1px solid #eaeef2}
h4{font:600 14px ui-monospace,monospace;margin:22px 0 8px;overflow-wrap:anywhere}
table.summary{border-collapse:collapse;margin:12px 0}
table.summary th,table.summary td{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
table.summary td.n{text-align:right;font-variant-numeric:tabular-nums}
table.summary tr.total td{font-weight:600;background:#f6f8fa}
.safe{color:#1a7f37;font-weight:600}.unsafe{color:#cf222e;font-weight:600}
nav ol{padding-left:22px}.muted{color:#59636e}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;margin:6px 6px 4px 0}
.badge-ok{background:#dafbe1;color:#116329}.badge-bad{background:#ffebe9;color:#a40e26}
.badge-info{background:#ddf4ff;color:#0550ae}.badge-warn{background:#fff8c5;color:#7d4e00}
.reason{font-size:12px;color:#59636e}
.hunk .d2h-file-header{display:none}.hunk .d2h-file-wrapper{margin-bottom:4px}
ul.findings{list-style:none;padding:0;margin:4px 0 12px}
ul.findings li{border-left:4px solid #d0d7de;padding:3px 8px;margin:3px 0;background:#f6f8fa;overflow-wrap:anywhere}
ul.findings li.error{border-color:#cf222e}ul.findings li.warning{border-color:#bf8700}
details.file{border:1px solid #d0d7de;border-radius:6px;padding:4px 10px;margin:8px 0}
details.file>summary{cursor:pointer;font:600 13px ui-monospace,monospace;overflow-wrap:anywhere}
.symlink{font:13px ui-monospace,monospace}
.switch{position:sticky;top:0;background:#fff;padding:6px 0;z-index:2;font-size:13px}
.d2h-code-line,.d2h-code-side-line{white-space:normal;display:block;width:auto;padding:0 8px}
.d2h-code-line-ctn{display:inline;width:auto;white-space:pre-wrap;word-break:break-all;tab-size:4}
.d2h-code-linenumber,.d2h-code-side-linenumber{position:static;display:table-cell}
.d2h-diff-tbody>tr{vertical-align:top}
.d2h-code-wrapper{overflow-x:visible}.d2h-file-side-diff{overflow-x:visible}
#view-lines:checked~main .view-sides{display:none}#view-sides:checked~main .view-lines{display:none}
code{font-family:ui-monospace,monospace;font-size:12px}
.description ul,.description ol{padding-left:22px}
`;

/** The whole page: a heading naming the upstream, the view switch, the table of contents and every section that has content. */
export function formatReviewHtml(report: ReviewReport, sections: readonly ReviewSection[] = REVIEW_SECTIONS): string {
  const page = new PageContext();
  const rendered = sections.flatMap((section) => {
    const html = section.render(report, page);
    if (html === undefined) return [];
    const title = typeof section.title === 'string' ? section.title : section.title(report);
    return [{ id: page.id(section.id), title, html }];
  });
  const contents = `<nav><ol>${rendered.map((section) => `<li><a href="#${section.id}">${escapeHtml(section.title)}</a></li>`).join('')}</ol></nav>`;
  const body = rendered.map((section) => `<section id="${section.id}"><h2>${escapeHtml(section.title)}</h2>\n${section.html}\n</section>`);
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
<h1>nano-overlay review</h1>
<p class="muted">${upstreamLine(report)}</p>
<input type="radio" name="view" id="view-lines" checked><label for="view-lines">line by line</label>
<input type="radio" name="view" id="view-sides"><label for="view-sides">side by side</label>
<main>
${contents}
${body.join('\n')}
</main>
</body>
</html>
`;
}

/** `Upstream scripts at main (ab6d76d957ab)`: the repository by name, never by local path. */
export function upstreamLine(report: ReviewReport): string {
  const name = basename(report.upstream.path).replace(/\.git$/, '') || 'upstream';
  const prefix = report.upstream.overlayPrefix ? `, overlay <code>${escapeHtml(report.upstream.overlayPrefix)}</code>` : '';
  return `Upstream <code>${escapeHtml(name)}</code> at <code>${escapeHtml(report.upstream.ref)}</code> (commit <code>${report.upstream.commit.slice(0, 12)}</code>)${prefix}`;
}

function summarySection(report: ReviewReport): string {
  const head = '<tr><th>layer</th><th>files</th><th>+</th><th>−</th><th>hunks</th><th>flags (stock default)</th><th>stock-safe</th></tr>';
  const anchors = new Map(report.layers.map((layer) => [layer.name, layerId(layer.name)]));
  const rows = report.summary.rows.map((row) => {
    const layer = report.layers.find((entry) => entry.name === row.layer);
    return summaryRow(`<a href="#${anchors.get(row.layer) ?? ''}">${escapeHtml(row.layer)}</a>`, row, layer ? layerFindings(layer) : [], '');
  });
  const all = [...report.layers.flatMap(layerFindings), ...report.findings];
  const total = summaryRow('total', report.summary.total, all, ' class="total"');
  return `<table class="summary">${head}${rows.join('')}${total}</table>`;
}

function summaryRow(name: string, row: Omit<SummaryRow, 'layer'>, findings: readonly Finding[], attributes: string): string {
  const hunks = hunkCountsText(row);
  const flags = row.flags.map((flag) => `<code>${escapeHtml(flag.name)}</code> (${flag.default})`).join(', ');
  const safe = `<span class="${row.stockSafe ? 'safe' : 'unsafe'}">${escapeHtml(stockSafeText(row, findings))}</span>`;
  return `<tr${attributes}><td>${name}</td><td class="n">${row.files}</td><td class="n">${row.added}</td><td class="n">${row.removed}</td><td>${hunks || '—'}</td><td>${flags || '—'}</td><td>${safe}</td></tr>`;
}

/** The id of a layer's section, the same in the summary's links and in the section. */
function layerId(name: string): string {
  return `layer-${name.replace(/[^A-Za-z0-9_.-]/g, '-')}`;
}

function layersSection(report: ReviewReport, page: PageContext): string {
  return report.layers.map((layer) => layerArticle(layer, page)).join('\n');
}

function layerArticle(layer: LayerReview, page: PageContext): string {
  const parts = [`<article id="${page.id(layerId(layer.name))}"><h3 class="layer">${escapeHtml(layer.name)} <span class="muted">(${escapeHtml(layer.status)})</span></h3>`];
  parts.push(`<p><b>${escapeHtml(layer.summary)}</b></p>`, `<div class="description">${markdown.render(layer.description)}</div>`);
  if (layer.flags.length > 0) parts.push(`<p>Flags: ${layer.flags.map((flag) => `<code>${escapeHtml(flag.name)}</code> (stock default ${flag.default})`).join(', ')}</p>`);
  parts.push(findingList(layer.findings));
  for (const file of layer.files) parts.push(fileBlock(file, layer, page));
  parts.push('</article>');
  return parts.join('\n');
}

function fileBlock(file: FileReview, layer: LayerReview, page: PageContext): string {
  const link = file.status === 'added' ? symlinkTarget(file.patch) : undefined;
  const lines = file.hunks.reduce((sum, hunk) => sum + hunk.added + hunk.removed, 0);
  const title = `${escapeHtml(file.path)}${link === undefined ? '' : ` → ${escapeHtml(link)}`}`;
  const hunks = file.hunks.map((hunk) => {
    const badge = badgeView(hunk, layer);
    const body = link === undefined ? page.diff(hunk.patch) : `<p class="symlink">${title}</p>`;
    return `<div class="hunk" id="${page.id(`hunk-${layer.name}-${file.path}-${hunk.newStart}`)}">${badgeHtml(badge)}${body}${findingList(hunk.findings)}</div>`;
  });
  const content = `${hunks.join('')}${findingList(file.findings)}`;
  if (file.status === 'added' || lines > LARGE_CHANGE) {
    const what = link !== undefined ? 'new symlink' : file.status === 'added' ? `new file, ${lines} lines` : `${file.status}, ${lines} changed lines`;
    const flagged = file.findings.length + file.hunks.reduce((sum, hunk) => sum + hunk.findings.length, 0);
    return `<details class="file"><summary>${title} <span class="muted">(${what}${flagged ? `, ${flagged} finding${flagged === 1 ? '' : 's'}` : ''})</span></summary>${content}</details>`;
  }
  return `<h4>${title} <span class="muted">(${file.status})</span></h4>${content}`;
}

function badgeHtml(badge: Badge): string {
  return `<span class="badge badge-${badge.tone}">${escapeHtml(badge.label)}</span><span class="reason">${escapeHtml(badge.reason)}</span>`;
}

function findingList(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const items = findings.map((entry) => {
    const where = entry.path === null ? '' : ` <code>${escapeHtml(entry.path)}${entry.line === null ? '' : `:${entry.line}`}</code>`;
    return `<li class="${entry.level}"><b>${entry.level}</b> <code>${escapeHtml(entry.code)}</code>${where}: ${escapeHtml(entry.message)}</li>`;
  });
  return `<ul class="findings">${items.join('')}</ul>`;
}

function sinceSection(report: ReviewReport, page: PageContext): string | undefined {
  if (!report.since) return undefined;
  const parts = [
    `<p class="muted">The layer set at ${escapeHtml(report.since.rev)} (${report.since.commit.slice(0, 12)}) and now, applied to the same upstream; line numbers and context are ignored.</p><ul>`,
    ...report.since.layers.map((layer) => `<li><b>${escapeHtml(layer.name)}</b>: ${layer.status}</li>`),
    '</ul>',
  ];
  for (const layer of report.since.layers) {
    for (const file of layer.files) {
      parts.push(`<h4>${escapeHtml(layer.name)}: ${escapeHtml(file.path)} <span class="muted">(${file.status})</span></h4><div class="hunk">${page.diff(file.interdiff)}</div>`);
    }
  }
  return parts.join('\n');
}
