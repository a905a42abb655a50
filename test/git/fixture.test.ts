import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { locateUpstream, SCRIPTS_OVERLAY_PREFIX, SCRIPTS_PORTAGE_STABLE_PREFIX } from '../../src/upstream/locate.js';
import { materializeExample } from '../../src/upstream/example.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

describe('example upstream', () => {
  it('is the same commit wherever it is created', async () => {
    const one = await materializeExample(join(await makeTempDir(), 'a'), 'overlay');
    const two = await materializeExample(join(await makeTempDir(), 'b'), 'overlay');
    expect(one.commit).toBe(two.commit);
    expect(git(one.dir, 'status', '--porcelain')).toBe('');
  });

  it('refuses a directory that is not empty', async () => {
    const dir = await makeTempDir();
    await materializeExample(join(dir, 'x'), 'overlay');
    await expect(materializeExample(join(dir, 'x'), 'overlay')).rejects.toThrow(InputError);
  });

  it('holds a coreos-overlay-shaped overlay with revision symlinks, profiles and an env hook', async () => {
    const fixture = await createOverlayFixture({ layout: 'overlay' });
    const files = git(fixture.dir, 'ls-tree', '-r', 'HEAD').split('\n');
    const entry = (path: string) => files.find((line) => line.endsWith(`\t${path}`))?.split(' ')[0];
    expect(entry('coreos-base/demo-init/demo-init-0.0.1-r12.ebuild')).toBe('120000');
    expect(entry('coreos-base/demo-base/demo-base-0.0.1-r7.ebuild')).toBe('120000');
    expect(entry('app-misc/demo-files/demo-files-0-r3.ebuild')).toBe('100644');
    for (const path of [
      'metadata/layout.conf',
      'profiles/profiles.desc',
      'profiles/coreos/base/package.use.force',
      'profiles/coreos/base/package.use.mask',
      'profiles/coreos/amd64/generic/parent',
      'profiles/coreos/targets/generic/prod/make.defaults',
      'net-misc/demo-agent/files/demo-agent-1.4.2-config-path.patch',
      'coreos/config/env/net-misc/demo-agent',
    ]) {
      expect(entry(path), path).toBe('100644');
    }
    expect(git(fixture.dir, 'show', 'HEAD:metadata/layout.conf')).toMatch(/^masters = portage-stable$/m);
    expect(await readlink(join(fixture.dir, 'coreos-base/demo-init/demo-init-0.0.1-r12.ebuild'))).toBe('demo-init-9999.ebuild');
  });

  it('puts overlay, portage-stable and scripts files in place for the scripts layout', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const paths = git(fixture.dir, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n');
    expect(paths).toContain('build_packages');
    expect(paths).toContain(`${SCRIPTS_OVERLAY_PREFIX}/coreos-base/demo-init/demo-init-9999.ebuild`);
    expect(paths).toContain(`${SCRIPTS_PORTAGE_STABLE_PREFIX}/sys-libs/demo-lib/demo-lib-1.0.ebuild`);
    expect(git(fixture.dir, 'ls-tree', 'HEAD', 'build_packages').split(' ')[0]).toBe('100755');
  });
});

