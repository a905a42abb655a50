import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { formatReviewMarkdown } from '../../src/review/markdown.js';
import { reviewLayers, type ReviewReport } from '../../src/review/review.js';
import { STOCK_CHANGING_CODES } from '../../src/review/verdict-badges.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { makeTempDir, removeTempDirs, writeFiles } from '../helpers/git.js';
import { createLayerSetRepo, EXAMPLE_VALUES, patchOf } from './layer-set.js';

afterAll(removeTempDirs);

const FILES = 'app-misc/demo-files/demo-files-0-r3.ebuild';
const TOOLS = 'sys-apps/demo-tools/demo-tools-2.1.0.ebuild';
const INIT = 'coreos-base/demo-init/demo-init-9999.ebuild';

/** Four layers of known content: a new package, guarded edits, unguarded patches, profile lines. */
async function knownLayerSet(overlayDir: string) {
  return createLayerSetRepo({
    'values.yaml': EXAMPLE_VALUES,
    'patches/series': 'new-pkg\nmotd-guarded\ntools-unguarded\nbase-profile\n',
    'patches/new-pkg/layer.yaml': 'summary: add demo-new\ndescription: A new package.\n',
    'overlay/new-pkg/app-misc/demo-new/demo-new-1.ebuild': 'EAPI=8\nDESCRIPTION="new"\nSLOT="0"\n',
    'patches/motd-guarded/layer.yaml': [
      'summary: motd under a flag',
      'description: Install the motd only with USE=motd.',
      'flags:',
      '  - { name: motd, default: on, packages: [app-misc/demo-files] }',
      'edits:',
      `  - { file: ${FILES}, type: iuse-add, flag: motd, default: on }`,
      `  - file: ${FILES}`,
      '    type: phase-append',
      '    phase: src_install',
      '    flag: "!motd"',
      '    body: rm -f "${ED}"/usr/share/demo-files/motd || die',
      '',
    ].join('\n'),
    'patches/tools-unguarded/layer.yaml': 'summary: drop demo-shell\ndescription: Unconditional changes.\n',
    'patches/tools-unguarded/0001-tools.patch': await patchOf(overlayDir, TOOLS, (text) => text.replace('RDEPEND="app-shells/demo-shell"', 'RDEPEND=""')),
    'patches/tools-unguarded/0002-init.patch': await patchOf(overlayDir, INIT, (text) =>
      text.replace('\temake DESTDIR="${D}" install\n', '\temake DESTDIR="${D}" install\n    einfo "demo"\n'),
    ),
    'patches/base-profile/layer.yaml': [
      'summary: profile lines',
      'description: One line a stock profile reads, one it does not.',
      'edits:',
      '  - { file: profiles/coreos/base/package.use, type: line-add, line: "app-misc/demo-files containers" }',
      '  - { file: profiles/profiles.desc, type: line-add, line: "amd64   coreos/amd64/lean   dev" }',
      '',
    ].join('\n'),
  });
}

function layer(report: ReviewReport, name: string) {
  const found = report.layers.find((entry) => entry.name === name);
  if (!found) throw new Error(`no layer ${name}`);
  return found;
}

