import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { RenderedLayer } from '../src/layers/render.js';
import { materializeExample } from '../src/upstream/example.js';
import { applyToUpstream } from '../src/workflow/apply.js';
import { loadLayersFrom } from '../src/workflow/layer-set.js';
import { git, makeTempDir, removeTempDirs } from './helpers/git.js';

const ROOT_LAYERS = resolve('.');
const EXAMPLE_LAYERS = resolve('examples/layers');
const NANO_EBUILD = 'coreos-base/flatcar-nano/flatcar-nano-0.0.1.ebuild';
const STOCK_ONLY_PROFILES = ['profiles/coreos/base/', 'profiles/coreos/targets/generic/'];

afterAll(removeTempDirs);

interface PackageSet {
  stock: string;
  package: string;
  keep: string[];
  drop: { atom: string; reason?: string }[];
  add: string[];
}

/** The category/package of every dependency atom in the ebuild's code (comments left out). */
function dependencyPackages(ebuild: string): string[] {
  const code = ebuild
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  const names: string[] = [];
  for (const match of code.matchAll(/"([^"]*)"/g)) {
    for (const word of match[1]!.split(/\s+/)) {
      const atom = /^[<>=~!]*([A-Za-z0-9+_.-]+\/[A-Za-z0-9+_-]+?)(?:-\d[^\s[]*)?(?:\[.*\])?$/.exec(word);
      if (atom) names.push(atom[1]!);
    }
  }
  return names;
}

/** Every path a rendered layer touches: patch targets, edit targets (file or package) and placed files. */
function touchedPaths(layer: RenderedLayer): string[] {
  return [
    ...layer.patches.flatMap(({ patches }) => patches.flatMap((patch) => [patch.oldPath, patch.newPath]).filter((path): path is string => path !== null)),
    ...layer.edits.map(({ target }) => ('file' in target ? target.file : target.package)),
    ...layer.files.map(({ path }) => path),
  ];
}

describe('the Flatcar Nano layer set (repository root)', async () => {
  const loaded = await loadLayersFrom(ROOT_LAYERS);
  const packageSet = loaded.set.values.package_set as PackageSet;
  const nanoEbuild = (): string => {
    const file = loaded.rendered.flatMap((layer) => layer.files).find(({ path }) => path === NANO_EBUILD);
    expect(file, `${NANO_EBUILD} is placed by a layer`).toBeDefined();
    return file!.entry.data.toString('utf8');
  };

  it('renders every layer listed in the series', () => {
    const names = loaded.set.layers.map((layer) => layer.name);
    expect(names.length).toBeGreaterThan(0);
    expect(loaded.rendered.map((rendered) => rendered.layer.name)).toEqual(names);
    for (const layer of loaded.set.layers) {
      expect(layer.manifest.summary, layer.name).toMatch(/^[^:\n]+: \S/);
      expect(layer.manifest.description.length, layer.name).toBeGreaterThan(200);
    }
  });

  it('decides every package of the stock base package once', () => {
    const decided = [...packageSet.keep, ...packageSet.drop.map((entry) => entry.atom)];
    expect(new Set(decided).size).toBe(decided.length);
    for (const entry of packageSet.drop) expect(entry.reason, entry.atom).toBeTruthy();
    expect(packageSet.stock).toBe('coreos-base/coreos');
    expect(packageSet.package).toBe('coreos-base/flatcar-nano');
  });

  it('puts each kept package into the flatcar-nano ebuild exactly once and no dropped one', () => {
    const packages = dependencyPackages(nanoEbuild());
    for (const atom of packageSet.keep) expect(packages.filter((name) => name === atom), atom).toHaveLength(1);
    for (const atom of packageSet.add) expect(packages.filter((name) => name === atom), atom).toHaveLength(1);
    for (const { atom } of packageSet.drop) expect(packages, atom).not.toContain(atom);
    expect(packages).toHaveLength(packageSet.keep.length + packageSet.add.length);
  });

  it('keeps the stock spelling of kept packages, conditionals included', () => {
    const ebuild = nanoEbuild();
    expect(ebuild).toContain('\tamd64? ( app-emulation/xenstore )\n');
    expect(ebuild).toContain('\tsys-apps/systemd[selinux?]\n');
    expect(ebuild).toContain('\t>=sys-apps/baselayout-3.0.0\n');
    expect(ebuild).toMatch(/^IUSE="selinux"$/m);
  });

  it('declares every flag it introduces on by default', () => {
    const flags = loaded.set.layers.flatMap((layer) => layer.manifest.flags.map((flag) => ({ layer: layer.name, flag })));
    expect(flags.length).toBeGreaterThan(0);
    for (const { layer, flag } of flags) expect(flag.default, `${layer}: ${flag.name}`).toBe('on');
    for (const layer of loaded.rendered) {
      for (const { edit, location } of layer.edits) {
        if (edit.type === 'iuse-add') expect(edit.default, location).toBe('on');
      }
    }
  });

  it('touches no file of a profile that stock builds read', () => {
    for (const layer of loaded.rendered.filter((rendered) => rendered.layer.manifest.root === 'overlay')) {
      for (const path of touchedPaths(layer)) {
        for (const prefix of STOCK_ONLY_PROFILES) expect(path.startsWith(prefix), `${layer.layer.name}: ${path}`).toBe(false);
      }
    }
  });

  it('renders the flatcar-nano ebuild within 120 columns (pkgcheck ExcessiveLineLength)', () => {
    const long = nanoEbuild().split('\n').map((line, index) => [index + 1, line.length]).filter(([, length]) => length! > 120);
    expect(long).toEqual([]);
  });

  it('gives flatcar-nano one ebuild: a revision symlink on a new package only overshadows it (pkgcheck RedundantVersion)', () => {
    const ebuilds = loaded.rendered.flatMap((layer) => layer.files).map(({ path }) => path).filter((path) => path.startsWith('coreos-base/flatcar-nano/') && path.endsWith('.ebuild'));
    expect(ebuilds).toEqual([NANO_EBUILD]);
  });
});

