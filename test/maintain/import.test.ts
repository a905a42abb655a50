import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { importBranch } from '../../src/maintain/import.js';
import { applyToUpstream } from '../../src/workflow/apply.js';
import { createOverlayFixture, type OverlayFixture } from '../helpers/fixture-overlay.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/git.js';
import { OVERLAY, snapshot } from './helpers.js';

afterAll(removeTempDirs);

const INIT = 'coreos-base/demo-init/demo-init-9999.ebuild';
const FILES = 'app-misc/demo-files/demo-files-0-r3.ebuild';

/** A fixture with branch `nano`: edits that structured edits explain, text edits, new files and a symlink, a deletion, a mode change and scripts changes. */
async function nanoBranch(): Promise<OverlayFixture> {
  const fixture = await createOverlayFixture({ layout: 'scripts' });
  const read = async (path: string) => readFile(join(fixture.dir, OVERLAY, path), 'utf8');
  git(fixture.dir, 'checkout', '-q', '-b', 'nano');
  await fixture.commit('nano: make the agent optional\n\nThe nano image has no management agent.', [
    { modify: INIT, data: (await read(INIT)).replace('IUSE="+symlink-usr selinux test"', 'IUSE="+symlink-usr selinux test +agent"').replace('\tnet-misc/demo-agent\n', '\tagent? ( net-misc/demo-agent )\n') },
    { modify: FILES, data: (await read(FILES)).replace('IUSE="containers"', 'IUSE="containers +motd"').replace('    doins "${FILESDIR}"/motd\n', '    use motd && doins "${FILESDIR}"/motd\n') },
    { delete: 'net-misc/demo-agent/files/demo-agent-1.4-no-telemetry.patch' },
  ]);
  await fixture.commit('nano: add the base package and profile', [
    { add: 'coreos-base/demo-lean/demo-lean-0.0.1.ebuild', data: 'EAPI=8\nDESCRIPTION="lean"\nSLOT="0"\n' },
    { symlink: 'coreos-base/demo-lean/demo-lean-0.0.1-r1.ebuild', target: 'demo-lean-0.0.1.ebuild' },
    { modify: 'profiles/profiles.desc', data: `${await read('profiles/profiles.desc')}amd64   coreos/amd64/lean           dev\n` },
    { modify: 'profiles/coreos/base/package.use', data: `${await read('profiles/coreos/base/package.use')}# nano\n` },
  ]);
  await writeFile(join(fixture.dir, 'build_packages'), `${await readFile(join(fixture.dir, 'build_packages'), 'utf8')}# nano board\n`);
  await mkdir(join(fixture.dir, 'nano'));
  await writeFile(join(fixture.dir, 'nano/README.md'), '# Nano\n');
  await chmod(join(fixture.dir, OVERLAY, 'app-misc/demo-files/files/motd'), 0o755);
  git(fixture.dir, 'add', '-A');
  git(fixture.dir, 'commit', '-q', '-m', 'nano: build script and notes');
  git(fixture.dir, 'checkout', '-q', 'main');
  return fixture;
}

