import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile, appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git, makeTempDir } from '../helpers/git.js';
import { PORTAGE_PYTHON, usePortageExample } from '../helpers/portage.js';
import { locateUpstream } from '../../src/upstream/locate.js';
import { loadLayersFrom } from '../../src/workflow/layer-set.js';
import { validateLayers } from '../../src/workflow/validate.js';
import { compareStaticModel, deepFindings } from '../../src/workflow/validate-deep.js';
import { portageTrees, resolveImage } from '../../src/portage/image.js';
import { effectiveUse } from '../../src/portage/profiles.js';

const EXAMPLE_LAYERS = resolve('examples/layers');
/** Whether pkgcheck runs beside Portage. */
const PKGCHECK = PORTAGE_PYTHON !== undefined && spawnSync(PORTAGE_PYTHON, ['-c', 'import pkgcheck'], { stdio: 'ignore' }).status === 0;
/** Whether a finding is pkgcheck's (QA findings the other tests leave aside). */
const fromPkgcheck = (entry: { message: string }): boolean => entry.message.startsWith('pkgcheck ');
const EXAMPLE_TOOLS = resolve('examples/upstream/coreos-overlay/sys-apps/demo-tools/demo-tools-2.1.0.ebuild');

describe.skipIf(!PORTAGE_PYTHON)('validate --deep on the bundled example', () => {
  const example = usePortageExample();
  let upstream: string;
  beforeAll(() => {
    upstream = example();
  });

  it('finds nothing on the example layer set: Portage agrees that stock is unchanged, and with the static model', async () => {
    const findings = await deepFindings({ upstream, layersDir: EXAMPLE_LAYERS });
    expect(findings.filter((entry) => !fromPkgcheck(entry))).toEqual([]);
  }, 300_000);

  it.skipIf(!PKGCHECK)("reports pkgcheck's new findings per layer with pkgcheck's keyword as the code", async () => {
    const findings = await deepFindings({ upstream, layersDir: EXAMPLE_LAYERS });
    // The motd layer indents the lines it wraps with the spaces the ebuild already uses; the new base
    // package keeps Flatcar's body-plus-revision-symlink shape and a one-line metadata.xml.
    expect(findings.map((entry) => [entry.code, entry.level, entry.layer])).toEqual([
      ['WhitespaceFound', 'style', 'demo-files-motd-optional'],
      ['RedundantLongDescription', 'style', 'demo-lean-package'],
      ['RedundantVersion', 'info', 'demo-lean-package'],
    ]);
    expect(findings[0]!.message).toMatch(/^pkgcheck on app-misc\/demo-files-0-r3: ebuild has leading whitespace on lines: 16, 17/);
  }, 300_000);

  it('confirms with Portage a stock change the static version selection finds: a new overlay revision stock takes', async () => {
    const layers = await makeTempDir('nano-overlay-layers-');
    await cp(EXAMPLE_LAYERS, layers, { recursive: true, verbatimSymlinks: true });
    await mkdir(join(layers, 'patches', 'demo-tools-lean'));
    await writeFile(join(layers, 'patches', 'demo-tools-lean', 'layer.yaml'), 'summary: "sys-apps/demo-tools: a leaner revision"\ndescription: |\n  Without the shell.\n');
    const dir = join(layers, 'overlay', 'demo-tools-lean', 'sys-apps', 'demo-tools');
    await mkdir(dir, { recursive: true });
    const body = (await readFile(EXAMPLE_TOOLS, 'utf8')).replace('RDEPEND="app-shells/demo-shell"', 'RDEPEND=""').replace(/^BDEPEND=.*\n/m, '');
    await writeFile(join(dir, 'demo-tools-2.1.0-r1.ebuild'), body);
    await appendFile(join(layers, 'patches', 'series'), 'demo-tools-lean\n');

    const plain = await validateLayers({ upstream, layersDir: layers });
    expect(plain.findings.filter((entry) => entry.level === 'error').map((entry) => [entry.code, entry.layer, entry.path])).toEqual([
      ['VersionSelectionChanged', 'demo-tools-lean', 'sys-apps/demo-tools/demo-tools-2.1.0-r1.ebuild'],
    ]);
    const deep = (await deepFindings({ upstream, layersDir: layers })).filter((entry) => !fromPkgcheck(entry));
    expect(deep.map((entry) => [entry.code, entry.layer, entry.message])).toEqual([
      ['PortageStockChange', 'demo-tools-lean', 'sys-apps/demo-tools-2.1.0-r1::coreos-overlay under coreos/amd64/generic/prod: ebuild changes from "absent" to "added" (Portage)'],
      [
        'PortageStockImageChange',
        'demo-tools-lean',
        'the stock image of coreos-base/demo-base under coreos/amd64/generic/prod: sys-apps/demo-tools changes from 2.1.0 USE="cpuid" to 2.1.0-r1 USE="cpuid" (Portage)',
      ],
    ]);
  }, 300_000);

  it('warns about a Nano profile line Portage does not follow (a parent profile forces the flag)', async () => {
    const layers = await makeTempDir('nano-overlay-layers-');
    await cp(EXAMPLE_LAYERS, layers, { recursive: true, verbatimSymlinks: true });
    await appendFile(join(layers, 'overlay', 'demo-lean-profile', 'profiles', 'coreos', 'amd64', 'lean', 'package.use'), 'coreos-base/demo-init -symlink-usr\n');
    const findings = (await deepFindings({ upstream, layersDir: layers })).filter((entry) => entry.code === 'ProfileLineIneffective');
    expect(findings).toEqual([
      {
        code: 'ProfileLineIneffective',
        level: 'warning',
        layer: 'demo-lean-profile',
        path: 'profiles/coreos/amd64/lean/package.use',
        line: 4,
        message: '-symlink-usr for coreos-base/demo-init-0.0.1-r12 has no effect under coreos/amd64/lean/prod: Portage builds it with symlink-usr',
      },
    ]);
  }, 300_000);

  it("reports a static model that disagrees with Portage's effective USE as an error of the tool", async () => {
    const located = await locateUpstream(upstream);
    try {
      const trees = await portageTrees(located, await loadLayersFrom(EXAMPLE_LAYERS));
      const image = await resolveImage(trees, 'coreos-base/demo-base', 'coreos/amd64/generic/prod');
      expect(await compareStaticModel(trees, image)).toEqual([]);
      // A model that forgets package.use: coreos/base turns readline on for demo-shell, Portage sees it.
      const forgetsPackageUse: typeof effectiveUse = (profile, cpv, iuse, opts) =>
        effectiveUse({ ...profile, chain: profile.chain.map((node) => ({ ...node, packageUse: [] })) }, cpv, iuse, opts);
      const findings = await compareStaticModel(trees, image, forgetsPackageUse);
      expect(findings.map((entry) => [entry.code, entry.level])).toContainEqual(['StaticModelDisagrees', 'error']);
      expect(findings.map((entry) => entry.message).join('\n')).toMatch(/app-shells\/demo-shell-5\.2_p15 .*model USE="", Portage USE="readline"/);
    } finally {
      await located.close();
    }
  }, 300_000);

  it('asks the static model as plain validate does: a stable version reads package.use.stable.mask', async () => {
    const clone = join(await makeTempDir('nano-overlay-stable-'), 'scripts');
    git(upstream, 'clone', '-q', upstream, clone);
    const profile = join(clone, 'sdk_container/src/third_party/portage-stable/profiles/default/linux/amd64/demo');
    // demo-shell is stable on amd64: Portage masks readline for it, whatever package.use says.
    await writeFile(join(profile, 'package.use.stable.mask'), 'app-shells/demo-shell readline\n');
    await writeFile(join(profile, 'eapi'), '5\n'); // the .stable files need EAPI 5 profiles
    git(clone, 'add', '-A');
    git(clone, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'mask readline for stable demo-shell');
    const located = await locateUpstream(clone);
    try {
      const trees = await portageTrees(located, await loadLayersFrom(EXAMPLE_LAYERS));
      const image = await resolveImage(trees, 'coreos-base/demo-base', 'coreos/amd64/generic/prod');
      expect(image.packages.find((pkg) => pkg.cp === 'app-shells/demo-shell')?.use).toEqual([]);
      expect(await compareStaticModel(trees, image)).toEqual([]);
    } finally {
      await located.close();
    }
  }, 300_000);
});
