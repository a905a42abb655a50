import { describe, expect, it } from 'vitest';
import { parseAtom } from '../../src/portage/atoms.js';
import { parseEbuildPath } from '../../src/portage/ebuild-path.js';
import { staticMetadata } from '../../src/portage/metadata.js';
import { loadProfile } from '../../src/portage/profiles.js';
import { ProfileVisibility, type SelectableEbuild } from '../../src/portage/visibility.js';
import { memoryTree } from '../../src/tree/memory.js';
import { Packages } from '../../src/checks/packages.js';

/** An overlay whose amd64 profile inherits a Gentoo-like arch profile from its master. */
function repositories(overlayExtra: Record<string, string | { link: string }> = {}, masterExtra: Record<string, string> = {}) {
  const master = memoryTree({
    'profiles/repo_name': 'portage-stable\n',
    'profiles/arch/amd64/make.defaults': 'ARCH="amd64"\nACCEPT_KEYWORDS="${ARCH}"\n',
    'profiles/package.mask': '# repository-wide\n>=dev-libs/thing-3\n',
    ...masterExtra,
  });
  const overlay = memoryTree({
    'profiles/repo_name': 'coreos-overlay\n',
    'metadata/layout.conf': 'masters = portage-stable\nprofile-formats = portage-2\n',
    'profiles/coreos/base/package.accept_keywords': '=dev-libs/thing-2.1\ndev-libs/other ~amd64\n',
    'profiles/coreos/base/package.mask': '>=dev-libs/other-2\n',
    'profiles/coreos/amd64/parent': 'portage-stable:arch/amd64\n:coreos/base\n',
    'profiles/coreos/amd64/generic/parent': '..\n',
    'profiles/coreos/amd64/generic/package.unmask': '=dev-libs/other-2.0\n',
    ...overlayExtra,
  });
  return { overlay, master };
}

async function visibility(overlayExtra: Record<string, string | { link: string }> = {}, masterExtra: Record<string, string> = {}, dir = 'profiles/coreos/amd64/generic') {
  const { overlay, master } = repositories(overlayExtra, masterExtra);
  return new ProfileVisibility(await loadProfile(overlay, dir, { masters: master }));
}

const ebuild = (cpv: string, keywords: string, slot = '0', repo = 'portage-stable'): SelectableEbuild => ({ cpv, repository: repo, slot, keywords: keywords.split(' ').filter(Boolean) });