describe('the bundled example package set', () => {
  it('renders the lean base package from values.yaml', async () => {
    const upstream = await materializeExample(join(await makeTempDir('nano-layers-example-'), 'upstream'), 'overlay');
    const report = await applyToUpstream({ upstream: upstream.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean' } });
    expect(report.ok).toBe(true);
    const ebuild = git(upstream.dir, 'show', 'lean:coreos-base/demo-lean/demo-lean-0.0.1.ebuild');
    const values = parseYaml(await readFile(join(EXAMPLE_LAYERS, 'values.yaml'), 'utf8')) as { package_set: PackageSet };
    for (const atom of values.package_set.keep) expect(ebuild).toContain(`\t${atom}\n`);
    for (const { atom, reason } of values.package_set.drop) expect(ebuild).toContain(`#   ${atom}: ${reason}`);
    expect(dependencyPackages(ebuild).sort()).toEqual([...values.package_set.keep].sort());
  });

  it('follows a change to the data without touching the template', async () => {
    const dir = join(await makeTempDir('nano-layers-copy-'), 'layers');
    await cp(EXAMPLE_LAYERS, dir, { recursive: true, verbatimSymlinks: true });
    const valuesFile = join(dir, 'values.yaml');
    const values = parseYaml(await readFile(valuesFile, 'utf8')) as { package_set: PackageSet };
    values.package_set.keep.push('sys-apps/demo-extra');
    values.package_set.add = ['net-misc/demo-added'];
    await writeFile(valuesFile, stringifyYaml(values));
    const loaded = await loadLayersFrom(dir);
    const file = loaded.rendered.flatMap((layer) => layer.files).find(({ path }) => path === 'coreos-base/demo-lean/demo-lean-0.0.1.ebuild');
    const packages = dependencyPackages(file!.entry.data.toString('utf8'));
    expect(packages).toContain('sys-apps/demo-extra');
    expect(packages).toContain('net-misc/demo-added');
  });
});
