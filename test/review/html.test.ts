import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReviewHtml } from '../../src/review/html.js';
import { reviewLayers } from '../../src/review/review.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = resolve('test-output');
const EXAMPLE_LAYERS = resolve('examples/layers');

/** Runs headless Chromium on `url` with `args`, returning what it prints. */
async function chromium(url: string, ...args: string[]): Promise<string> {
  const profile = await makeTempDir('nano-overlay-chromium-');
  return execFileSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
      url,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
}

describe('the review page', () => {
  it('is self-contained: styles inline, no scripts, nothing loaded from elsewhere', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const page = formatReviewHtml(await reviewLayers({ upstream: upstream.dir, layersDir: EXAMPLE_LAYERS }));
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(page).toContain('.d2h-file-side-diff');
  });

  it.skipIf(!existsSync(CHROMIUM))('renders the summary and side-by-side diffs in Chromium', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const report = await reviewLayers({ upstream: upstream.dir, layersDir: EXAMPLE_LAYERS });
    await mkdir(OUTPUT, { recursive: true });
    const file = join(OUTPUT, 'review.html');
    await writeFile(file, formatReviewHtml(report));
    const url = pathToFileURL(file).href;

    const dom = await chromium(url, '--dump-dom');
    const summary = /<table class="summary">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? '';
    const rows = [...summary.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')));
    expect(rows[0]).toEqual(['layer', 'files', '+', '−', 'hunks', 'flags (stock default)', 'stock-safe']);
    expect(rows.slice(1).map((row) => row[0])).toEqual(['demo-lean-package', 'demo-init-agent-optional', 'demo-files-motd-optional', 'demo-lean-profile', 'total']);
    expect(rows.find((row) => row[0] === 'demo-files-motd-optional')).toEqual(['demo-files-motd-optional', '1', '5', '3', '1 guarded', 'motd (on)', 'stock-safe']);
    expect(dom.match(/class="d2h-files-diff"/g)?.length).toBe(report.layers.flatMap((layer) => layer.files.flatMap((file) => file.hunks)).length);
    expect(dom).toContain('guarded: !agent');
    expect(dom).toContain('new package nothing stock builds');
    expect(dom).toMatch(/d2h-ins[^"]*"[^>]*>\s*<div class="d2h-code-side-line">\s*<span class="d2h-code-line-prefix">\+<\/span>\s*<span class="d2h-code-line-ctn">\s*if ! use agent; then/);

    const screenshot = join(OUTPUT, 'review.png');
    await chromium(url, `--screenshot=${screenshot}`, '--window-size=1400,2400', '--hide-scrollbars');
    const png = await readFile(screenshot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1400, 2400]);
    expect((await stat(screenshot)).size).toBeGreaterThan(50_000);
  });
});
