import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conditionalizeLayer } from '../../src/conditionalize/conditionalize.js';
import { InputError } from '../../src/errors.js';
import { compareReduced, reduceEbuild } from '../../src/portage/reduce.js';
import { validateLayers } from '../../src/workflow/validate.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { git, makeTempDir, removeTempDirs, writeFiles } from '../helpers/git.js';
import { createLayerSetRepo, patchOf } from '../review/layer-set.js';

afterAll(removeTempDirs);

const STOCK_SAFETY = new Set(['UnguardedChange', 'FlagDefaultChangesStock', 'UnguardedProfileChange']);

/** An ebuild indented with `u`, with dependencies, PATCHES, a heredoc and a variable to change. */
function ebuild(u: string): string {
  return `# Copyright (c) 2024 The Demo Authors. All rights reserved.
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Fixture package"
HOMEPAGE="https://example.invalid/fixture"
SRC_URI="https://example.invalid/fixture/\${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="doc"
MY_CONF="/etc/fixture.conf"

RDEPEND="
${u}app-misc/demo-files
${u}net-misc/demo-agent
${u}sys-apps/demo-tools
"

PATCHES=(
${u}"\${FILESDIR}/\${P}-fix.patch"
)

src_prepare() {
${u}default
${u}sed -i -e 's/fixture/demo/' Makefile || die
}

src_install() {
${u}default
${u}dodir /etc/fixture
${u}insinto /etc/fixture
${u}doins "\${FILESDIR}"/fixture.conf
${u}cat > "\${ED}"/etc/fixture/extra.conf <<EOF || die
mode=stock
EOF
${u}keepdir /var/lib/fixture
}
`;
}

const TABS = 'sys-apps/fixture-tabs/fixture-tabs-1.0.ebuild';
const SPACES = 'sys-apps/fixture-spaces/fixture-spaces-1.0.ebuild';
const OTHER = 'sys-apps/fixture-other/fixture-other-1.0.ebuild';
const LEAN = 'sys-apps/fixture-lean/fixture-lean-1.0.ebuild';

/** The unconditional Nano change every rule is about, in the ebuild's own indentation. */
function nanoChange(u: string) {
  return (text: string) =>
    text
      .replace(`${u}net-misc/demo-agent\n`, '')
      .replace(`${u}sys-apps/demo-tools\n`, `${u}sys-apps/demo-tools\n${u}app-misc/nano-extra\n`)
      .replace(`${u}"\${FILESDIR}/\${P}-fix.patch"\n`, `${u}"\${FILESDIR}/\${P}-fix.patch"\n${u}"\${FILESDIR}/\${P}-nano.patch"\n`)
      .replace(`${u}dodir /etc/fixture\n`, '')
      .replace(`${u}doins "\${FILESDIR}"/fixture.conf\n`, `${u}doins "\${FILESDIR}"/nano.conf\n`)
      .replace(`${u}keepdir /var/lib/fixture\n`, `${u}keepdir /var/lib/fixture\n${u}rm -rf "\${ED}"/usr/share/doc || die\n`);
}

