import { describe, expect, it } from 'vitest';
import { describeFollow, resolvePackageTarget, resolveTarget } from '../../src/layers/targets.js';
import { memoryTree } from '../../src/tree/memory.js';

const tree = memoryTree({
  'coreos-base/demo-init/demo-init-9999.ebuild': 'body',
  'coreos-base/demo-init/demo-init-0.0.1-r13.ebuild': { link: 'demo-init-9999.ebuild' },
  'app-misc/demo-files/demo-files-0-r4.ebuild': 'files r4',
  'app-misc/demo-files/metadata.xml': '<pkgmetadata/>',
  'dev-libs/lib/lib-1.2.ebuild': 'old',
  'dev-libs/lib/lib-1.10.ebuild': 'new',
  'dev-libs/lib/lib-1.10_rc1.ebuild': 'rc',
  'profiles/base/package.use': 'x',
});

describe('resolveTarget', () => {
  it('takes an existing file as it is', async () => {
    expect(await resolveTarget(tree, 'profiles/base/package.use')).toEqual({ path: 'profiles/base/package.use', follows: [] });
  });

  it('resolves a revision symlink to the body it points to', async () => {
    const target = await resolveTarget(tree, 'coreos-base/demo-init/demo-init-0.0.1-r13.ebuild');
    expect(target?.path).toBe('coreos-base/demo-init/demo-init-9999.ebuild');
    expect(target?.follows.map(describeFollow)).toEqual([
      'coreos-base/demo-init/demo-init-0.0.1-r13.ebuild → coreos-base/demo-init/demo-init-9999.ebuild (symlink)',
    ]);
  });

  it('follows a bumped revision symlink, then the link', async () => {
    const target = await resolveTarget(tree, 'coreos-base/demo-init/demo-init-0.0.1-r12.ebuild');
    expect(target?.path).toBe('coreos-base/demo-init/demo-init-9999.ebuild');
    expect(target?.follows.map((follow) => follow.reason)).toEqual(['revision-bump', 'symlink']);
  });

  it('follows a renamed revision ebuild', async () => {
    const target = await resolveTarget(tree, 'app-misc/demo-files/demo-files-0-r3.ebuild');
    expect(target).toEqual({
      path: 'app-misc/demo-files/demo-files-0-r4.ebuild',
      follows: [{ from: 'app-misc/demo-files/demo-files-0-r3.ebuild', to: 'app-misc/demo-files/demo-files-0-r4.ebuild', reason: 'revision-bump' }],
    });
  });

  it('follows a version bump to the highest version by PMS order', async () => {
    const target = await resolveTarget(tree, 'dev-libs/lib/lib-1.3.ebuild');
    expect(target?.path).toBe('dev-libs/lib/lib-1.10.ebuild');
    expect(target?.follows[0]?.reason).toBe('version-bump');
  });

  it('says so when the matching ebuild is older than the one named', async () => {
    expect((await resolveTarget(tree, 'app-misc/demo-files/demo-files-0-r9.ebuild'))?.follows[0]?.reason).toBe('older-revision');
    expect((await resolveTarget(tree, 'dev-libs/lib/lib-2.0.ebuild'))?.follows[0]?.reason).toBe('older-version');
  });

  it('gives up on a missing non-ebuild or a missing package', async () => {
    expect(await resolveTarget(tree, 'profiles/base/package.mask')).toBeUndefined();
    expect(await resolveTarget(tree, 'net-misc/gone/gone-1.ebuild')).toBeUndefined();
  });
});

describe('resolvePackageTarget', () => {
  it('picks the body most ebuild names point to', async () => {
    expect((await resolvePackageTarget(tree, 'coreos-base/demo-init'))?.path).toBe('coreos-base/demo-init/demo-init-9999.ebuild');
  });

  it('picks the highest version among plain ebuilds', async () => {
    expect((await resolvePackageTarget(tree, 'dev-libs/lib'))?.path).toBe('dev-libs/lib/lib-1.10.ebuild');
    expect(await resolvePackageTarget(tree, 'dev-libs/none')).toBeUndefined();
  });
});
