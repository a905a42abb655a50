import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectReader } from '../../src/git/objects.js';
import { GitTree } from '../../src/git/tree.js';
import { parseEbuildPath } from '../../src/portage/ebuild-path.js';
import { parseEbuild, usedFlags } from '../../src/portage/ebuild.js';
import { parseIuse } from '../../src/portage/iuse.js';
import { effectiveUse, loadProfile, STOCK_PROFILES, stockProfileFiles } from '../../src/portage/profiles.js';
import { compareReduced, reduceEbuild } from '../../src/portage/reduce.js';
import type { ReadableTree } from '../../src/tree/types.js';

/**
 * Checks against a real flatcar/scripts git directory named by FLATCAR_SCRIPTS (skipped without it):
 * every ebuild of coreos-overlay at `main` parses, the stock profiles load through portage-stable,
 * and the reducer runs on every portage-stable ebuild.
 */
const gitDir = process.env['FLATCAR_SCRIPTS'];
const OVERLAY = 'sdk_container/src/third_party/coreos-overlay';
const MASTER = 'sdk_container/src/third_party/portage-stable';

describe.skipIf(!gitDir || !existsSync(gitDir))('the real overlay', () => {
  let reader: ObjectReader;
  beforeAll(() => {
    reader = new ObjectReader(gitDir!);
  });
  afterAll(() => reader.close());

  const ebuildBodies = async (tree: ReadableTree) => {
    const bodies: { path: string; text: string }[] = [];
    for (const path of (await tree.list()).filter((p) => p.endsWith('.ebuild'))) {
      const entry = await tree.read(path);
      if (entry && entry.mode !== '120000') bodies.push({ path, text: entry.data.toString('utf8') });
    }
    return bodies;
  };

  it('parses every coreos-overlay ebuild, its path and its IUSE', async () => {
    const overlay = await GitTree.open(reader, 'main', OVERLAY);
    const bodies = await ebuildBodies(overlay);
    expect(bodies.length).toBeGreaterThan(50);
    for (const { path, text } of bodies) {
      expect(parseEbuildPath(path), path).toBeDefined();
      const model = await parseEbuild(text, path);
      for (const iuse of model.assignments.filter((a) => a.name === 'IUSE')) parseIuse(iuse.value, `${path}:${iuse.line}`);
      await usedFlags(text, path);
      expect(await reduceEbuild(text, () => true, { source: path })).not.toBe('');
    }
  }, 120_000);

  it('loads the stock profiles through portage-stable without skipping any parent', async () => {
    const overlay = await GitTree.open(reader, 'main', OVERLAY);
    const masters = await GitTree.open(reader, 'main', MASTER);
    for (const name of STOCK_PROFILES) {
      const profile = await loadProfile(overlay, `profiles/${name}`, { masters });
      expect(profile.skipped, name).toEqual([]);
      expect(profile.chain.at(-1)?.dir).toBe(`profiles/${name}`);
      expect(profile.chain.some((node) => node.repo === 'portage-stable')).toBe(true);
    }
    const generic = await loadProfile(overlay, 'profiles/coreos/amd64/generic', { masters });
    const curl = effectiveUse(generic, 'net-misc/curl-8.0', new Map([['ssl', false], ['nls', true]]));
    expect(curl.get('ssl')).toMatchObject({ enabled: true, forced: true });
    expect(curl.get('nls')).toMatchObject({ enabled: false, masked: true });
    const files = (await stockProfileFiles(overlay, { masters })).map((f) => `${f.repo}:${f.path}`);
    expect(files).toContain('coreos-overlay:profiles/coreos/base/package.use');
    expect(files).not.toContain('coreos-overlay:profiles/coreos/amd64/sdk/package.use');
  }, 120_000);

  it('reduces every portage-stable ebuild without failing', async () => {
    const bodies = await ebuildBodies(await GitTree.open(reader, 'main', MASTER));
    for (const { path, text } of bodies) await reduceEbuild(text, () => undefined, { source: path });
  }, 600_000);

  it('finds the guarded coreos-init change of the Nano branch equal to upstream only when openssh defaults on', async () => {
    const path = 'coreos-base/coreos-init/coreos-init-9999.ebuild';
    const read = async (ref: string) => (await (await GitTree.open(reader, ref, OVERLAY)).read(path))?.data.toString('utf8');
    const upstream = await read('cfd4efa719');
    const nano = await read('t-lo/flatcar-nano');
    if (!upstream || !nano) throw new Error(`${path} is missing at cfd4efa719 or t-lo/flatcar-nano`);
    const opts = { ignoreIuseFlags: ['openssh'] };
    expect(await compareReduced(upstream, nano, (flag) => (flag === 'openssh' ? true : undefined), opts)).toBeUndefined();
    expect((await compareReduced(upstream, nano, (flag) => (flag === 'openssh' ? false : undefined), opts))?.patchedLine).toBeGreaterThan(0);
  }, 60_000);
});
