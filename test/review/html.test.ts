import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { addReviewSection, formatReviewHtml, REVIEW_SECTIONS } from '../../src/review/html.js';
import { reviewLayers } from '../../src/review/review.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { chromium, HAS_CHROMIUM, measuredFrom } from '../helpers/chromium.js';
import { makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

const OUTPUT = resolve('test-output');
const EXAMPLE_LAYERS = resolve('examples/layers');

describe('the review page', () => {
  it('is self-contained: styles inline, no scripts, nothing loaded from elsewhere', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const page = formatReviewHtml(await reviewLayers({ upstream: upstream.dir, layersDir: EXAMPLE_LAYERS }));
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(page).toContain('.d2h-file-side-diff');
  });

  it('gives every element its own id, names the upstream by repository and commit, and no local path', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const report = await reviewLayers({ upstream: upstream.dir, layersDir: EXAMPLE_LAYERS });
    const page = formatReviewHtml(report);
    const ids = [...page.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(10);
    expect(new Set(ids).size).toBe(ids.length);
    for (const href of page.matchAll(/href="#([^"]+)"/g)) expect(ids).toContain(href[1]);
    expect(page).not.toContain(upstream.dir);
    expect(page).not.toContain(EXAMPLE_LAYERS);
    expect(page).toContain(`(commit <code>${report.upstream.commit.slice(0, 12)}</code>)`);
  });

  it('takes a new section with one call, listed in the table of contents in its place', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const report = await reviewLayers({ upstream: upstream.dir, layersDir: EXAMPLE_LAYERS });
    const sections = [...REVIEW_SECTIONS];
    try {
      addReviewSection({ id: 'extra', title: 'Extra', render: (_report, page) => `<p id="${page.id('summary')}">extra content</p>` }, 'layers');
      const page = formatReviewHtml(report);
      expect(page).toMatch(/<li><a href="#summary">Summary<\/a><\/li><li><a href="#extra">Extra<\/a><\/li><li><a href="#layers">Layers<\/a><\/li>/);
      expect(page).toContain('<section id="extra"><h2>Extra</h2>\n<p id="summary-2">extra content</p>');
    } finally {
      REVIEW_SECTIONS.splice(0, REVIEW_SECTIONS.length, ...sections);
    }
  });

  it('renders descriptions as sanitised Markdown and symlinks as their target', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const report = await reviewLayers({ upstream: upstream.dir, layersDir: EXAMPLE_LAYERS });
    const layer = { ...report.layers[0]!, description: 'Drops:\n\n- openssh\n- bash\n\n<script>alert(1)</script> [x](javascript:alert(1))' };
    const page = formatReviewHtml({ ...report, layers: [layer, ...report.layers.slice(1)] });
    expect(page).toContain('<ul>\n<li>openssh</li>\n<li>bash</li>\n</ul>');
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('coreos-base/demo-lean/demo-lean-0.0.1-r1.ebuild → demo-lean-0.0.1.ebuild');
  });

  it.skipIf(!HAS_CHROMIUM)('shows in Chromium the summary, badges with reasons, collapsed new files and wrapped long lines', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const layers = join(await makeTempDir(), 'layers');
    await cp(EXAMPLE_LAYERS, layers, { recursive: true, verbatimSymlinks: true });
    const longLine = `LONG_SETTING="${Array.from({ length: 60 }, (_, index) => `value${index}`).join(' ')}"`;
    await mkdir(join(layers, 'overlay/demo-lean-package/coreos-base/demo-lean/files'), { recursive: true });
    await writeFile(join(layers, 'overlay/demo-lean-package/coreos-base/demo-lean/files/lean.conf'), `# settings\n${longLine}\n`);
    const report = await reviewLayers({ upstream: upstream.dir, layersDir: layers });
    await mkdir(OUTPUT, { recursive: true });
    const page = formatReviewHtml(report);
    await writeFile(join(OUTPUT, 'review.html'), page);
    // The page runs no script; a copy gets one that measures the laid-out page and writes what it found into the DOM.
    const measured = join(OUTPUT, 'review-measured.html');
    await writeFile(measured, page.replace('</body>', `<script>${MEASURE}</script></body>`));
    const dom = await chromium(pathToFileURL(measured).href, '--dump-dom', '--window-size=1280,2000', '--virtual-time-budget=5000');
    const found = measuredFrom(dom);
    expect(found.summaryRows).toEqual(['demo-lean-package', 'demo-init-agent-optional', 'demo-files-motd-optional', 'demo-lean-profile', 'total']);
    expect(found.summaryVisible).toBe(true);
    expect(found.reasons).toContain('guarded: !agent | runs only under USE !agent (stock default on)');
    expect(found.reasons).toContain('profile: Nano only | no stock profile reads this file');
    expect(found.collapsed).toContain('coreos-base/demo-lean/demo-lean-0.0.1.ebuild (new file, 21 lines)');
    expect(found.collapsedContentShown).toBe(0);
    expect(found.wrappedLineRows).toBeGreaterThan(1);
    expect(found.overflowing).toEqual([]);
    expect(found.sideBySideHidden).toBe(true);
    expect(found.sideBySideShownWhenSwitched).toBe(true);

    const screenshot = join(OUTPUT, 'review.png');
    await chromium(pathToFileURL(join(OUTPUT, 'review.html')).href, `--screenshot=${screenshot}`, '--window-size=1280,1700', '--hide-scrollbars');
    const png = await readFile(screenshot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 1700]);
    expect((await stat(screenshot)).size).toBeGreaterThan(50_000);
  });
});

/** Runs in the page: what a reader sees, measured from the layout. */
const MEASURE = `
const visible = (element) => element.checkVisibility() && element.getBoundingClientRect().height > 0;
const out = {};
const summary = document.querySelector('table.summary');
out.summaryRows = [...summary.querySelectorAll('tr')].slice(1).map((row) => row.cells[0].textContent);
out.summaryVisible = visible(summary) && summary.getBoundingClientRect().top < window.innerHeight;
out.reasons = [...document.querySelectorAll('.badge')].filter(visible).map((badge) => badge.textContent + ' | ' + badge.nextElementSibling.textContent);
const closed = [...document.querySelectorAll('details.file')].filter((details) => !details.open);
out.collapsed = closed.map((details) => details.querySelector('summary').textContent.replace(/^\\s+|\\s+$/g, ''));
out.collapsedContentShown = closed.flatMap((details) => [...details.querySelectorAll('.hunk')]).filter(visible).length;
for (const details of closed) details.open = true;
const long = [...document.querySelectorAll('.view-lines .d2h-code-line-ctn')].find((line) => line.textContent.includes('LONG_SETTING'));
const lineHeight = parseFloat(getComputedStyle(long).lineHeight) || 16;
out.wrappedLineRows = Math.round(long.getBoundingClientRect().height / lineHeight);
out.overflowing = [...document.querySelectorAll('.view-lines .d2h-file-wrapper')].filter((wrapper) => wrapper.scrollWidth > wrapper.clientWidth + 1).length ? ['a diff wider than the page'] : [];
out.sideBySideHidden = [...document.querySelectorAll('.view-sides')].every((element) => !visible(element));
document.getElementById('view-sides').checked = true;
out.sideBySideShownWhenSwitched = [...document.querySelectorAll('.view-sides')].some(visible) && [...document.querySelectorAll('.view-lines')].every((element) => !visible(element));
const pre = document.createElement('pre');
pre.id = 'measured';
pre.textContent = JSON.stringify(out);
document.body.append(pre);
`;
