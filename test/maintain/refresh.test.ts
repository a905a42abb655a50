import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { refreshLayers } from '../../src/maintain/refresh.js';
import { applyToUpstream } from '../../src/workflow/apply.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { git, removeTempDirs } from '../helpers/git.js';
import { exampleLayersAt, OVERLAY, snapshot } from './helpers.js';

afterAll(removeTempDirs);

const EBUILD = 'app-misc/demo-files/demo-files-0-r3.ebuild';
const METADATA = 'coreos-base/demo-lean/metadata.xml';
const TOOLS = 'sys-apps/demo-tools/demo-tools-2.1.0.ebuild';

async function appliedWorktree() {
  const fixture = await createOverlayFixture({ layout: 'scripts' });
  const layers = await exampleLayersAt(fixture.head);
  await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { worktree: true } });
  const at = (path: string) => join(fixture.dir, OVERLAY, path);
  return { fixture, layers, at };
}

/** Throws the work tree's changes away and applies the layer set again. */
async function reapply(dir: string, layers: string): Promise<void> {
  git(dir, 'checkout', '--', '.');
  git(dir, 'clean', '-fdq');
  const report = await applyToUpstream({ upstream: dir, layersDir: layers, destination: { worktree: true } });
  expect(report.ok).toBe(true);
}

describe('refresh', () => {
  it('writes work-tree edits back into the owning patch and overlay file, so applying again reproduces them', async () => {
    const { fixture, layers, at } = await appliedWorktree();
    const ebuild = (await readFile(at(EBUILD), 'utf8')).replace('        doins "${FILESDIR}"/motd\n', '        doins "${FILESDIR}"/motd\n        fperms 0444 /usr/share/demo-files/motd\n');
    await writeFile(at(EBUILD), ebuild);
    const metadata = (await readFile(at(METADATA), 'utf8')).replace('</pkgmetadata>', '\t<!-- lean image only -->\n</pkgmetadata>');
    await writeFile(at(METADATA), metadata);

    const report = await refreshLayers({ upstream: fixture.dir, layersDir: layers });
    expect(report.refreshed.map((file) => [file.layer, file.path, file.into])).toEqual([
      ['demo-lean-package', METADATA, `overlay/demo-lean-package/${METADATA}`],
      ['demo-files-motd-optional', EBUILD, 'patches/demo-files-motd-optional/0001-motd-optional.patch'],
    ]);
    expect(report.unowned).toEqual([]);
    const patch = await readFile(join(layers, 'patches/demo-files-motd-optional/0001-motd-optional.patch'), 'utf8');
    expect(patch).toContain('+        fperms 0444 /usr/share/demo-files/motd');
    expect(patch).toMatch(/^index [0-9a-f]{40}\.\.[0-9a-f]{40} 100644$/m);

    await reapply(fixture.dir, layers);
    expect(await readFile(at(EBUILD), 'utf8')).toBe(ebuild);
    expect(await readFile(at(METADATA), 'utf8')).toBe(metadata);
    const second = await refreshLayers({ upstream: fixture.dir, layersDir: layers });
    expect(second.refreshed).toEqual([]);
  });

  it('lists files no layer owns and adds them to the layer named by --layer', async () => {
    const { fixture, layers, at } = await appliedWorktree();
    const tools = `${await readFile(at(TOOLS), 'utf8')}# lean builds skip the man pages\n`;
    await writeFile(at(TOOLS), tools);
    const before = await snapshot(layers);

    const listed = await refreshLayers({ upstream: fixture.dir, layersDir: layers });
    expect(listed.unowned).toEqual([`${OVERLAY}/${TOOLS}`]);
    expect(await snapshot(layers)).toEqual(before);

    const claimed = await refreshLayers({ upstream: fixture.dir, layersDir: layers, claim: 'demo-init-agent-optional' });
    expect(claimed.refreshed).toEqual([{ layer: 'demo-init-agent-optional', path: TOOLS, into: 'patches/demo-init-agent-optional/demo-init-agent-optional.patch', claimed: true }]);
    await reapply(fixture.dir, layers);
    expect(await readFile(at(TOOLS), 'utf8')).toBe(tools);
  });

  it('refuses a file rendered from a template, naming the .hbs, and writes nothing', async () => {
    const { fixture, layers, at } = await appliedWorktree();
    const ebuild = 'coreos-base/demo-lean/demo-lean-0.0.1.ebuild';
    await writeFile(at(ebuild), `${await readFile(at(ebuild), 'utf8')}# changed\n`);
    const before = await snapshot(layers);
    await expect(refreshLayers({ upstream: fixture.dir, layersDir: layers })).rejects.toThrow(InputError);
    await expect(refreshLayers({ upstream: fixture.dir, layersDir: layers })).rejects.toThrow(/demo-lean-0\.0\.1\.ebuild\.hbs/);
    expect(await snapshot(layers)).toEqual(before);
  });

  it('keeps the structured edits: a word changed in a partial goes into the partial, a line outside the edits into a patch', async () => {
    const { fixture, layers, at } = await appliedWorktree();
    const init = 'coreos-base/demo-init/demo-init-9999.ebuild';
    const manifestBefore = await readFile(join(layers, 'patches/demo-init-agent-optional/layer.yaml'), 'utf8');
    const text = await readFile(at(init), 'utf8');
    expect(text).toContain('multi-user.target.wants/demo-agent.service || die');
    const edited = text.replace('multi-user.target.wants/demo-agent.service || die', 'multi-user.target.wants/demo-agent.service* || die');
    await writeFile(at(init), edited);
    const report = await refreshLayers({ upstream: fixture.dir, layersDir: layers });
    expect(report.refreshed).toEqual([expect.objectContaining({ layer: 'demo-init-agent-optional', path: init, into: 'templates/agent-cleanup.hbs' })]);
    expect(report.droppedEdits).toEqual([]);
    expect(await readFile(join(layers, 'templates/agent-cleanup.hbs'), 'utf8')).toContain('demo-agent.service* || die');
    const manifest = await readFile(join(layers, 'patches/demo-init-agent-optional/layer.yaml'), 'utf8');
    expect(manifest.replace(/^base: .*\n/m, '')).toBe(manifestBefore.replace(/^base: .*\n/m, ''));
    await reapply(fixture.dir, layers);
    expect(await readFile(at(init), 'utf8')).toBe(edited);

    const outside = edited.replace(/^DESCRIPTION=.*$/m, (line) => `${line}\n# lean builds keep this ebuild's comment`);
    await writeFile(at(init), outside);
    const second = await refreshLayers({ upstream: fixture.dir, layersDir: layers });
    expect(second.droppedEdits).toEqual([]);
    expect(second.refreshed).toEqual([expect.objectContaining({ path: init, into: 'patches/demo-init-agent-optional/demo-init-agent-optional.patch', note: expect.stringContaining('structured edits kept') })]);
    expect(await readFile(join(layers, 'patches/demo-init-agent-optional/layer.yaml'), 'utf8')).toContain('type: phase-append');
    await reapply(fixture.dir, layers);
    expect(await readFile(at(init), 'utf8')).toBe(outside);
  });
});