async function fixture() {
  const upstream = await createOverlayFixture({
    layout: 'scripts',
    changes: [
      { add: TABS, data: ebuild('\t') },
      { add: SPACES, data: ebuild('    ') },
      { add: OTHER, data: ebuild('\t') },
      { add: LEAN, data: ebuild('\t') },
      { add: 'profiles/coreos/amd64/nano/parent', data: '../generic\n' },
      { add: 'profiles/coreos/amd64/nano/prod/parent', data: '..\n:coreos/targets/generic/prod\n' },
    ],
  });
  const overlay = join(upstream.dir, upstream.overlayPrefix);
  const layers = await createLayerSetRepo({
    'values.yaml': 'profiles:\n  stock: [coreos/amd64/generic/prod]\n  nano: [coreos/amd64/nano/prod]\n',
    'patches/series': 'nano-tabs\nnano-spaces\nnano-lean\nnano-leftovers\n',
    'patches/nano-tabs/layer.yaml': [
      'summary: fixture-tabs without the agent',
      'description: Every rule, tab-indented.',
      'edits:',
      '  # A stock profile line: it belongs in the Nano profile.',
      '  - file: profiles/coreos/base/package.use',
      '    type: line-add',
      '    line: "sys-apps/fixture-tabs -doc"',
      '',
    ].join('\n'),
    'patches/nano-tabs/0001-nano.patch': await patchOf(overlay, TABS, nanoChange('\t')),
    'patches/nano-spaces/layer.yaml': 'summary: fixture-spaces without the agent\ndescription: Every rule, space-indented.\n',
    'patches/nano-spaces/0001-nano.patch': await patchOf(overlay, SPACES, nanoChange('    ')),
    'patches/nano-lean/layer.yaml': 'summary: fixture-lean without the agent\ndescription: Only what structured edits express.\n',
    'patches/nano-lean/0001-nano.patch': await patchOf(overlay, LEAN, (text) =>
      text
        .replace('\tnet-misc/demo-agent\n', '')
        .replace('\t"${FILESDIR}/${P}-fix.patch"\n', '\t"${FILESDIR}/${P}-fix.patch"\n\t"${FILESDIR}/${P}-nano.patch"\n')
        .replace('\tkeepdir /var/lib/fixture\n', '\tkeepdir /var/lib/fixture\n\trm -rf "${ED}"/usr/share/doc || die\n'),
    ),
    'patches/nano-leftovers/layer.yaml': 'summary: fixture-other changes that cannot be guarded\ndescription: A heredoc and a plain variable.\n',
    'patches/nano-leftovers/0001-nano.patch': await patchOf(overlay, OTHER, (text) => text.replace('mode=stock', 'mode=nano').replace('MY_CONF="/etc/fixture.conf"', 'MY_CONF="/etc/nano.conf"')),
  });
  return { upstream, overlay, layers };
}

const run = (upstream: string, layersDir: string, layer: string, extra: Partial<Parameters<typeof conditionalizeLayer>[0]> = {}) =>
  conditionalizeLayer({ upstream, layersDir, layer, flag: 'agent', ...extra });

/** The layer set's files as git has them, to tell what a run changed. */
const status = (dir: string) => git(dir, 'status', '--porcelain').split('\n').map((line) => line.trim()).filter(Boolean).sort();

