import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conditionalizeLayer } from '../../src/conditionalize/conditionalize.js';
import { validateLayers } from '../../src/workflow/validate.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { removeTempDirs } from '../helpers/git.js';
import { createLayerSetRepo, patchOf } from '../review/layer-set.js';

afterAll(removeTempDirs);

const STOCK_SAFETY = new Set(['UnguardedChange', 'FlagDefaultChangesStock', 'UnguardedProfileChange']);
const AGENT = 'app-emulation/fixture-agent/fixture-agent-1.0.ebuild';
const INIT = 'coreos-base/fixture-init/fixture-init-1.0.ebuild';
const X = 'app-misc/fixture-x/fixture-x-1.0.ebuild';
const Y = 'app-misc/fixture-y/fixture-y-1.0.ebuild';
const SMALL = 'EAPI=8\nDESCRIPTION="Small"\nSLOT="0"\nKEYWORDS="amd64 arm64"\nIUSE=""\nRDEPEND="\n\tsys-apps/demo-tools\n\tapp-shells/demo-shell\n"\nsrc_install() {\n\tdodir /etc/small\n}\n';

/** A python-style eclass that exports src_prepare, as distutils-r1 does. */
const ECLASS = `# Fixture eclass
fixture-py_src_prepare() {
\tdefault
}
EXPORT_FUNCTIONS src_prepare
`;

const AGENT_EBUILD = `EAPI=8
inherit fixture-py
DESCRIPTION="Agent"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE=""
PATCHES=(
\t"\${FILESDIR}/0001-flatcar.patch"
)
`;

const INIT_EBUILD = `EAPI=8
DESCRIPTION="Init"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="test"
DEPEND="
\tnet-misc/demo-agent
\tsys-apps/demo-tools
"
src_install() {
\tdodir /etc/init
\tlocal -A links
\tlinks=(
\t\t['/a']='/b'
\t\t['/c']='/d'
\t)
\tinsinto /etc/init
}
`;

/** The shapes the hand-kept Nano branch has: a flag with no default, a PATCHES entry in an eclass ebuild, a split assignment, profile lines. */
async function fixture(values = 'profiles:\n  stock: [coreos/amd64/generic/prod]\n  nano: []\n') {
  const upstream = await createOverlayFixture({
    layout: 'scripts',
    changes: [
      { add: 'eclass/fixture-py.eclass', data: ECLASS },
      { add: AGENT, data: AGENT_EBUILD },
      { add: 'app-emulation/fixture-agent/files/0001-flatcar.patch', data: '' },
      { add: INIT, data: INIT_EBUILD },
      { add: X, data: SMALL },
      { add: Y, data: SMALL },
    ],
  });
  const overlay = join(upstream.dir, upstream.overlayPrefix);
  const layers = await createLayerSetRepo({
    'values.yaml': values,
    'patches/series': 'agent\ninit\nprofile\nboth\n',
    'patches/both/layer.yaml': 'summary: "app-misc: two concerns"\ndescription: One layer, two flags.\n',
    'patches/both/0001.patch':
      (await patchOf(overlay, X, (text) => text.replace('\tapp-shells/demo-shell\n', ''))) +
      (await patchOf(overlay, Y, (text) => text.replace('\tdodir /etc/small\n', '\tdodir /etc/small\n\trm -rf "${ED}"/etc/small || die\n'))),
    'patches/agent/layer.yaml': 'summary: "app-emulation/fixture-agent: nano patch"\ndescription: The branch adds a patch.\n',
    'patches/agent/0001.patch': await patchOf(overlay, AGENT, (text) => text.replace('0001-flatcar.patch"\n', '0001-flatcar.patch"\n\t"${FILESDIR}/nano.patch"\n')),
    'overlay/agent/app-emulation/fixture-agent/files/nano.patch': '',
    'patches/init/layer.yaml': 'summary: "coreos-base/fixture-init: no agent"\ndescription: The branch declares the flag without a default.\nflags:\n  - name: agent\n    default: off\n    packages: [coreos-base/fixture-init]\n',
    'patches/init/0001.patch': await patchOf(overlay, INIT, (text) =>
      text
        .replace('IUSE="test"', 'IUSE="test agent"')
        .replace('\tnet-misc/demo-agent\n', '\tagent? ( net-misc/demo-agent )\n')
        .replace("\tlinks=(\n\t\t['/a']='/b'\n", "\tif use agent; then\n\t\tlinks=(\n\t\t\t['/a']='/b'\n\t\t)\n\tfi\n\tlinks+=(\n"),
    ),
    'patches/profile/layer.yaml': 'summary: "profiles: nano USE"\ndescription: The branch edits a stock profile file.\n',
    'patches/profile/0001.patch': await patchOf(overlay, 'profiles/coreos/base/package.use', (text) => `${text}app-misc/demo-files -motd\n`),
  });
  return { upstream, layers };
}

