import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { replace, validateTestSet, type TestLayer } from '../checks/helpers.js';
import type { ValidationReport } from '../../src/workflow/validate.js';

afterAll(removeTempDirs);

/**
 * Single-edit layers on the bundled example upstream, each with the verdict its file must get: the
 * stock-changing ones with the error code (and line) that reports them, the others with no error
 * and nothing unproven.
 */

const CONF = 'app-misc/demo-conf/demo-conf-1.0.ebuild';
const FILES = 'app-misc/demo-files/demo-files-0-r3.ebuild';
const INIT = 'coreos-base/demo-init/demo-init-9999.ebuild';
const AGENT = 'net-misc/demo-agent/demo-agent-1.4.2.ebuild';
const TOOLS = 'sys-apps/demo-tools/demo-tools-2.1.0.ebuild';
const HOOK = 'coreos/config/env/net-misc/demo-agent';
const PS = 'sdk_container/src/third_party/portage-stable';
const MOTD = { name: 'motd', default: 'on' as const, packages: ['app-misc/demo-files'] };

interface Case {
  readonly kind: string;
  readonly layer: Omit<TestLayer, 'name'>;
  readonly path: string;
  readonly code?: string;
  readonly line?: number | null;
}

const edit = (path: string, from: string, to: string): Omit<TestLayer, 'name'> => ({ modify: { [path]: replace(from, to) } });
const scripts = (path: string, from: string, to: string): Omit<TestLayer, 'name'> => ({ root: 'scripts', modify: { [path]: replace(from, to) } });