describe('overlay fixture', () => {
  it('commits additions, modifications, renames, deletions and symlinks', async () => {
    const fixture = await createOverlayFixture({
      layout: 'scripts',
      changes: [{ add: 'sys-apps/demo-extra/demo-extra-1.ebuild', data: 'EAPI=8\n' }],
    });
    expect(git(fixture.dir, 'log', '--format=%s', '-1')).toBe('Fixture changes');
    const next = await fixture.commit('More', [
      { modify: 'sys-apps/demo-extra/demo-extra-1.ebuild', data: 'EAPI=8\nIUSE="x"\n' },
      { rename: 'app-misc/demo-files/demo-files-0-r3.ebuild', to: 'app-misc/demo-files/demo-files-0-r5.ebuild' },
      { delete: 'coreos-base/demo-base/demo-base-0.0.1-r7.ebuild' },
      { symlink: 'coreos-base/demo-base/demo-base-0.0.1-r8.ebuild', target: 'demo-base-0.0.1.ebuild' },
      { add: 'sys-apps/demo-extra/files/run.sh', data: '#!/bin/sh\n', exec: true },
    ]);
    expect(git(fixture.dir, 'rev-parse', 'HEAD')).toBe(next);
    expect(git(fixture.dir, 'rev-parse', 'HEAD~1')).toBe(fixture.head);
    expect(git(fixture.dir, 'status', '--porcelain')).toBe('');
    const stat = git(fixture.dir, 'diff', '--name-status', '--no-renames', fixture.head, next, '--', SCRIPTS_OVERLAY_PREFIX).replaceAll(`${SCRIPTS_OVERLAY_PREFIX}/`, '');
    expect(stat.split('\n')).toEqual([
      'D\tapp-misc/demo-files/demo-files-0-r3.ebuild',
      'A\tapp-misc/demo-files/demo-files-0-r5.ebuild',
      'D\tcoreos-base/demo-base/demo-base-0.0.1-r7.ebuild',
      'A\tcoreos-base/demo-base/demo-base-0.0.1-r8.ebuild',
      'M\tsys-apps/demo-extra/demo-extra-1.ebuild',
      'A\tsys-apps/demo-extra/files/run.sh',
    ]);
    expect((await lstat(join(fixture.dir, SCRIPTS_OVERLAY_PREFIX, 'coreos-base/demo-base/demo-base-0.0.1-r8.ebuild'))).isSymbolicLink()).toBe(true);
    await expect(fixture.commit('Bad', [{ delete: 'no/such/file' }])).rejects.toThrow(/no file/);
  });

  it('commits the newer upstream: a renamed revision ebuild and a bumped revision symlink', async () => {
    const fixture = await createOverlayFixture({ layout: 'overlay' });
    const newer = await fixture.commitNewer();
    expect(git(fixture.dir, 'diff', '--name-status', '-M', fixture.head, newer).split('\n').map((line) => line.replace(/^R\d+/, 'R'))).toEqual([
      'R\tapp-misc/demo-files/demo-files-0-r3.ebuild\tapp-misc/demo-files/demo-files-0-r4.ebuild',
      'R\tcoreos-base/demo-init/demo-init-0.0.1-r12.ebuild\tcoreos-base/demo-init/demo-init-0.0.1-r13.ebuild',
    ]);
    expect(await readlink(join(fixture.dir, 'coreos-base/demo-init/demo-init-0.0.1-r13.ebuild'))).toBe('demo-init-9999.ebuild');
    expect(git(fixture.dir, 'status', '--porcelain')).toBe('');
  });

  it('is located in all three layouts', async () => {
    const scripts = await createOverlayFixture({ layout: 'scripts' });
    const overlay = await createOverlayFixture({ layout: 'overlay' });
    const bare = await scripts.bareClone();
    for (const [path, expected] of [
      [scripts.dir, { bare: false, scriptsRoot: true, portageStablePrefix: SCRIPTS_PORTAGE_STABLE_PREFIX }],
      [overlay.dir, { bare: false, scriptsRoot: false, portageStablePrefix: undefined }],
      [bare, { bare: true, scriptsRoot: true, portageStablePrefix: SCRIPTS_PORTAGE_STABLE_PREFIX }],
    ] as const) {
      const upstream = await locateUpstream(path, 'main');
      try {
        expect(upstream).toMatchObject({ ...expected, repoDir: path });
        const tree = await upstream.openTree('overlay');
        expect(await tree.read('coreos-base/demo-init/demo-init-0.0.1-r12.ebuild')).toEqual({ mode: '120000', data: Buffer.from('demo-init-9999.ebuild') });
        expect(await tree.list('coreos-base')).toHaveLength(5);
      } finally {
        await upstream.close();
      }
    }
  });
});