describe('conditionalize on the shapes of a hand-kept branch', () => {
  it('rewrites a flag declared without a default to +flag, guards a split assignment whole, and validates stock-safe', async () => {
    const { upstream, layers } = await fixture();
    const report = await conditionalizeLayer({ upstream: upstream.dir, layersDir: layers.dir, layer: 'init', flag: 'agent' });
    expect(report.unconverted).toEqual([]);
    expect(report.converted[0]!.changes.join('\n')).toContain("IUSE: the layer declares 'agent'; written as '+agent'");
    const manifest = await readFile(join(layers.dir, 'patches/init/layer.yaml'), 'utf8');
    expect(manifest).toMatch(/- name: agent\n\s+default: on\n/);
    expect(manifest).toMatch(/^base: [0-9a-f]{40}$/m);
    const validation = await validateLayers({ upstream: upstream.dir, layersDir: layers.dir });
    expect(validation.findings.filter((entry) => entry.layer === 'init' && STOCK_SAFETY.has(entry.code))).toEqual([]);
  });

  it("calls the eclass's exported src_prepare, never a bare default, when it has to create one", async () => {
    const { upstream, layers } = await fixture();
    await conditionalizeLayer({ upstream: upstream.dir, layersDir: layers.dir, layer: 'agent', flag: 'openssh' });
    const manifest = await readFile(join(layers.dir, 'patches/agent/layer.yaml'), 'utf8');
    expect(manifest).toMatch(/type: patches-add\n\s+flag: "!openssh"\n\s+patch: nano\.patch\n\s+prepareCall: fixture-py_src_prepare\n/);
    const validation = await validateLayers({ upstream: upstream.dir, layersDir: layers.dir });
    expect(validation.findings.filter((entry) => entry.layer === 'agent' && STOCK_SAFETY.has(entry.code))).toEqual([]);
  });

  it('creates the Nano profile layer when values.yaml names none, and moves the profile line there', async () => {
    const { upstream, layers } = await fixture();
    const report = await conditionalizeLayer({ upstream: upstream.dir, layersDir: layers.dir, layer: 'profile', flag: 'motd' });
    expect(report.moved).toEqual([{ from: 'profiles/coreos/base/package.use', to: 'profiles/coreos/targets/nano/package.use', lines: ['app-misc/demo-files -motd'] }]);
    expect(report.next[0]).toContain("created layer 'nano-profile'");
    expect(await readFile(join(layers.dir, 'patches/series'), 'utf8')).toBe('agent\ninit\nnano-profile\nprofile\nboth\n');
    expect(await readFile(join(layers.dir, 'values.yaml'), 'utf8')).toContain('nano:\n    - coreos/amd64/nano\n');
    expect(await readFile(join(layers.dir, 'overlay/nano-profile/profiles/coreos/amd64/nano/parent'), 'utf8')).toBe('../generic/prod\n../../targets/nano\n');
    const validation = await validateLayers({ upstream: upstream.dir, layersDir: layers.dir });
    expect(validation.findings.filter((entry) => STOCK_SAFETY.has(entry.code) && (entry.layer === 'profile' || entry.layer === 'nano-profile'))).toEqual([]);
    expect(validation.layers.find((layer) => layer.name === 'nano-profile')?.status).toBe('applied');
  });

  it('stops with the command to make a Nano profile when the stock profiles are not coreos/<arch>/generic', async () => {
    const { upstream, layers } = await fixture('profiles:\n  stock: [coreos/base]\n  nano: []\n');
    const report = await conditionalizeLayer({ upstream: upstream.dir, layersDir: layers.dir, layer: 'profile', flag: 'motd' });
    expect(report.written).toBe(false);
    expect(report.unconverted).toEqual([expect.objectContaining({ path: 'profiles/coreos/base/package.use', reason: expect.stringContaining("run 'nano-overlay new nano-profile'") })]);
  });

  it('gives a layer with two concerns a flag for each, one run per flag limited to its packages', async () => {
    const { upstream, layers } = await fixture();
    const shell = await conditionalizeLayer({ upstream: upstream.dir, layersDir: layers.dir, layer: 'both', flag: 'shell', packages: ['app-misc/fixture-x'] });
    expect(shell.converted.map((entry) => entry.path)).toEqual([X]);
    const etc = await conditionalizeLayer({ upstream: upstream.dir, layersDir: layers.dir, layer: 'both', flag: 'small-etc', packages: ['app-misc/fixture-y'] });
    expect(etc.converted.map((entry) => entry.path)).toEqual([Y]);
    const manifest = await readFile(join(layers.dir, 'patches/both/layer.yaml'), 'utf8');
    expect(manifest).toMatch(/- name: shell\n\s+default: on\n\s+packages:\n\s+- app-misc\/fixture-x\n/);
    expect(manifest).toMatch(/- name: small-etc\n\s+default: on\n\s+packages:\n\s+- app-misc\/fixture-y\n/);
    const validation = await validateLayers({ upstream: upstream.dir, layersDir: layers.dir });
    expect(validation.findings.filter((entry) => entry.layer === 'both' && STOCK_SAFETY.has(entry.code))).toEqual([]);
  });
});
