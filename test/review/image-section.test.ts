import { cp, readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium, HAS_CHROMIUM, measuredFrom } from '../helpers/chromium.js';
import { git, makeTempDir } from '../helpers/git.js';
import { PORTAGE_PYTHON, usePortageExample } from '../helpers/portage.js';
import { reviewLayers } from '../../src/review/review.js';
import { formatReviewMarkdown } from '../../src/review/markdown.js';
import { formatReviewHtml } from '../../src/review/html.js';

describe.skipIf(!PORTAGE_PYTHON)("review's Image section on the bundled example", () => {
  const example = usePortageExample();
  let upstream: string;
  let layers: string;
  let first: string;

  beforeAll(async () => {
    upstream = example();
    layers = await makeTempDir('nano-overlay-layers-');
    await cp(resolve('examples/layers'), layers, { recursive: true, verbatimSymlinks: true });
    git(layers, 'init', '-q', '-b', 'main');
    git(layers, 'add', '-A');
    git(layers, 'commit', '-q', '-m', 'the example layer set');
    first = git(layers, 'rev-parse', 'HEAD');
    // The change under review keeps the management agent in the lean image.
    const values = join(layers, 'values.yaml');
    const text = (await readFile(values, 'utf8'))
      .replace('    - sys-libs/demo-lib\n', '    - sys-libs/demo-lib\n    - net-misc/demo-agent\n')
      .replace(/  - atom: net-misc\/demo-agent\n    reason: .*\n/, '');
    await writeFile(values, text);
    git(layers, 'commit', '-q', '-am', 'keep the agent');
  }, 120_000);

  it('counts the Nano and stock images and names what the change adds, with why-chains', async () => {
    const report = await reviewLayers({ upstream, layersDir: layers, since: first, image: {} });
    expect(report.image?.nano).toEqual([{ package: 'coreos-base/demo-lean', profile: 'coreos/amd64/lean/prod', count: 9 }]);
    expect(report.image?.stock).toEqual([{ package: 'coreos-base/demo-base', profile: 'coreos/amd64/generic/prod', count: 9 }]);
    expect(report.image?.since?.commit).toBe(first);
    expect(report.image?.since?.profiles).toEqual([
      {
        profile: 'coreos/amd64/lean/prod',
        added: [{ cpv: 'net-misc/demo-agent-1.4.2', chains: ['coreos-base/demo-lean-0.0.1-r1 → net-misc/demo-agent-1.4.2 (RDEPEND)'] }],
        removed: [],
      },
    ]);
    const markdown = formatReviewMarkdown(report);
    expect(markdown).toContain('### Image');
    expect(markdown).toContain('- coreos/amd64/lean/prod: adds `net-misc/demo-agent-1.4.2`\n  - coreos-base/demo-lean-0.0.1-r1 → net-misc/demo-agent-1.4.2 (RDEPEND)');
    expect(formatReviewHtml(report)).toContain('<section id="image"><h2>Image</h2>');
  }, 300_000);

  it.skipIf(!HAS_CHROMIUM)('shows the Image section in Chromium: listed in the contents, counts and why-chains visible', async () => {
    const report = await reviewLayers({ upstream, layersDir: layers, since: first, image: {} });
    const page = join(await makeTempDir('nano-overlay-image-page-'), 'review.html');
    await writeFile(page, formatReviewHtml(report).replace('</body>', `<script>${MEASURE_IMAGE}</script></body>`));
    const found = measuredFrom(await chromium(pathToFileURL(page).href, '--dump-dom', '--window-size=1280,2000', '--virtual-time-budget=5000'));
    expect(found.listed).toBe(true);
    expect(found.visible).toBe(true);
    expect(found.items).toContain('coreos/amd64/lean/prod: adds net-misc/demo-agent-1.4.2coreos-base/demo-lean-0.0.1-r1 → net-misc/demo-agent-1.4.2 (RDEPEND)');
    expect((found.items as string[]).some((item) => /coreos-base\/demo-lean under coreos\/amd64\/lean\/prod: 9 packages/.test(item))).toBe(true);
  }, 300_000);

  it('leaves the section out unless asked for', async () => {
    expect((await reviewLayers({ upstream, layersDir: layers })).image).toBeUndefined();
  }, 120_000);
});

/** Runs in the page: whether a reader finds the Image section and what its list items say. */
const MEASURE_IMAGE = `
const section = document.getElementById('image');
const out = {
  listed: [...document.querySelectorAll('a[href="#image"]')].length > 0,
  visible: section !== null && section.checkVisibility() && section.getBoundingClientRect().height > 0,
  items: section ? [...section.querySelectorAll('li')].filter((item) => item.checkVisibility()).map((item) => item.textContent) : [],
};
const pre = document.createElement('pre');
pre.id = 'measured';
pre.textContent = JSON.stringify(out);
document.body.append(pre);
`;