describe('import', () => {
  it('turns a branch into layers that apply at the base to the branch tree byte for byte', async () => {
    const fixture = await nanoBranch();
    const into = await makeTempDir('nano-overlay-import-');
    const report = await importBranch({ upstream: fixture.dir, from: 'nano', into });

    expect(report.base).toBe(fixture.head);
    // A package per layer, except where one commit changed several packages as one concern.
    expect(report.layers.map((layer) => [layer.name, layer.root])).toEqual([
      ['app-misc-demo-files', 'overlay'],
      ['nano-make-the-agent-optional', 'overlay'],
      ['nano-add-the-base-package-and-profile', 'overlay'],
      ['scripts', 'scripts'],
    ]);
    expect(report.layers.find((layer) => layer.name === 'nano-make-the-agent-optional')).toMatchObject({ edited: [INIT], patched: ['net-misc/demo-agent/files/demo-agent-1.4-no-telemetry.patch'] });
    expect(report.layers.find((layer) => layer.name === 'nano-add-the-base-package-and-profile')).toMatchObject({ edited: ['profiles/coreos/base/package.use', 'profiles/profiles.desc'] });
    expect(report.layers.find((layer) => layer.name === 'app-misc-demo-files')?.patched).toEqual(['app-misc/demo-files/demo-files-0-r3.ebuild', 'app-misc/demo-files/files/motd']);
    expect(report.notes.join('\n')).toContain('root: scripts');
    const init = await readFile(join(into, 'patches/nano-make-the-agent-optional/layer.yaml'), 'utf8');
    expect(init).toContain('summary: "nano: make the agent optional"');
    expect(init).toMatch(/flags:\n\s+- name: agent\n\s+default: on\n\s+packages:\n\s+- coreos-base\/demo-init/);
    expect(init).toContain('The nano image has no management agent.');
    expect(init).toContain(`base: ${fixture.head}`);
    expect(init).toMatch(/type: iuse-add\n\s+flag: agent\n\s+default: on/);
    expect(init).toMatch(/type: dep-conditional\n\s+atom: net-misc\/demo-agent\n\s+flag: agent/);
    const patch = await readFile(join(into, 'patches/app-misc-demo-files/app-misc-demo-files.patch'), 'utf8');
    expect(patch).toMatch(/^index [0-9a-f]{40}\.\.[0-9a-f]{40} 100644$/m);
    expect(await readFile(join(into, 'patches/scripts/layer.yaml'), 'utf8')).toContain('root: scripts');

    const applied = await applyToUpstream({ upstream: fixture.dir, ref: report.base, layersDir: into, destination: { branch: 'round-trip' } });
    expect(applied.ok).toBe(true);
    expect(git(fixture.dir, 'rev-parse', `round-trip:${OVERLAY}`)).toBe(git(fixture.dir, 'rev-parse', `nano:${OVERLAY}`));
    expect(git(fixture.dir, 'rev-parse', 'round-trip^{tree}')).toBe(git(fixture.dir, 'rev-parse', 'nano^{tree}'));
  });

  it('limits the import to pathspecs and refuses to overwrite a layer set without --force', async () => {
    const fixture = await nanoBranch();
    const into = await makeTempDir('nano-overlay-import-');
    const report = await importBranch({ upstream: fixture.dir, from: 'nano', into, pathspecs: [`${OVERLAY}/profiles`] });
    expect(report.layers.map((layer) => layer.name)).toEqual(['nano-add-the-base-package-and-profile']);
    await expect(importBranch({ upstream: fixture.dir, from: 'nano', into })).rejects.toThrow(InputError);
    const again = await importBranch({ upstream: fixture.dir, from: 'nano', into, force: true, group: 'commit' });
    expect(again.layers.map((layer) => layer.name)).toEqual(['01-nano-make-the-agent-optional', '02-nano-add-the-base-package-and-profile', '03-nano-build-script-and-notes', 'scripts']);
    const applied = await applyToUpstream({ upstream: fixture.dir, ref: again.base, layersDir: into, destination: { branch: 'by-commit' } });
    expect(git(fixture.dir, 'rev-parse', 'by-commit^{tree}')).toBe(git(fixture.dir, 'rev-parse', 'nano^{tree}'));
    expect(applied.ok).toBe(true);
  });

  it('replaces a layer set with --force all or nothing: a failing write keeps the old one whole', async () => {
    const fixture = await nanoBranch();
    const into = await makeTempDir('nano-overlay-import-');
    await importBranch({ upstream: fixture.dir, from: 'nano', into });
    // A directory where the import writes values.yaml: the new layer set cannot be written.
    await rm(join(into, 'values.yaml'));
    await mkdir(join(into, 'values.yaml'));
    await writeFile(join(into, 'values.yaml', 'keep'), 'kept\n');
    const before = await snapshot(into);
    await expect(importBranch({ upstream: fixture.dir, from: 'nano', into, force: true, group: 'commit' })).rejects.toThrow(InputError);
    expect(await snapshot(into)).toEqual(before);
  });

  it('speaks git: a branch only a remote has, summaries past a WIP commit, flags from the IUSE the branch added', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const read = async (path: string) => readFile(join(fixture.dir, OVERLAY, path), 'utf8');
    git(fixture.dir, 'checkout', '-q', '-b', 'team/nano');
    await fixture.commit('WIP commit (will change / force-pushed): nano', [
      { modify: INIT, data: (await read(INIT)).replace('IUSE="+symlink-usr selinux test"', 'IUSE="+symlink-usr selinux test agent"').replace('\tnet-misc/demo-agent\n', '\tagent? ( net-misc/demo-agent )\n') },
      { modify: FILES, data: (await read(FILES)).replace('IUSE="containers"', 'IUSE="containers motd"') },
    ]);
    await fixture.commit('app-misc/demo-files: install the motd only with USE=motd', [
      { modify: FILES, data: (await read(FILES)).replace('    doins "${FILESDIR}"/motd\n', '    use motd && doins "${FILESDIR}"/motd\n') },
    ]);
    git(fixture.dir, 'checkout', '-q', 'main');
    const clone = join(await makeTempDir('nano-overlay-clone-'), 'scripts');
    git(fixture.dir, 'clone', '-q', '--no-checkout', fixture.dir, clone);
    expect(() => git(clone, 'rev-parse', '--verify', '--quiet', 'team/nano')).toThrow();

    const into = await makeTempDir('nano-overlay-import-');
    const report = await importBranch({ upstream: clone, from: 'team/nano', into });
    expect(report.from.commit).toBe(git(fixture.dir, 'rev-parse', 'team/nano'));
    const init = await readFile(join(into, 'patches/coreos-base-demo-init/layer.yaml'), 'utf8');
    expect(init).toContain('summary: "coreos-base/demo-init: add USE flag agent"');
    expect(init).not.toContain('summary: "coreos-base/demo-init: WIP');
    expect(init).toMatch(/flags:\n\s+- name: agent\n\s+default: off\n/);
    const files = await readFile(join(into, 'patches/app-misc-demo-files/layer.yaml'), 'utf8');
    expect(files).toContain('summary: "app-misc/demo-files: install the motd only with USE=motd"');
    expect(files).toMatch(/flags:\n\s+- name: motd\n\s+default: off\n/);
    expect(await readFile(join(into, 'values.yaml'), 'utf8')).toContain('stock:');
    await expect(importBranch({ upstream: clone, from: 'no/such-branch', into, force: true })).rejects.toThrow("unknown ref 'no/such-branch'");
  });
});
