import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { abortRebase, continueRebase, startRebase } from '../../src/maintain/rebase.js';
import { applyToUpstream } from '../../src/workflow/apply.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { git, removeTempDirs } from '../helpers/git.js';
import { exampleLayersAt, OVERLAY, snapshot } from './helpers.js';

afterAll(removeTempDirs);

const DEMO_FILES = 'app-misc/demo-files';
const MOTD_PATCH = 'patches/demo-files-motd-optional/0001-motd-optional.patch';

async function setup() {
  const fixture = await createOverlayFixture({ layout: 'scripts' });
  const layers = await exampleLayersAt(fixture.head);
  const ebuild = async (name: string) => (await readFile(join(fixture.dir, OVERLAY, DEMO_FILES, name), 'utf8'));
  return { fixture, layers, ebuild };
}

function fileOf(report: Awaited<ReturnType<typeof startRebase>>, layer: string, suffix: string) {
  return report.layers.find((item) => item.name === layer)?.files.find((file) => file.path.endsWith(suffix));
}

describe('rebase --onto', () => {
  it('rebases a templated patch: the template is merged when only template-free lines moved, a conflict otherwise', async () => {
    const { fixture, layers } = await setup();
    const template = `${MOTD_PATCH}.hbs`;
    const text = await readFile(join(layers, MOTD_PATCH), 'utf8');
    expect(text).toContain('+    if use motd; then\n');
    await writeFile(join(layers, template), text.replace('+    if use motd; then\n', '+    if use {{layer.flags.[0].name}}; then\n'));
    await rm(join(layers, MOTD_PATCH));
    const newer = await fixture.commitNewer();
    const report = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    expect(report.done).toBe(true);
    expect(report.layers.find((layer) => layer.name === 'demo-files-motd-optional')?.messages ?? []).toEqual([]);
    const moved = await readFile(join(layers, template), 'utf8');
    expect(moved).toContain('+    if use {{layer.flags.[0].name}}; then\n');
    expect(moved).toContain('diff --git a/app-misc/demo-files/demo-files-0-r4.ebuild b/app-misc/demo-files/demo-files-0-r4.ebuild\n');
    expect(await readFile(join(layers, 'patches/demo-files-motd-optional/layer.yaml'), 'utf8')).toContain(`base: ${newer}`);

    // A context line the template computes, which upstream then changes: only a human can tell what the template should say.
    const manifest = join(layers, 'patches/demo-files-motd-optional/layer.yaml');
    await writeFile(manifest, `${await readFile(manifest, 'utf8')}variables:\n  keywords: amd64 arm64\n`);
    await writeFile(join(layers, template), moved.replace(' KEYWORDS="amd64 arm64"\n', ' KEYWORDS="{{keywords}}"\n'));
    const ebuildPath = join(fixture.dir, OVERLAY, DEMO_FILES, 'demo-files-0-r4.ebuild');
    await fixture.commit('app-misc/demo-files: keyword riscv', [
      { modify: `${DEMO_FILES}/demo-files-0-r4.ebuild`, data: (await readFile(ebuildPath, 'utf8')).replace('KEYWORDS="amd64 arm64"', 'KEYWORDS="amd64 arm64 riscv"') },
    ]);
    const before = await snapshot(layers);
    const templateText = await readFile(join(layers, template), 'utf8');
    const stop = async () => {
      const conflicting = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
      expect(conflicting.done).toBe(false);
      expect(conflicting.stopped).toMatchObject({ layer: 'demo-files-motd-optional', files: [], templates: [template] });
      const messages = conflicting.layers.find((layer) => layer.name === 'demo-files-motd-optional')?.messages ?? [];
      expect(messages.join('\n')).toContain(`conflict: ${template} is a template`);
      // The work tree shows what the layer must make of the new upstream: riscv kept, the motd guarded.
      const shown = await readFile(join(conflicting.stopped!.worktree, OVERLAY, DEMO_FILES, 'demo-files-0-r4.ebuild'), 'utf8');
      expect(shown).toContain('KEYWORDS="amd64 arm64 riscv"');
      expect(shown).toContain('if use motd; then');
      return conflicting.stopped!.worktree;
    };
    await stop();
    expect((await abortRebase(layers)).restored).toBeGreaterThan(0);
    expect(await snapshot(layers)).toEqual(before);

    await stop();
    const failed = await continueRebase(layers).catch((error: Error) => error);
    expect(String(failed)).toMatch(/the edited layer does not apply at the new upstream: .*demo-files-0-r4\.ebuild/);
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('keywords: amd64 arm64', 'keywords: amd64 arm64 riscv'));
    // A template that applies but makes another change is refused too, and the rebase stays stopped.
    await writeFile(join(layers, template), templateText.replace('+    if use {{layer.flags.[0].name}}; then\n', '+    if use {{layer.flags.[0].name}} && true; then\n'));
    const other = await continueRebase(layers).catch((error: Error) => error);
    expect(String(other)).toMatch(/does not render to the change in the work tree yet: .*demo-files-0-r4\.ebuild differs/);
    await writeFile(join(layers, template), templateText);
    const resumed = await continueRebase(layers);
    expect(resumed.done).toBe(true);
    expect(await readFile(join(layers, template), 'utf8')).toBe(templateText);
    expect(await readFile(manifest, 'utf8')).toContain('keywords: amd64 arm64 riscv');
    await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { branch: 'lean' } });
    expect(git(fixture.dir, 'show', `lean:${OVERLAY}/${DEMO_FILES}/demo-files-0-r4.ebuild`)).toContain('KEYWORDS="amd64 arm64 riscv"');
  });

  it('moves the bundled example onto a newer upstream and back: only the base lines differ from where it started', async () => {
    const { fixture, layers } = await setup();
    const before = await snapshot(layers);
    const older = fixture.head;
    await fixture.commitNewer();
    expect((await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers })).done).toBe(true);
    const moved = await snapshot(layers);
    expect(Object.keys(moved).filter((path) => moved[path] !== before[path])).toContain(MOTD_PATCH);
    const back = await startRebase({ upstream: fixture.dir, onto: older, layersDir: layers });
    expect(back.done).toBe(true);
    expect(back.layers.map((layer) => [layer.name, layer.status])).toEqual([
      ['demo-lean-package', 'clean'],
      ['demo-init-agent-optional', 'followed'],
      ['demo-files-motd-optional', 'followed'],
      ['demo-lean-profile', 'clean'],
    ]);
    expect(await snapshot(layers)).toEqual(before);
  });

  it('follows a revision bump and rewrites the patch and base against the new upstream', async () => {
    const { fixture, layers } = await setup();
    const newer = await fixture.commitNewer();
    const report = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });

    expect(report.done).toBe(true);
    expect(report.onto.commit).toBe(newer);
    expect(fileOf(report, 'demo-files-motd-optional', 'demo-files-0-r3.ebuild')).toMatchObject({
      resolvedPath: `${DEMO_FILES}/demo-files-0-r4.ebuild`,
      status: 'followed',
    });
    expect(report.layers.find((layer) => layer.name === 'demo-init-agent-optional')?.status).toBe('followed');
    const patch = await readFile(join(layers, MOTD_PATCH), 'utf8');
    expect(patch).toMatch(/^diff --git a\/app-misc\/demo-files\/demo-files-0-r4\.ebuild b\/app-misc\/demo-files\/demo-files-0-r4\.ebuild\nindex [0-9a-f]{40}\.\.[0-9a-f]{40} 100644\n/);
    const manifest = await readFile(join(layers, 'patches/demo-init-agent-optional/layer.yaml'), 'utf8');
    expect(manifest).toContain(`base: ${newer}`);
    expect(manifest).toContain('file: coreos-base/demo-init/demo-init-0.0.1-r13.ebuild');
    expect(manifest).toContain('packages: [coreos-base/demo-init]');

    const applied = await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { branch: 'lean' } });
    expect(applied.layers.flatMap((layer) => layer.files).every((file) => file.status === 'applied')).toBe(true);
    expect(git(fixture.dir, 'show', `lean:${OVERLAY}/${DEMO_FILES}/demo-files-0-r4.ebuild`)).toContain('IUSE="containers +motd"');
  });

  it('merges three-way when upstream changed lines next to a layer hunk', async () => {
    const { fixture, layers, ebuild } = await setup();
    await fixture.commitNewer();
    const body = (await ebuild('demo-files-0-r4.ebuild')).replace('LICENSE="Apache-2.0"', 'LICENSE="MIT"');
    await fixture.commit('Relicense demo-files', [{ modify: `${DEMO_FILES}/demo-files-0-r4.ebuild`, data: body }]);
    const report = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });

    expect(report.done).toBe(true);
    expect(fileOf(report, 'demo-files-motd-optional', 'demo-files-0-r3.ebuild')?.status).toBe('merged');
    const applied = await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { branch: 'lean' } });
    expect(applied.ok).toBe(true);
    const result = git(fixture.dir, 'show', `lean:${OVERLAY}/${DEMO_FILES}/demo-files-0-r4.ebuild`);
    expect(result).toContain('LICENSE="MIT"');
    expect(result).toContain('IUSE="containers +motd"');
    expect(result).toContain('    if use motd; then\n        insinto /usr/share/demo-files');
  });

  it('stops at a true conflict with markers in a separate work tree; --abort restores the layer set byte for byte', async () => {
    const { fixture, layers, ebuild } = await setup();
    const body = (await ebuild('demo-files-0-r3.ebuild')).replace('    doins "${FILESDIR}"/motd\n', '    newins "${FILESDIR}"/motd motd.txt\n');
    await fixture.commit('Rename the installed motd', [{ modify: `${DEMO_FILES}/demo-files-0-r3.ebuild`, data: body }]);
    const before = await snapshot(layers);
    const checkout = git(fixture.dir, 'status', '--porcelain');

    const report = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    expect(report.done).toBe(false);
    expect(report.stopped?.layer).toBe('demo-files-motd-optional');
    expect(report.stopped?.files).toEqual([`${OVERLAY}/${DEMO_FILES}/demo-files-0-r3.ebuild`]);
    const worktree = report.stopped!.worktree;
    const conflicted = await readFile(join(worktree, OVERLAY, DEMO_FILES, 'demo-files-0-r3.ebuild'), 'utf8');
    expect(conflicted).toMatch(/^<<<<<<< ours$/m);
    const markers = git(worktree, 'grep', '-l', '-e', '^<<<<<<< ', '--', '.').split('\n');
    expect(markers).toEqual([`${OVERLAY}/${DEMO_FILES}/demo-files-0-r3.ebuild`]);
    expect(git(fixture.dir, 'status', '--porcelain')).toBe(checkout);
    await expect(startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers })).rejects.toThrow(InputError);
    await expect(continueRebase(layers)).rejects.toThrow(/conflict markers are still there/);

    await abortRebase(layers);
    expect(await snapshot(layers)).toEqual(before);
    expect(git(fixture.dir, 'worktree', 'list', '--porcelain')).not.toContain(worktree);
  });

  it('--continue records the resolution in the layer and finishes', async () => {
    const { fixture, layers, ebuild } = await setup();
    const body = (await ebuild('demo-files-0-r3.ebuild')).replace('    doins "${FILESDIR}"/motd\n', '    newins "${FILESDIR}"/motd motd.txt\n');
    await fixture.commit('Rename the installed motd', [{ modify: `${DEMO_FILES}/demo-files-0-r3.ebuild`, data: body }]);
    const stopped = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    const file = join(stopped.stopped!.worktree, OVERLAY, DEMO_FILES, 'demo-files-0-r3.ebuild');
    const resolved = body
      .replace('IUSE="containers"', 'IUSE="containers +motd"')
      .replace('    insinto /usr/share/demo-files\n    newins "${FILESDIR}"/motd motd.txt\n', '    if use motd; then\n        insinto /usr/share/demo-files\n        newins "${FILESDIR}"/motd motd.txt\n    fi\n');
    await writeFile(file, resolved);

    const report = await continueRebase(layers);
    expect(report.done).toBe(true);
    expect(report.layers.find((layer) => layer.name === 'demo-files-motd-optional')).toMatchObject({ status: 'merged', resolved: true });
    expect(git(fixture.dir, 'worktree', 'list', '--porcelain')).not.toContain(stopped.stopped!.worktree);
    const patch = await readFile(join(layers, MOTD_PATCH), 'utf8');
    expect(patch).toContain('+        newins "${FILESDIR}"/motd motd.txt');
    await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { branch: 'lean' } });
    expect(git(fixture.dir, 'show', `lean:${OVERLAY}/${DEMO_FILES}/demo-files-0-r3.ebuild`) + '\n').toBe(resolved);
  });

  it('reports a layer upstream already contains as upstreamed and drops it on request', async () => {
    const { fixture, layers } = await setup();
    await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { branch: 'lean' } });
    const motd = git(fixture.dir, 'show', `lean:${OVERLAY}/${DEMO_FILES}/demo-files-0-r3.ebuild`) + '\n';
    const metadata = git(fixture.dir, 'show', `lean:${OVERLAY}/${DEMO_FILES}/metadata.xml`) + '\n';
    await fixture.commit('Make the motd optional', [
      { modify: `${DEMO_FILES}/demo-files-0-r3.ebuild`, data: motd },
      { add: `${DEMO_FILES}/metadata.xml`, data: metadata },
    ]);
    const before = await snapshot(layers);

    const kept = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    expect(kept.layers.find((layer) => layer.name === 'demo-files-motd-optional')?.status).toBe('upstreamed');
    expect((await snapshot(layers))[MOTD_PATCH]).toBe(before[MOTD_PATCH]);

    const dropped = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers, dropUpstreamed: true });
    expect(dropped.dropped).toEqual(['demo-files-motd-optional']);
    expect(await readFile(join(layers, 'patches/series'), 'utf8')).not.toContain('demo-files-motd-optional');
    expect(Object.keys(await snapshot(layers)).some((path) => path.includes('demo-files-motd-optional'))).toBe(false);
  });
});