describe('ProfileVisibility', () => {
  it('takes ACCEPT_KEYWORDS from the profile chain and judges KEYWORDS against it', async () => {
    const vis = await visibility();
    expect(vis.acceptKeywords).toEqual(['amd64']);
    expect(vis.verdict(ebuild('dev-libs/a-1', 'amd64 ~arm64'))).toEqual({ visible: true, stable: true });
    expect(vis.verdict(ebuild('dev-libs/a-2', '~amd64 arm64'))).toMatchObject({ visible: false, stable: false, missingKeywords: ['~amd64', 'arm64'] });
    expect(vis.verdict(ebuild('dev-libs/a-9999', ''))).toMatchObject({ visible: false, missingKeywords: ['**'] });
    expect(vis.verdict(ebuild('dev-libs/a-3', '-* ~amd64'))).toMatchObject({ visible: false });
  });

  it('widens accepted keywords with package.accept_keywords (no keywords: ~arch); such versions are not stable', async () => {
    const vis = await visibility();
    expect(vis.verdict(ebuild('dev-libs/thing-2.1', '~amd64'))).toEqual({ visible: true, stable: false });
    expect(vis.verdict(ebuild('dev-libs/thing-2.2', '~amd64')).visible).toBe(false);
    expect(vis.verdict(ebuild('dev-libs/other-1', '~amd64')).visible).toBe(true);
    expect(vis.verdict(ebuild('dev-libs/thing-2.1', '**')).visible).toBe(false);
    const starstar = await visibility({ 'profiles/coreos/base/package.accept_keywords': 'dev-libs/live **\n' });
    expect(starstar.verdict(ebuild('dev-libs/live-9999', '')).visible).toBe(true);
  });

  it('masks with package.mask of every profile directory and of the repositories, and lifts with package.unmask', async () => {
    const vis = await visibility();
    expect(vis.verdict(ebuild('dev-libs/other-2.1', 'amd64'))).toMatchObject({ visible: false, maskedBy: 'profiles/coreos/base/package.mask:1' });
    expect(vis.verdict(ebuild('dev-libs/other-2.0', 'amd64')).visible).toBe(true);
    // The master's repository-wide mask covers its own packages and the overlay's, which inherits it.
    expect(vis.verdict(ebuild('dev-libs/thing-3', 'amd64'))).toMatchObject({ visible: false, maskedBy: 'profiles/package.mask:2' });
    expect(vis.verdict(ebuild('dev-libs/thing-3', 'amd64', '0', 'coreos-overlay')).visible).toBe(false);
    // The overlay's repository-wide mask covers only the overlay's packages.
    const own = await visibility({ 'profiles/package.mask': 'sys-apps/own\n' });
    expect(own.verdict(ebuild('sys-apps/own-1', 'amd64', '0', 'coreos-overlay')).visible).toBe(false);
    expect(own.verdict(ebuild('sys-apps/own-1', 'amd64', '0', 'portage-stable')).visible).toBe(true);
    // A subslot mask covers only that subslot.
    const sub = await visibility({ 'profiles/coreos/base/package.mask': 'virtual/libcrypt:0/1\n' });
    expect(sub.verdict({ ...ebuild('virtual/libcrypt-1', 'amd64'), subslot: '1' }).visible).toBe(false);
    expect(sub.verdict({ ...ebuild('virtual/libcrypt-2', 'amd64'), subslot: '2' }).visible).toBe(true);
    expect(sub.verdict(ebuild('virtual/libcrypt-3', 'amd64')).visible).toBe(true);
    // `-atom` in a child profile takes back a parent's line.
    const taken = await visibility({ 'profiles/coreos/amd64/generic/package.mask': '->=dev-libs/other-2\n' });
    expect(taken.verdict(ebuild('dev-libs/other-2.5', 'amd64')).visible).toBe(true);
  });

  it('reads package.unmask only where Portage does (EAPI 7 profiles or portage-1/2 formats)', async () => {
    const noFormats = { 'metadata/layout.conf': 'masters = portage-stable\n' };
    expect((await visibility(noFormats)).verdict(ebuild('dev-libs/other-2.0', 'amd64')).visible).toBe(false);
    const eapi7 = await visibility({ ...noFormats, 'profiles/coreos/amd64/generic/eapi': '7\n' });
    expect(eapi7.verdict(ebuild('dev-libs/other-2.0', 'amd64')).visible).toBe(true);
  });

  it('changes KEYWORDS with package.keywords', async () => {
    const vis = await visibility({ 'profiles/coreos/base/package.keywords': 'dev-libs/kw -~amd64 amd64\n' });
    expect(vis.verdict(ebuild('dev-libs/kw-1', '~amd64')).visible).toBe(true);
  });

  it('selects the best visible version of an atom, by slot, preferring the first repository on a tie', async () => {
    const vis = await visibility();
    const candidates = [
      ebuild('dev-libs/thing-2.1', '~amd64', '2', 'coreos-overlay'),
      ebuild('dev-libs/thing-2.1', 'amd64', '2'),
      ebuild('dev-libs/thing-2.2', '~amd64', '2'),
      ebuild('dev-libs/thing-3', 'amd64', '3'),
      ebuild('dev-libs/thing-1.5', 'amd64', '1'),
      ebuild('dev-libs/thing-9999', '', '2'),
    ];
    expect(vis.best(parseAtom('dev-libs/thing'), candidates)).toBe(candidates[0]);
    expect(vis.best(parseAtom('dev-libs/thing:1'), candidates)).toBe(candidates[4]);
    expect(vis.best(parseAtom('<dev-libs/thing-2'), candidates)).toBe(candidates[4]);
    expect(vis.best(parseAtom('dev-libs/thing:3'), candidates)).toBeUndefined();
    expect(vis.best(parseAtom('dev-libs/thing::portage-stable'), candidates)).toBe(candidates[1]);
    expect([...vis.bestBySlot(candidates)].map(([slot, found]) => [slot, found.cpv])).toEqual([
      ['2', 'dev-libs/thing-2.1'],
      ['1', 'dev-libs/thing-1.5'],
    ]);
  });
});