describe('conditionalize', () => {
  it('guards every kind of change in a tab-indented ebuild and moves the stock profile line', async () => {
    const { upstream, layers } = await fixture();
    const report = await run(upstream.dir, layers.dir, 'nano-tabs');
    expect(report.written).toBe(true);
    expect(report.converted).toEqual([{ path: TABS, as: 'patch', changes: expect.any(Array) }]);
    expect(report.moved).toEqual([{ from: 'profiles/coreos/base/package.use', to: 'profiles/coreos/amd64/nano/package.use', lines: ['sys-apps/fixture-tabs -doc'] }]);
    expect(report.unconverted).toEqual([]);
    expect(report.next).toEqual(["Nano builds must turn agent off: 'sys-apps/fixture-tabs -agent' in profiles/coreos/amd64/nano/package.use"]);

    const manifest = await readFile(join(layers.dir, 'patches/nano-tabs/layer.yaml'), 'utf8');
    expect(manifest).toContain('# A stock profile line: it belongs in the Nano profile.');
    expect(manifest).not.toContain('profiles/coreos/base/package.use');
    expect(manifest).toMatch(/flags:\n {2}- name: agent\n {4}default: on\n {4}packages:\n {6}- sys-apps\/fixture-tabs\n/);
    expect(await readFile(join(layers.dir, 'overlay/nano-tabs/profiles/coreos/amd64/nano/package.use'), 'utf8')).toBe('sys-apps/fixture-tabs -doc\n');
    expect(status(layers.dir)).toEqual([
      '?? overlay/',
      '?? patches/nano-tabs/0002-agent-sys-apps-fixture-tabs.patch',
      'D patches/nano-tabs/0001-nano.patch',
      'M patches/nano-tabs/layer.yaml',
    ]);

    const patch = await readFile(join(layers.dir, 'patches/nano-tabs/0002-agent-sys-apps-fixture-tabs.patch'), 'utf8');
    expect(patch).toMatch(/^index [0-9a-f]{40}\.\.[0-9a-f]{40} 100644$/m);
    const guarded = await applyPatchText(ebuild('\t'), patch);
    expect(guarded).toContain('IUSE="doc +agent"');
    expect(guarded).toContain('\tagent? ( net-misc/demo-agent )\n\tsys-apps/demo-tools\n\t!agent? ( app-misc/nano-extra )\n');
    expect(guarded).toContain('PATCHES=(\n\t"${FILESDIR}/${P}-fix.patch"\n)\n');
    expect(guarded).toContain(
      [
        'src_install() {',
        '\tdefault',
        '\tif use agent; then',
        '\t\tdodir /etc/fixture',
        '\tfi',
        '\tinsinto /etc/fixture',
        '\tif use agent; then',
        '\t\tdoins "${FILESDIR}"/fixture.conf',
        '\telse',
        '\t\tdoins "${FILESDIR}"/nano.conf',
        '\tfi',
        '\tcat > "${ED}"/etc/fixture/extra.conf <<EOF || die',
        'mode=stock',
        'EOF',
        '\tkeepdir /var/lib/fixture',
        '\tif ! use agent; then',
        '\t\trm -rf "${ED}"/usr/share/doc || die',
        '\tfi',
        '}',
        '',
      ].join('\n'),
    );
    expect(guarded).toContain('src_prepare() {\n\tif ! use agent; then\n\t\teapply "${FILESDIR}/${P}-nano.patch"\n\tfi\n\tdefault\n');

    // Stock USE reduces it to upstream; with the flag off it does what the layer did.
    const isOn = (flag: string) => (flag === 'agent' ? true : undefined);
    const isOff = (flag: string) => (flag === 'agent' ? false : undefined);
    expect(await compareReduced(ebuild('\t'), guarded, isOn, { ignoreIuseFlags: ['agent'] })).toBeUndefined();
    // With the flag off it does what the layer did, the Nano patch applied in src_prepare instead of through PATCHES.
    const layerNano = (await reduceEbuild(nanoChange('\t')(ebuild('\t')), isOff))
      .replace('\n"${FILESDIR}/${P}-nano.patch"', '')
      .replace('src_prepare() {\n', 'src_prepare() {\neapply "${FILESDIR}/${P}-nano.patch"\n');
    expect(await reduceEbuild(guarded, isOff, { ignoreIuseFlags: ['agent'] })).toBe(layerNano);

    const validation = await validateLayers({ upstream: upstream.dir, layersDir: layers.dir });
    const stockFindings = validation.findings.filter((entry) => entry.layer === 'nano-tabs' && STOCK_SAFETY.has(entry.code));
    expect(stockFindings).toEqual([]);
  });

  it('keeps space indentation, and writes structured edits where they say it exactly', async () => {
    const { upstream, layers } = await fixture();
    const spaces = await run(upstream.dir, layers.dir, 'nano-spaces');
    expect(spaces.converted.map((entry) => entry.as)).toEqual(['patch']);
    const patch = await readFile(join(layers.dir, 'patches/nano-spaces/0002-agent-sys-apps-fixture-spaces.patch'), 'utf8');
    const guarded = await applyPatchText(ebuild('    '), patch);
    expect(guarded).toContain('    agent? ( net-misc/demo-agent )\n');
    expect(guarded).toContain('    if use agent; then\n        doins "${FILESDIR}"/fixture.conf\n    else\n        doins "${FILESDIR}"/nano.conf\n    fi\n');
    expect(guarded).toContain('    if ! use agent; then\n        rm -rf "${ED}"/usr/share/doc || die\n    fi\n}');
    expect(guarded).not.toMatch(/^\t/m);

    const lean = await run(upstream.dir, layers.dir, 'nano-lean');
    expect(lean.converted).toEqual([{ path: LEAN, as: 'edits', changes: expect.any(Array) }]);
    const manifest = await readFile(join(layers.dir, 'patches/nano-lean/layer.yaml'), 'utf8');
    expect(manifest).toContain(
      [
        'edits:',
        `  - file: ${LEAN}`,
        '    type: iuse-add',
        '    flag: agent',
        '    default: on',
        `  - file: ${LEAN}`,
        '    type: dep-conditional',
        '    variable: RDEPEND',
        '    atom: net-misc/demo-agent',
        '    flag: agent',
        `  - file: ${LEAN}`,
        '    type: phase-append',
        '    phase: src_install',
        '    flag: "!agent"',
        '    body: rm -rf "${ED}"/usr/share/doc || die',
        `  - file: ${LEAN}`,
        '    type: patches-add',
        '    flag: "!agent"',
        '    patch: ${P}-nano.patch',
      ].join('\n'),
    );
    expect(status(layers.dir)).toContain('D patches/nano-lean/0001-nano.patch');

    const validation = await validateLayers({ upstream: upstream.dir, layersDir: layers.dir });
    expect(validation.findings.filter((entry) => (entry.layer === 'nano-spaces' || entry.layer === 'nano-lean') && STOCK_SAFETY.has(entry.code))).toEqual([]);
  });

  it('guards a change inside a heredoc as the whole statement, and lists what it cannot guard with the reason', async () => {
    const { upstream, layers } = await fixture();
    const report = await run(upstream.dir, layers.dir, 'nano-leftovers');
    expect(report.unconverted).toEqual([
      { path: OTHER, line: 14, reason: 'changes the variable MY_CONF, which is not a dependency variable, IUSE or PATCHES' },
      { path: OTHER, line: 14, reason: expect.stringMatching(/^validate still finds UnguardedChange: /) },
    ]);
    expect(report.converted).toEqual([{ path: OTHER, as: 'patch', changes: expect.any(Array) }]);
    const patch = await readFile(join(layers.dir, 'patches/nano-leftovers/0002-agent-sys-apps-fixture-other.patch'), 'utf8');
    const guarded = await applyPatchText(ebuild('\t'), patch);
    expect(guarded).toContain('\tif use agent; then\n\tcat > "${ED}"/etc/fixture/extra.conf <<EOF || die\nmode=stock\nEOF\n\telse\n\tcat > "${ED}"/etc/fixture/extra.conf <<EOF || die\nmode=nano\nEOF\n\tfi\n');
    expect(guarded).toContain('MY_CONF="/etc/nano.conf"');
  });

  it('writes nothing on a dry run, and shows the new layer as a diff', async () => {
    const { upstream, layers } = await fixture();
    const report = await run(upstream.dir, layers.dir, 'nano-lean', { dryRun: true });
    expect(report.written).toBe(false);
    expect(report.diff).toContain('diff --git a/patches/nano-lean/0001-nano.patch b/patches/nano-lean/0001-nano.patch\ndeleted file mode 100644');
    expect(report.diff).toContain('+    type: dep-conditional');
    expect(status(layers.dir)).toEqual([]);
  });

  it('with --default off, keeps stock under !flag and records the reason', async () => {
    const { upstream, layers } = await fixture();
    await run(upstream.dir, layers.dir, 'nano-lean', { flag: 'nano', default: 'off', reason: 'stock images never set it' });
    const manifest = await readFile(join(layers.dir, 'patches/nano-lean/layer.yaml'), 'utf8');
    expect(manifest).toContain('    flag: "!nano"\n');
    expect(manifest).toContain('    type: phase-append\n    phase: src_install\n    flag: nano\n');
    expect(manifest).toContain('description: "Off by default: stock images never set it"');
    const validation = await validateLayers({ upstream: upstream.dir, layersDir: layers.dir });
    expect(validation.findings.filter((entry) => entry.layer === 'nano-lean' && STOCK_SAFETY.has(entry.code))).toEqual([]);
  });

  it('refuses bad input with one line and leaves the layer set alone', async () => {
    const { upstream, layers } = await fixture();
    await expect(run(upstream.dir, layers.dir, 'nano-lean', { default: 'off' })).rejects.toThrow(/--default off needs --reason/);
    await expect(run(upstream.dir, layers.dir, 'no-such-layer')).rejects.toThrow(InputError);
    await expect(run(upstream.dir, layers.dir, 'nano-lean', { flag: '+bad' })).rejects.toThrow(/not a valid USE flag name/);
    expect(status(layers.dir)).toEqual([]);
  });
});

/** Applies a one-file git patch to `text` with git itself. */
async function applyPatchText(text: string, patch: string): Promise<string> {
  const dir = await makeTempDir('nano-overlay-apply-');
  const path = /^diff --git a\/(\S+)/.exec(patch)![1]!;
  await writeFiles(dir, { [path]: text, 'change.patch': patch });
  git(dir, 'init', '-q');
  git(dir, 'apply', 'change.patch');
  return readFile(join(dir, path), 'utf8');
}