const STOCK_CHANGING: readonly Case[] = [
  // FILESDIR
  { kind: 'FILESDIR file in a directory installed recursively', layer: edit('app-misc/demo-conf/files/sshd/50-demo-sshd.conf', 'PermitRootLogin no', 'PermitRootLogin yes'), path: 'app-misc/demo-conf/files/sshd/50-demo-sshd.conf', code: 'FilesdirChangesStock', line: 1 },
  { kind: 'new FILESDIR file in an installed directory', layer: { add: { 'app-misc/demo-conf/files/sshd/60-root.conf': 'PermitRootLogin yes\n' } }, path: 'app-misc/demo-conf/files/sshd/60-root.conf', code: 'FilesdirChangesStock' },
  { kind: 'new FILESDIR file a glob installs', layer: { add: { 'app-misc/demo-conf/files/extra.conf': 'x = 1\n' } }, path: 'app-misc/demo-conf/files/extra.conf', code: 'FilesdirChangesStock' },
  { kind: 'FILESDIR file named through a quoted ${PN}', layer: edit('app-misc/demo-conf/files/demo-conf-1.0-defaults.txt', '127.0.0.1', '0.0.0.0'), path: 'app-misc/demo-conf/files/demo-conf-1.0-defaults.txt', code: 'FilesdirChangesStock' },
  { kind: 'FILESDIR patch in PATCHES through ${P}', layer: { add: {}, modify: { 'net-misc/demo-agent/files/demo-agent-1.4.2-config-path.patch': (text) => `${text}# more\n` } }, path: 'net-misc/demo-agent/files/demo-agent-1.4.2-config-path.patch', code: 'FilesdirChangesStock' },
  { kind: 'FILESDIR file removed', layer: { remove: ['app-misc/demo-files/files/motd'] }, path: 'app-misc/demo-files/files/motd', code: 'FilesdirChangesStock', line: null },
  // scripts root
  { kind: 'scripts: unconditional profile in setup_board', layer: scripts('setup_board', 'PORTAGE_PROFILE=$(get_board_profile "${BOARD}")\n', 'PORTAGE_PROFILE=$(get_board_profile "${BOARD}")\nPORTAGE_PROFILE="coreos-overlay:coreos/${BOARD_ARCH}/nano"\n'), path: 'setup_board', code: 'ScriptsChangeStock', line: 13 },
  { kind: 'scripts: a library function', layer: scripts('build_library/board_options.sh', '/generic"', '/nano"'), path: 'build_library/board_options.sh', code: 'ScriptsChangeStock', line: 23 },
  { kind: 'scripts: a condition stock boards take', layer: scripts('setup_board', 'mkdir -p', 'if [[ ${BOARD} == amd64-usr ]]; then BOARD_ROOT=/build/other; fi\nmkdir -p'), path: 'setup_board', code: 'ScriptsChangeStock', line: 14 },
  { kind: 'scripts: blanks inside a here-doc', layer: scripts('setup_board', 'PKGDIR="${BOARD_ROOT}/packages"', 'PKGDIR="${BOARD_ROOT}/packages "'), path: 'setup_board', code: 'ScriptsChangeStock' },
  { kind: 'scripts: a board expansion that is not the variant idiom', layer: scripts('build_library/board_options.sh', 'BOARD="${board%%_*}"', 'BOARD="${board%%-*}"'), path: 'build_library/board_options.sh', code: 'ScriptsChangeStock' },
  { kind: 'scripts: a deleted library', layer: { root: 'scripts', remove: ['build_library/board_options.sh'] }, path: 'build_library/board_options.sh', code: 'ScriptsChangeStock' },
  { kind: 'scripts: a portage-stable ebuild', layer: scripts(`${PS}/app-shells/demo-shell/demo-shell-5.2_p15.ebuild`, 'IUSE="nls readline"', 'IUSE="nls readline"\nRDEPEND="sys-apps/demo-tools"'), path: `${PS}/app-shells/demo-shell/demo-shell-5.2_p15.ebuild`, code: 'ScriptsChangeStock', line: 14 },
  { kind: 'scripts: a portage-stable profile of the stock chain', layer: scripts(`${PS}/profiles/default/linux/amd64/demo/make.defaults`, 'ipv6 ssl', 'ipv6'), path: `${PS}/profiles/default/linux/amd64/demo/make.defaults`, code: 'ScriptsChangeStock' },
  { kind: 'scripts: a higher portage-stable ebuild', layer: { root: 'scripts', add: { [`${PS}/sys-libs/demo-lib/demo-lib-1.1.ebuild`]: 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64 arm64"\n' } }, path: `${PS}/sys-libs/demo-lib/demo-lib-1.1.ebuild`, code: 'ScriptsChangeStock' },
  // ebuild global scope and phases
  { kind: 'ebuild: KEYWORDS', layer: edit(TOOLS, 'KEYWORDS="amd64 arm64"', 'KEYWORDS="~amd64 arm64"'), path: TOOLS, code: 'UnguardedChange', line: 12 },
  { kind: 'ebuild: SLOT', layer: edit(TOOLS, 'SLOT="0"', 'SLOT="1"'), path: TOOLS, code: 'UnguardedChange', line: 11 },
  { kind: 'ebuild: SRC_URI', layer: edit(TOOLS, '${P}.tar.xz', '${P}-nano.tar.xz'), path: TOOLS, code: 'UnguardedChange', line: 8 },
  { kind: 'ebuild: EGIT_COMMIT of the released name', layer: edit(INIT, '5b1f0c2a9d3e', '0000000a9d3e'), path: INIT, code: 'UnguardedChange', line: 15 },
  { kind: 'ebuild: inherit', layer: edit(TOOLS, 'EAPI=8\n', 'EAPI=8\n\ninherit demo-utils\n'), path: TOOLS, code: 'UnguardedChange' },
  { kind: 'ebuild: pkg_postinst', layer: edit(CONF, 'elog "Demo configuration installed in /etc/demo"', 'elog "Demo configuration installed in /etc/demo"\n    rm -f "${ROOT}"/etc/demo/demo.conf'), path: CONF, code: 'UnguardedChange', line: 35 },
  { kind: 'ebuild: blanks inside a quoted sed pattern', layer: edit(CONF, '\\1  \\2', '\\1 \\2'), path: CONF, code: 'UnguardedChange', line: 18 },
  { kind: 'ebuild: an unconditional dependency', layer: edit(AGENT, '\tsys-libs/demo-lib:=\n', '\tsys-libs/demo-lib:=\n\tsys-apps/demo-tools\n'), path: AGENT, code: 'UnguardedChange' },
  { kind: 'ebuild: an IUSE default', layer: edit(FILES, 'IUSE="containers"', 'IUSE="+containers"'), path: FILES, code: 'UnguardedChange', line: 13 },
  // eclasses, hooks, user patches, board configuration
  { kind: 'eclass shadowing portage-stable', layer: { add: { 'eclass/demo-utils.eclass': 'demo_install_conf() { :; }\n' } }, path: 'eclass/demo-utils.eclass', code: 'EclassShadowed' },
  { kind: 'new env hook of a stock package', layer: { add: { 'coreos/config/env/app-misc/demo-files': 'cros_post_src_install_x() { rm -rf "${ED}"/usr/share/demo-files; }\n' } }, path: 'coreos/config/env/app-misc/demo-files', code: 'UnguardedChange' },
  { kind: 'changed env hook', layer: edit(HOOK, 'demo_agent_move_config\n}', 'demo_agent_move_config\n\trm -f "${ED}"/usr/bin/demo-agent-debug\n}'), path: HOOK, code: 'UnguardedChange', line: 8 },
  { kind: 'user patch of a stock package', layer: { add: { 'coreos/user-patches/app-misc/demo-files/0001-nano.patch': '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' } }, path: 'coreos/user-patches/app-misc/demo-files/0001-nano.patch', code: 'UserPatchChangesStock' },
  { kind: 'coreos/config/portage file', layer: { add: { 'coreos/config/portage/make.conf.extra': 'FEATURES="-sandbox"\n' } }, path: 'coreos/config/portage/make.conf.extra', code: 'BoardConfigChangesStock' },
  // profiles
  { kind: 'profile: package.use of a stock profile', layer: edit('profiles/coreos/base/package.use', 'net-misc/demo-agent -metrics', 'net-misc/demo-agent metrics'), path: 'profiles/coreos/base/package.use', code: 'UnguardedProfileChange', line: 1 },
  { kind: 'profile: package.mask in a stock profile', layer: { add: { 'profiles/coreos/base/package.mask': '>=sys-apps/demo-tools-2\n' } }, path: 'profiles/coreos/base/package.mask', code: 'UnguardedProfileChange' },
  { kind: 'profile: package.accept_keywords in a stock profile', layer: { add: { 'profiles/coreos/targets/generic/package.accept_keywords': 'sys-apps/demo-tools ~amd64\n' } }, path: 'profiles/coreos/targets/generic/package.accept_keywords', code: 'UnguardedProfileChange' },
  { kind: 'profile: parent of a stock profile', layer: edit('profiles/coreos/amd64/generic/parent', ':coreos/targets/generic', ':coreos/targets/generic\n:coreos/base'), path: 'profiles/coreos/amd64/generic/parent', code: 'UnguardedProfileChange' },
  { kind: 'profile: profile.bashrc', layer: edit('profiles/coreos/base/profile.bashrc', 'source "${BASH_SOURCE[0]}.hooks"', 'source "${BASH_SOURCE[0]}.hooks"\nexport CFLAGS="-O0"'), path: 'profiles/coreos/base/profile.bashrc', code: 'UnguardedProfileChange' },
  { kind: 'profile: a file profile.bashrc sources', layer: edit('profiles/coreos/base/profile.bashrc.hooks', 'demo_load_hooks\n', 'demo_load_hooks\nexport MAKEOPTS=-j1\n'), path: 'profiles/coreos/base/profile.bashrc.hooks', code: 'StockReadFileChanged' },
  { kind: 'profile: the repository package.mask', layer: { add: { 'profiles/package.mask': 'sys-apps/demo-tools\n' } }, path: 'profiles/package.mask', code: 'StockReadFileChanged' },
  { kind: 'profile: a package move', layer: { add: { 'profiles/updates/1Q-2026': 'move sys-apps/demo-tools sys-apps/demo-utils\n' } }, path: 'profiles/updates/1Q-2026', code: 'StockReadFileChanged' },
  // versions
  { kind: 'versions: a higher ebuild', layer: { add: { 'sys-apps/demo-tools/demo-tools-2.2.0.ebuild': 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64 arm64"\n' } }, path: 'sys-apps/demo-tools/demo-tools-2.2.0.ebuild', code: 'VersionSelectionChanged' },
  { kind: 'versions: a new revision symlink', layer: { add: { 'coreos-base/demo-base/demo-base-0.0.1-r8.ebuild': { link: 'demo-base-0.0.1.ebuild' } } }, path: 'coreos-base/demo-base/demo-base-0.0.1-r8.ebuild', code: 'VersionSelectionChanged' },
  { kind: 'versions: a new -r99 symlink to a 9999 body', layer: { add: { 'coreos-base/demo-init/demo-init-0.0.1-r99.ebuild': { link: 'demo-init-9999.ebuild' } } }, path: 'coreos-base/demo-init/demo-init-0.0.1-r99.ebuild', code: 'VersionSelectionChanged' },
  { kind: 'versions: the deleted ebuild stock picks', layer: { remove: [TOOLS] }, path: TOOLS, code: 'VersionSelectionChanged', line: null },
  { kind: 'versions: an overlay copy of a portage-stable package', layer: { add: { 'app-shells/demo-shell/demo-shell-5.2_p15.ebuild': 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64 arm64"\nIUSE="nls readline"\n' } }, path: 'app-shells/demo-shell/demo-shell-5.2_p15.ebuild', code: 'VersionSelectionChanged' },
  // repository files
  { kind: 'Manifest: a changed DIST entry', layer: edit('net-misc/demo-agent/Manifest', '20480', '20481'), path: 'net-misc/demo-agent/Manifest', code: 'ManifestChangesStock' },
  { kind: 'layout.conf: masters', layer: edit('metadata/layout.conf', 'masters = portage-stable', 'masters = portage-stable gentoo'), path: 'metadata/layout.conf', code: 'LayoutChangesStock' },
];

const NOT_STOCK_CHANGING: readonly (Case & { readonly verdict: 'neutral' | 'guarded' })[] = [
  { kind: 'metadata.xml', layer: edit('coreos-base/demo-init/metadata.xml', '</pkgmetadata>', '<!-- nano -->\n</pkgmetadata>'), path: 'coreos-base/demo-init/metadata.xml', verdict: 'neutral' },
  { kind: 'a new package', layer: { add: { 'app-misc/demo-new/demo-new-1.0.ebuild': 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64 arm64"\n', 'app-misc/demo-new/files/x.conf': 'x\n' } }, path: 'app-misc/demo-new/demo-new-1.0.ebuild', verdict: 'neutral' },
  { kind: 'a FILESDIR file nothing reads', layer: { add: { 'app-misc/demo-files/files/unused.txt': 'x\n' } }, path: 'app-misc/demo-files/files/unused.txt', verdict: 'neutral' },
  { kind: 'a FILESDIR file only code under an off flag reads', layer: edit('app-misc/demo-conf/files/audit.rules', 'wa', 'rwa'), path: 'app-misc/demo-conf/files/audit.rules', verdict: 'guarded' },
  { kind: 'a FILESDIR file only a 9999 branch reads', layer: edit('app-misc/demo-conf/files/live.rules', 'wa', 'rwa'), path: 'app-misc/demo-conf/files/live.rules', verdict: 'guarded' },
  { kind: 'ebuild: comments and blanks outside quotes', layer: edit(TOOLS, '    emake DESTDIR="${D}" PREFIX=/usr install', '    # Install.\n    emake  DESTDIR="${D}"   PREFIX=/usr install'), path: TOOLS, verdict: 'neutral' },
  { kind: 'ebuild: reordered IUSE tokens', layer: edit(TOOLS, 'IUSE="cpuid doc trace"', 'IUSE="trace cpuid doc"'), path: TOOLS, verdict: 'neutral' },
  { kind: 'ebuild: a change under a new flag on in stock', layer: { flags: [MOTD], ...edit(FILES, 'IUSE="containers"', 'IUSE="containers +motd"'), modify: { [FILES]: (text) => replace('IUSE="containers"', 'IUSE="containers +motd"')(text).replace('    doins "${FILESDIR}"/motd\n', '    if use motd; then\n        doins "${FILESDIR}"/motd\n    fi\n') } }, path: FILES, verdict: 'guarded' },
  { kind: 'scripts: the Nano variant only', layer: scripts('setup_board', 'PORTAGE_PROFILE=$(get_board_profile "${BOARD}")\n', 'PORTAGE_PROFILE=$(get_board_profile "${BOARD}")\nif [[ ${VARIANT} == nano ]]; then PORTAGE_PROFILE="coreos-overlay:coreos/${BOARD_ARCH}/nano"; fi\n'), path: 'setup_board', verdict: 'guarded' },
  { kind: 'scripts: the board part of a board without a variant', layer: scripts('setup_board', 'BOARD_ARCH=$(get_board_arch "${BOARD}")', 'BOARD_ARCH=$(get_board_arch "${BOARD%%_*}")'), path: 'setup_board', verdict: 'guarded' },
  { kind: 'scripts: a portage-stable ebuild change under a new flag', layer: scripts(`${PS}/app-shells/demo-shell/demo-shell-5.2_p15.ebuild`, 'RDEPEND="${DEPEND}"', 'RDEPEND="${DEPEND}"\nIUSE+=" +demo"\nRDEPEND+=" !demo? ( sys-apps/demo-tools )"'), path: `${PS}/app-shells/demo-shell/demo-shell-5.2_p15.ebuild`, verdict: 'guarded' },
  { kind: 'scripts: a lower portage-stable ebuild', layer: { root: 'scripts', add: { [`${PS}/sys-libs/demo-lib/demo-lib-0.9.ebuild`]: 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64 arm64"\n' } }, path: `${PS}/sys-libs/demo-lib/demo-lib-0.9.ebuild`, verdict: 'neutral' },
  { kind: 'a profile no stock build reads', layer: { add: { 'profiles/coreos/amd64/nano/parent': '../generic\n', 'profiles/coreos/amd64/nano/package.use': 'app-misc/demo-files -containers\n' } }, path: 'profiles/coreos/amd64/nano/package.use', verdict: 'neutral' },
  { kind: 'profiles.desc', layer: edit('profiles/profiles.desc', 'coreos/amd64/generic/prod   dev', 'coreos/amd64/generic/prod   dev\namd64   coreos/amd64/nano           dev'), path: 'profiles/profiles.desc', verdict: 'neutral' },
  { kind: 'a new license', layer: { add: { 'licenses/DEMO-2.0': 'Demo License 2.0\n' } }, path: 'licenses/DEMO-2.0', verdict: 'neutral' },
  { kind: 'a new DIST entry', layer: edit('net-misc/demo-agent/Manifest', 'SHA512 4e5f6a7b\n', 'SHA512 4e5f6a7b\nDIST demo-agent-1.5.0.tar.gz 1 BLAKE2B 00 SHA512 00\n'), path: 'net-misc/demo-agent/Manifest', verdict: 'neutral' },
  { kind: 'versions: a lower ebuild', layer: { add: { 'sys-apps/demo-tools/demo-tools-2.0.0.ebuild': 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64 arm64"\n' } }, path: 'sys-apps/demo-tools/demo-tools-2.0.0.ebuild', verdict: 'neutral' },
  { kind: 'versions: a higher ebuild no stock profile accepts', layer: { add: { 'sys-apps/demo-tools/demo-tools-3.0.ebuild': 'EAPI=8\nSLOT="0"\nKEYWORDS="~amd64 ~arm64"\n' } }, path: 'sys-apps/demo-tools/demo-tools-3.0.ebuild', verdict: 'neutral' },
  { kind: 'ebuild: the live branch of a 9999 body', layer: edit(INIT, 'EGIT_REPO_URI="https://example.invalid/demo-init.git"', 'EGIT_REPO_URI="https://example.invalid/nano/demo-init.git"'), path: INIT, verdict: 'neutral' },
  { kind: 'an env hook for a package no repository has', layer: { add: { 'coreos/config/env/app-misc/demo-none': 'echo hi\n' } }, path: 'coreos/config/env/app-misc/demo-none', verdict: 'neutral' },
  { kind: 'a new eclass that shadows nothing', layer: { add: { 'eclass/demo-nano.eclass': 'demo_nano() { :; }\n' } }, path: 'eclass/demo-nano.eclass', verdict: 'neutral' },
];

function verdictOf(report: ValidationReport, path: string) {
  return report.verdicts.find((entry) => entry.path === path);
}

describe('stock-changing single-edit layers', () => {
  it('covers at least 30 distinct kinds', () => {
    expect(new Set(STOCK_CHANGING.map((entry) => entry.kind)).size).toBeGreaterThanOrEqual(30);
  });
  it.each(STOCK_CHANGING)('$kind: $code', async ({ layer, path, code, line }) => {
    const report = await validateTestSet({ layers: [{ name: 'edit', ...layer }] });
    expect(verdictOf(report, path)).toMatchObject({ verdict: 'stock-changing', code });
    const found = report.findings.filter((entry) => entry.code === code && entry.path === path);
    expect(found.map((entry) => [entry.level, entry.layer])).toContainEqual(['error', 'edit']);
    if (line !== undefined) expect(found.map((entry) => entry.line)).toContain(line);
    expect(report.ok).toBe(false);
  });
});

describe('single-edit layers that leave stock alone', () => {
  it('covers at least 10 kinds', () => {
    expect(NOT_STOCK_CHANGING.length).toBeGreaterThanOrEqual(10);
  });
  it.each(NOT_STOCK_CHANGING)('$kind: $verdict', async ({ layer, path, verdict }) => {
    const report = await validateTestSet({ layers: [{ name: 'edit', ...layer }] });
    expect(verdictOf(report, path)).toMatchObject({ verdict });
    expect(report.findings.filter((entry) => entry.level === 'error' || entry.code === 'StockSafetyUnproven')).toEqual([]);
    expect(report.verdicts.every((entry) => entry.verdict === 'neutral' || entry.verdict === 'guarded')).toBe(true);
  });
});