describe('review', () => {
  it('tags every hunk and counts files, lines, flags and stock safety per layer', async () => {
    const upstream = await createOverlayFixture({ layout: 'overlay' });
    const layers = await knownLayerSet(upstream.dir);
    const report = await reviewLayers({ upstream: upstream.dir, layersDir: layers.dir });

    const tags = (name: string) => layer(report, name).files.flatMap((file) => file.hunks.map((hunk) => [file.path, hunk.tag]));
    expect(tags('new-pkg')).toEqual([['app-misc/demo-new/demo-new-1.ebuild', { kind: 'new file' }]]);
    expect(tags('motd-guarded')).toEqual([
      [FILES, { kind: 'guarded', flags: ['motd'] }],
      [FILES, { kind: 'guarded', flags: ['!motd'] }],
    ]);
    expect(tags('tools-unguarded')).toEqual([
      [INIT, { kind: 'unguarded' }],
      [TOOLS, { kind: 'unguarded' }],
    ]);
    expect(tags('base-profile')).toEqual([
      ['profiles/coreos/base/package.use', { kind: 'profile', stockReads: true }],
      ['profiles/profiles.desc', { kind: 'profile', stockReads: false }],
    ]);

    const rows = Object.fromEntries(report.summary.rows.map(({ layer: name, files, added, removed, flags, hunks }) => [name, { files, added, removed, flags, hunks }]));
    const none = { 'new file': 0, guarded: 0, profile: 0, unguarded: 0 };
    expect(rows).toEqual({
      'new-pkg': { files: 1, added: 3, removed: 0, flags: [], hunks: { ...none, 'new file': 1 } },
      'motd-guarded': { files: 1, added: 4, removed: 1, flags: [{ name: 'motd', default: 'on' }], hunks: { ...none, guarded: 2 } },
      'tools-unguarded': { files: 2, added: 2, removed: 1, flags: [], hunks: { ...none, unguarded: 2 } },
      'base-profile': { files: 2, added: 2, removed: 0, flags: [], hunks: { ...none, profile: 2 } },
    });
    expect(report.summary.total).toMatchObject({ files: 6, added: 11, removed: 2, flags: [{ name: 'motd', default: 'on' }], hunks: { 'new file': 1, guarded: 2, profile: 2, unguarded: 2 } });

    // Stock safety follows the error findings of the stock-safety codes, layer by layer.
    const stockErrors = (name: string) =>
      [...report.layers.flatMap((entry) => [...entry.findings, ...entry.files.flatMap((file) => [...file.findings, ...file.hunks.flatMap((hunk) => hunk.findings)])])].filter(
        (entry) => entry.layer === name && entry.level === 'error' && STOCK_CHANGING_CODES.has(entry.code),
      );
    for (const row of report.summary.rows) expect(row.stockSafe).toBe(stockErrors(row.layer).length === 0);
    expect(report.summary.rows.find((row) => row.layer === 'motd-guarded')?.stockSafe).toBe(true);
    expect(Object.fromEntries(report.summary.rows.map((row) => [row.layer, row.stockSafe]))).toEqual({
      'new-pkg': true,
      'motd-guarded': true,
      'tools-unguarded': false,
      'base-profile': false,
    });
    expect(report.summary.total.stockSafe).toBe(false);

    // The space-indented line among tabs is found, and shown with the hunk that adds it.
    const initHunk = layer(report, 'tools-unguarded').files.find((file) => file.path === INIT)!.hunks[0]!;
    expect(initHunk.findings.map((entry) => entry.code)).toContain('IndentStyle');
    expect(initHunk.patch).toContain('+    einfo "demo"');

    const markdown = formatReviewMarkdown(report);
    expect(markdown.match(/<details>/g)).toHaveLength(4);
    expect(markdown).toContain('**guarded: !motd**');
    expect(markdown).toContain('| motd-guarded | 1 | 4 | 1 | 2 guarded | `motd` (on) |');
    expect(markdown).toMatch(/```diff\n@@ -\d+,\d+ \+\d+,\d+ @@[^\n]*\n[\s\S]*?\+    if ! use motd; then/);
  });

  it('keeps the Markdown within a GitHub comment, collapsing per layer and saying which diffs were cut', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const report = await reviewLayers({ upstream: upstream.dir, layersDir: resolve('examples/layers') });
    const full = formatReviewMarkdown(report);
    expect(full).not.toContain('left out');
    // Twelve copies of the example's four layers, each hunk padded to a large diff: far beyond the limit.
    const padding = Array.from({ length: 80 }, (_, index) => `+# generated line ${index} ${'x'.repeat(60)}`).join('\n');
    const layers = Array.from({ length: 12 }, (_, copy) =>
      report.layers.map((entry) => ({
        ...entry,
        name: `${entry.name}-${copy}`,
        files: entry.files.map((file) => ({ ...file, hunks: file.hunks.map((hunk) => ({ ...hunk, patch: `${hunk.patch}${padding}\n` })) })),
      })),
    ).flat();
    const rows = layers.map((entry, index) => ({ ...report.summary.rows[index % report.summary.rows.length]!, layer: entry.name }));
    const big = formatReviewMarkdown({ ...report, layers, summary: { ...report.summary, rows } });
    expect(big.length).toBeLessThanOrEqual(65_536);
    expect(big.match(/<details>/g)!.length).toBe(layers.length);
    expect(big).toMatch(/the diffs of \d+ layers are left out: .*demo-lean-profile-11\./);
    expect(big).toContain('<summary><b>demo-init-agent-optional-11</b>');
    expect(big).toContain('```diff');
    const small = formatReviewMarkdown(report, 3_000);
    expect(small.length).toBeLessThanOrEqual(3_000);
  });

  it('shows in a range-diff how layers moved, hiding a pure rebase but not a changed hunk', async () => {
    const upstream = await createOverlayFixture({ layout: 'scripts' });
    const overlay = join(upstream.dir, upstream.overlayPrefix);
    const toolsEdit = (text: string) => text.replace('RDEPEND="app-shells/demo-shell"', 'RDEPEND=""');
    const layers = await createLayerSetRepo({
      'values.yaml': EXAMPLE_VALUES,
      'patches/series': 'tools\nfiles\ngone\n',
      'patches/tools/layer.yaml': 'summary: tools\ndescription: Drop demo-shell.\n',
      'patches/tools/0001.patch': await patchOf(overlay, TOOLS, toolsEdit),
      'patches/files/layer.yaml': 'summary: files\ndescription: Change the motd path.\n',
      'patches/files/0001.patch': await patchOf(overlay, FILES, (text) => text.replace('insinto /usr/share/demo-files', 'insinto /usr/share/demo')),
      'patches/gone/layer.yaml': 'summary: gone\ndescription: Dropped later.\n',
      'overlay/gone/app-misc/gone/gone-1.ebuild': 'EAPI=8\n',
    });

    // Upstream moves every line of both ebuilds down; the layers are rebased onto it.
    const moved = (text: string) => text.replace('EAPI=8\n', 'EAPI=8\n\n# one\n# two\n# three\n# four\n');
    const rebaseFiles = [TOOLS, FILES].map((path) => ({ modify: path, data: '' }));
    for (const change of rebaseFiles) change.data = moved(await readFile(join(overlay, change.modify), 'utf8'));
    await upstream.commit('Move lines', rebaseFiles);
    await layers.commit('Rebase, change the files layer, drop gone, add extra', {
      'patches/series': 'tools\nfiles\nextra\n',
      'patches/tools/0001.patch': await patchOf(overlay, TOOLS, toolsEdit),
      'patches/files/0001.patch': await patchOf(overlay, FILES, (text) => text.replace('insinto /usr/share/demo-files', 'insinto /usr/share/motd')),
      'patches/extra/layer.yaml': 'summary: extra\ndescription: New.\n',
      'overlay/extra/app-misc/extra/extra-1.ebuild': 'EAPI=8\n',
    });
    await rm(join(layers.dir, 'patches/gone'), { recursive: true });
    await rm(join(layers.dir, 'overlay/gone'), { recursive: true });
    await layers.commit('Remove gone', {});

    const report = await reviewLayers({ upstream: upstream.dir, layersDir: layers.dir, since: layers.first });
    expect(report.since?.commit).toBe(layers.first);
    const statuses = Object.fromEntries(report.since!.layers.map((entry) => [entry.name, entry.status]));
    expect(statuses).toEqual({ tools: 'unchanged', files: 'changed', extra: 'added', gone: 'removed' });
    const files = report.since!.layers.find((entry) => entry.name === 'files')!;
    expect(files.files.map((file) => [file.path, file.status])).toEqual([[FILES, 'changed']]);
    expect(files.files[0]!.interdiff).toContain('-+    insinto /usr/share/demo\n');
    expect(files.files[0]!.interdiff).toContain('++    insinto /usr/share/motd\n');
    expect(files.files[0]!.interdiff).not.toMatch(/^[-+]@@ -\d/m);
    expect(report.since!.layers.find((entry) => entry.name === 'tools')!.files).toEqual([]);
  });

  it('refuses a revision the layer set repository does not have, and a layer set outside git', async () => {
    const upstream = await createOverlayFixture({ layout: 'overlay' });
    const layers = await createLayerSetRepo({ 'patches/series': '\n' });
    await expect(reviewLayers({ upstream: upstream.dir, layersDir: layers.dir, since: 'no-such-rev' })).rejects.toThrow(InputError);
    await expect(reviewLayers({ upstream: upstream.dir, layersDir: layers.dir, since: 'no-such-rev' })).rejects.toThrow(/unknown ref 'no-such-rev'/);
    const loose = await makeTempDir('nano-overlay-loose-');
    await writeFiles(loose, { 'patches/series': '\n' });
    await expect(reviewLayers({ upstream: upstream.dir, layersDir: loose, since: 'HEAD' })).rejects.toThrow(/is not in a git repository/);
  });
});
