import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PORTAGE_PYTHON, usePortageExample } from '../helpers/portage.js';
import { imageReport, whyReport } from '../../src/workflow/image.js';
import { formatChain } from '../../src/report/image.js';
import { findPortage } from '../../src/portage/bridge.js';

const LAYERS = resolve('examples/layers');

/** `name-version` of every package of an image, sorted. */
function names(packages: readonly { cp: string; version: string }[]): string[] {
  return packages.map((pkg) => `${pkg.cp}-${pkg.version}`).sort();
}

describe.skipIf(!PORTAGE_PYTHON)('the Portage bridge on the bundled example', () => {
  const example = usePortageExample();
  let upstream: string;
  beforeAll(() => {
    upstream = example();
  });

  it('resolves the lean image from binary packages: keywords, masks, slots, || ( ), eclass and virtual dependencies', async () => {
    const { image } = await imageReport({ upstream, layersDir: LAYERS });
    expect(image.package).toBe('coreos-base/demo-lean');
    expect(image.profile).toBe('coreos/amd64/lean/prod');
    expect(image.board).toMatchObject({ board: 'amd64-usr', arch: 'amd64', chost: 'x86_64-cros-linux-gnu' });
    expect(names(image.packages)).toEqual([
      'app-misc/demo-files-0-r3',
      'app-shells/demo-shell-5.2_p15',
      'coreos-base/demo-init-0.0.1-r12',
      'coreos-base/demo-lean-0.0.1-r1',
      // pulled in by systemd.eclass; 256 is only ~amd64
      'sys-apps/demo-systemd-255',
      'sys-apps/demo-tools-2.1.0',
      // 2.0 is masked by coreos/base's package.mask
      'sys-libs/demo-lib-1.0',
      'virtual/demo-sh-0',
    ]);
    const byName = new Map(image.packages.map((pkg) => [pkg.cp, pkg]));
    expect(byName.get('app-misc/demo-files')?.use).toEqual([]);
    expect(byName.get('coreos-base/demo-init')?.use).toEqual(['selinux', 'symlink-usr']);
    expect(byName.get('sys-libs/demo-lib')).toMatchObject({ slot: '0', subslot: '1', repo: 'portage-stable', use: ['readline', 'selinux'] });
    expect(image.unreadable).toEqual([]);
  }, 180_000);

  it('puts stock beside it: only in stock, only in the lean image, USE differences', async () => {
    const { stock, delta } = await imageReport({ upstream, layersDir: LAYERS, vsStock: true });
    expect(stock?.package).toBe('coreos-base/demo-base');
    expect(names(delta!.onlyLeft)).toEqual(['coreos-base/demo-base-0.0.1-r7', 'net-misc/demo-agent-1.4.2']);
    expect(names(delta!.onlyRight)).toEqual(['coreos-base/demo-lean-0.0.1-r1']);
    expect(delta!.changed.map(({ left, right }) => [left.cp, left.use, right.use])).toEqual([
      ['app-misc/demo-files', ['motd'], []],
      ['coreos-base/demo-init', ['agent', 'selinux', 'symlink-usr'], ['selinux', 'symlink-usr']],
    ]);
  }, 180_000);

  it('names the chains that bring a package in, with the class and the USE condition of each edge', async () => {
    const shell = await whyReport({ upstream, layersDir: LAYERS, atom: 'app-shells/demo-shell' });
    expect(shell.chains.map(formatChain)).toEqual([
      'coreos-base/demo-lean-0.0.1-r1 → coreos-base/demo-init-0.0.1-r12 (RDEPEND) → app-shells/demo-shell-5.2_p15 (RDEPEND)',
      'coreos-base/demo-lean-0.0.1-r1 → sys-apps/demo-tools-2.1.0 (RDEPEND) → app-shells/demo-shell-5.2_p15 (RDEPEND)',
      'coreos-base/demo-lean-0.0.1-r1 → coreos-base/demo-init-0.0.1-r12 (RDEPEND) → sys-apps/demo-systemd-255 (RDEPEND) → virtual/demo-sh-0 (RDEPEND) → app-shells/demo-shell-5.2_p15 (RDEPEND, || choice)',
    ]);
    const lib = await whyReport({ upstream, layersDir: LAYERS, atom: 'sys-libs/demo-lib', profile: 'coreos/amd64/generic/prod', package: 'coreos-base/demo-base' });
    expect(lib.chains.map(formatChain).filter((chain) => chain.endsWith('→ sys-apps/demo-systemd-255 (RDEPEND) → sys-libs/demo-lib-1.0 (RDEPEND, cryptsetup?)'))).toHaveLength(1);
    expect(lib.chains.map(formatChain)).toContain('coreos-base/demo-base-0.0.1-r7 → coreos-base/demo-init-0.0.1-r12 (RDEPEND) → sys-libs/demo-lib-1.0 (RDEPEND, selinux?)');
    expect((await whyReport({ upstream, layersDir: LAYERS, atom: 'net-misc/demo-agent' })).chains).toEqual([]);
  }, 180_000);

  it('answers a second run from the content-keyed cache without starting Portage', async () => {
    const first = await imageReport({ upstream, layersDir: LAYERS });
    expect(await readdir(join(process.env.NANO_OVERLAY_CACHE!, 'portage', 'images'))).not.toEqual([]);
    process.env.NANO_OVERLAY_PYTHON = '/nonexistent/python';
    try {
      expect(await imageReport({ upstream, layersDir: LAYERS })).toEqual(first);
    } finally {
      process.env.NANO_OVERLAY_PYTHON = PORTAGE_PYTHON!;
    }
  }, 180_000);

  it('says in one line what is needed when there is no Portage', async () => {
    process.env.NANO_OVERLAY_PYTHON = '/nonexistent/python';
    try {
      await expect(findPortage({ bash: '/bin/bash' })).rejects.toThrow(/^Portage is needed for this command and was not found: .*--portage DIR/);
      await expect(findPortage({ portageDir: upstream })).rejects.toThrow(/--portage .*no Portage source tree/);
    } finally {
      process.env.NANO_OVERLAY_PYTHON = PORTAGE_PYTHON!;
    }
    expect(existsSync(upstream)).toBe(true);
  });
});