describe('staticMetadata', () => {
  const eclasses: Record<string, string> = {
    'cros-workon': 'if [[ -z ${_CROS_WORKON_ECLASS} ]]; then\n_CROS_WORKON_ECLASS=1\nIUSE="cros_host"\nfi\n',
    multi: 'inherit cros-workon\nIUSE="abi_x86_64 +abi_x86_32"\nREQUIRED_USE="|| ( abi_x86_64 abi_x86_32 )"\nSLOT="0"\n',
  };
  const read = async (name: string) => eclasses[name];
  const body = [
    'EAPI=8',
    'IUSE_DAEMON="sshd +ntpd"',
    'inherit multi cros-workon',
    'if [[ ${PV} == 9999 ]]; then',
    '\tKEYWORDS="~amd64 ~arm64"',
    'else',
    '\tKEYWORDS="amd64 arm64"',
    'fi',
    'SLOT="$(ver_cut 1-2)/${PVR}"',
    'IUSE="${IUSE_DAEMON} test"',
    'IUSE+=" doc"',
    'REQUIRED_USE="test? ( sshd )"',
  ].join('\n');

  it('evaluates PV conditions, variable-built IUSE, eclass IUSE and REQUIRED_USE, and non-literal SLOT', async () => {
    const released = await staticMetadata(body, parseEbuildPath('sys-apps/demo/demo-1.2.3-r4.ebuild')!, read);
    expect(released).toMatchObject({ eapi: '8', slot: '1.2', subslot: '1.2.3-r4', keywords: ['amd64', 'arm64'], notUnderstood: [] });
    expect([...released.iuse]).toEqual([
      ['sshd', false],
      ['ntpd', true],
      ['test', false],
      ['doc', false],
      ['cros_host', false],
      ['abi_x86_64', false],
      ['abi_x86_32', true],
    ]);
    expect(released.requiredUse).toBe('test? ( sshd ) || ( abi_x86_64 abi_x86_32 )');
    const live = await staticMetadata(body, parseEbuildPath('sys-apps/demo/demo-9999.ebuild')!, read);
    expect(live.keywords).toEqual(['~amd64', '~arm64']);
  });

  it('names what it cannot work out instead of guessing', async () => {
    const text = 'EAPI=8\ninherit missing\nif has_version foo; then KEYWORDS="amd64"; fi\nSLOT="$(get_slot)"\nIUSE="${UNSET_PARTLY}x ${!ref}"\n';
    const meta = await staticMetadata(text, parseEbuildPath('sys-apps/demo/demo-1.ebuild')!, read);
    expect(meta.notUnderstood.map((entry) => entry.variable)).toEqual(['inherit', 'SLOT', 'KEYWORDS', 'IUSE']);
    expect(meta.notUnderstood[0]!.reason).toBe('eclass missing not found');
    expect(meta.notUnderstood[2]!.reason).toMatch(/sys-apps\/demo\/demo-1.ebuild:3: assigned under an if condition/);
  });
});

describe('Packages.bestVisible', () => {
  it('selects what a stock build takes: a stable revision symlink over the ~arch live body, the overlay over its master', async () => {
    const live = 'EAPI=8\nif [[ ${PV} == 9999 ]]; then\n\tinherit git-r3\nelse\n\tKEYWORDS="amd64 arm64"\nfi\nSLOT="0/${PVR}"\n';
    const { overlay, master } = repositories({
      'sys-apps/demo/demo-9999.ebuild': live,
      'sys-apps/demo/demo-0.0.1-r7.ebuild': { link: 'demo-9999.ebuild' },
      'sys-apps/dual/dual-2.ebuild': 'EAPI=8\nSLOT=0\nKEYWORDS="amd64"\n',
    }, {
      'sys-apps/dual/dual-2.ebuild': 'EAPI=8\nSLOT=0\nKEYWORDS="amd64"\n',
      'sys-apps/dual/dual-3.ebuild': 'EAPI=8\nSLOT=0\nKEYWORDS="~amd64"\n',
      'eclass/git-r3.eclass': 'PROPERTIES+=" live"\n',
    });
    const vis = ProfileVisibility.of(await loadProfile(overlay, 'profiles/coreos/amd64/generic', { masters: master }));
    const packages = new Packages(overlay, master);
    const demo = await packages.bestVisible(parseAtom('sys-apps/demo'), vis);
    expect(demo).toMatchObject({ cpv: 'sys-apps/demo-0.0.1-r7', slot: '0', repository: 'coreos-overlay' });
    expect(demo!.metadata.subslot).toBe('0.0.1-r7');
    expect(await packages.best(parseAtom('sys-apps/demo'))).toMatchObject({ cpv: 'sys-apps/demo-9999' });
    expect(await packages.bestVisible(parseAtom('sys-apps/dual'), vis)).toMatchObject({ cpv: 'sys-apps/dual-2', repo: 'overlay' });
  });
});
