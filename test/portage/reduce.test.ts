import { describe, expect, it } from 'vitest';
import { compareReduced, reduceEbuild, type FlagState } from '../../src/portage/reduce.js';

const flags =
  (states: Record<string, boolean>): FlagState =>
  (flag) =>
    states[flag];

const STOCK = flags({ openssh: true, bash: true, selinux: false, systemd: true });
const NANO = flags({ openssh: false, bash: false, selinux: false, systemd: true });

const UPSTREAM_INIT = `# Copyright 2013 The CoreOS Authors
EAPI=8

inherit systemd

DESCRIPTION="Init scripts"
IUSE="test"

RDEPEND="
	app-shells/bash
	net-misc/openssh
	sys-apps/systemd
	selinux? ( sec-policy/selinux-base )
"

src_install() {
	emake DESTDIR="\${D}" install
	systemd_enable_service multi-user.target sshd.socket
	dosym ../sshd.socket /usr/lib/systemd/system/sockets.target.wants/sshd.socket
}
`;

const PATCHED_INIT = `# Copyright 2013 The CoreOS Authors
EAPI=8

inherit systemd

DESCRIPTION="Init scripts"
IUSE="test +openssh"

RDEPEND="
	app-shells/bash
	openssh? (
		net-misc/openssh
	)
	sys-apps/systemd
	selinux? ( sec-policy/selinux-base )
	!openssh? ( app-misc/nano-keys )
"

src_install() {
    emake DESTDIR="\${D}" install
    # Nano has no sshd
    if use openssh; then
        systemd_enable_service multi-user.target sshd.socket
        dosym ../sshd.socket /usr/lib/systemd/system/sockets.target.wants/sshd.socket
    fi
    if ! use openssh; then
        rm -f "\${ED}"/usr/lib/systemd/system/sshd*
    fi
}
`;

describe('reduceEbuild', () => {
  it('resolves dependency groups, keeps unknown flags and normalises whitespace', async () => {
    const text = await reduceEbuild(PATCHED_INIT, flags({ openssh: true, selinux: false }), { ignoreIuseFlags: ['openssh'] });
    expect(text.split('\n')).toContain('RDEPEND="app-shells/bash net-misc/openssh sys-apps/systemd"');
    expect(text.split('\n')).toContain('IUSE="test"');
    expect(text).not.toContain('#');
    const unknown = await reduceEbuild(PATCHED_INIT, flags({ openssh: true }), { ignoreIuseFlags: ['openssh'] });
    expect(unknown).toContain('selinux? ( sec-policy/selinux-base )');
  });

  it('keeps the taken branch of if/elif/else chains with negations and && / ||', async () => {
    const text = `src_configure() {
\tif use a && use b; then
\t\techo ab
\telif ! use c || use d; then
\t\techo not-c-or-d
\telse
\t\techo else
\tfi
\tif use a; then
\t\tif use !b; then
\t\t\techo nested-not-b
\t\tfi
\tfi
}
`;
    const reduce = (states: Record<string, boolean>) => reduceEbuild(text, flags(states));
    expect(await reduce({ a: true, b: true, c: true, d: true })).toBe('src_configure() {\necho ab\n}');
    expect(await reduce({ a: true, b: false, c: false, d: false })).toBe('src_configure() {\necho not-c-or-d\necho nested-not-b\n}');
    expect(await reduce({ a: false, b: false, c: true, d: false })).toBe('src_configure() {\necho else\n}');
    // An unknown flag that does not decide the condition still lets it resolve (false && ? is false).
    expect(await reduceEbuild(text, flags({ a: false, c: true, d: false }))).toBe('src_configure() {\necho else\n}');
  });

  it('leaves conditions it cannot decide as written', async () => {
    const text = 'src_install() {\n\tif use a; then\n\t\tdoexe x\n\tfi\n\tif [[ ${PV} == 9999 ]]; then\n\t\tuse b && doexe y\n\tfi\n}\n';
    expect(await reduceEbuild(text, flags({ b: false }))).toBe(
      'src_install() {\nif use a; then\ndoexe x\nfi\nif [[ ${PV} == 9999 ]]; then\nfi\n}',
    );
    const tested = 'pkg_setup() {\n\tuse a && use b\n}\n';
    expect(await reduceEbuild(tested, flags({ a: true, b: true }))).toBe('pkg_setup() {\nuse a && use b\n}');
  });

  it('handles use && / use || command forms', async () => {
    const text = 'src_install() {\n\tuse openssh && dosbin ssh-helper\n\tuse bash || rm "${ED}"/etc/bash/bashrc\n\tuse openssh && use bash && dodoc both\n}\n';
    expect(await reduceEbuild(text, STOCK)).toBe('src_install() {\ndosbin ssh-helper\ndodoc both\n}');
    expect(await reduceEbuild(text, NANO)).toBe('src_install() {\nrm "${ED}"/etc/bash/bashrc\n}');
  });

  it('replaces usex with its value', async () => {
    const text = 'src_configure() {\n\tlocal myconf=( $(usex systemd --with-systemd "") $(usex !openssh "--no-ssh" --ssh) $(usex bash) )\n\teconf "${myconf[@]}"\n}\n';
    expect(await reduceEbuild(text, STOCK)).toContain('local myconf=( --with-systemd --ssh yes )');
    expect(await reduceEbuild(text, NANO)).toContain('local myconf=( --with-systemd --no-ssh no )');
    expect(await reduceEbuild(text, flags({}))).toContain('$(usex systemd --with-systemd "")');
  });

  it('drops IUSE assignments left empty and keeps += appends', async () => {
    const text = 'IUSE="+openssh"\nIUSE+=" -bash test"\n';
    expect(await reduceEbuild(text, STOCK, { ignoreIuseFlags: ['openssh', 'bash'] })).toBe('IUSE+="test"');
  });

  it('keeps what the bash grammar cannot parse as written, and still reduces the rest', async () => {
    const text = [
      'if [[ ${PV} != *@(alpha|beta|pre|rc)* ]] ; then',
      '\tKEYWORDS="amd64"',
      'fi',
      'src_install() {',
      '\tuse openssh && dosbin helper',
      '}',
      '',
    ].join('\n');
    const reduced = await reduceEbuild(text, STOCK);
    expect(reduced).toContain('*@(alpha|beta|pre|rc)*');
    expect(reduced).toContain('KEYWORDS="amd64"');
    expect(reduced.endsWith('src_install() {\ndosbin helper\n}')).toBe(true);
    const changed = text.replace('"amd64"', '"amd64 arm64"');
    expect((await compareReduced(text, changed, STOCK))?.patchedLine).toBeGreaterThan(0);
  });
});

describe('compareReduced', () => {
  it('finds guarded changes equal to upstream under stock USE, with tabs and spaces', async () => {
    expect(await compareReduced(UPSTREAM_INIT, PATCHED_INIT, STOCK, { ignoreIuseFlags: ['openssh'] })).toBeUndefined();
  });

  it('finds the guarded changes under Nano USE', async () => {
    const diff = await compareReduced(UPSTREAM_INIT, PATCHED_INIT, NANO, { ignoreIuseFlags: ['openssh'] });
    expect(diff).toMatchObject({ upstreamLine: 9, patchedLine: 9 });
    expect(diff?.patched).toContain('RDEPEND="app-shells/bash sys-apps/systemd app-misc/nano-keys"');
  });

  it('reports an unguarded change at its line', async () => {
    const patched = UPSTREAM_INIT.replace('\tsystemd_enable_service multi-user.target sshd.socket\n', '');
    const diff = await compareReduced(UPSTREAM_INIT, patched, STOCK);
    expect(diff).toEqual({
      upstreamLine: 18,
      patchedLine: 18,
      upstream: 'systemd_enable_service multi-user.target sshd.socket\ndosym ../sshd.socket /usr/lib/systemd/system/sockets.target.wants/sshd.socket\n}',
      patched: 'dosym ../sshd.socket /usr/lib/systemd/system/sockets.target.wants/sshd.socket\n}',
    });
  });

  it('reports a guard whose flag defaults the wrong way', async () => {
    const patched = PATCHED_INIT.replace('IUSE="test +openssh"', 'IUSE="test openssh"');
    const offByDefault = await compareReduced(UPSTREAM_INIT, patched, flags({ openssh: false, selinux: false }), { ignoreIuseFlags: ['openssh'] });
    expect(offByDefault?.upstreamLine).toBe(9);
  });

  it('reports an appended block that is not guarded', async () => {
    const patched = UPSTREAM_INIT.replace('}\n', '\trm -f "${ED}"/usr/bin/ssh-keygen\n}\n');
    const diff = await compareReduced(UPSTREAM_INIT, patched, STOCK);
    expect(diff).toMatchObject({ upstreamLine: 20, patchedLine: 20, upstream: '}', patched: 'rm -f "${ED}"/usr/bin/ssh-keygen\n}' });
  });

  it('reports a change under a flag whose state is unknown', async () => {
    const patched = UPSTREAM_INIT.replace('\tdosym ../sshd.socket', '\tuse mystery && dosym ../sshd.socket');
    expect((await compareReduced(UPSTREAM_INIT, patched, STOCK))?.patchedLine).toBe(19);
  });

  it('reports text the patched side adds at the end', async () => {
    const diff = await compareReduced(UPSTREAM_INIT, `${UPSTREAM_INIT}\npkg_postinst() {\n\telog hi\n}\n`, STOCK);
    expect(diff).toMatchObject({ upstreamLine: undefined, patchedLine: 22, upstream: '' });
  });
});

describe('exact text and known values', () => {
  const SED = 'src_prepare() {\n\tsed -i -e "s/a b/c/" x.conf\n\tcat > y <<-EOF\n\tkey  value\n\tEOF\n}\n';

  it('keeps whitespace inside quoted strings and here-docs', async () => {
    expect(await compareReduced(SED, SED.replace('"s/a b/c/"', '"s/a  b/c/"'), STOCK)).toBeDefined();
    expect(await compareReduced(SED, SED.replace('key  value', 'key value'), STOCK)).toBeDefined();
    expect(await compareReduced(SED, SED.replace('sed -i -e', 'sed  -i   -e').replace('\tsed', '    sed'), STOCK)).toBeUndefined();
  });

  it('collapses blank runs that end or start at a quoted string, and keeps a here-doc its first indentation', async () => {
    const mixed = 'x() {\n\techo   "  a  "   b\t\t\'c  \'  \n}\nA="  x  "  B=\'  \'\necho "a"  "b"   $(printf "%s  " x)\n';
    expect(await reduceEbuild(mixed, STOCK)).toBe('x() {\necho "  a  " b \'c  \'\n}\nA="  x  " B=\'  \'\necho "a" "b" $(printf "%s  " x)');
    const heredoc = 'src_install() {\n\tcat > a.yaml <<EOF\n  key: 1\n  other: 2\nEOF\n}\n';
    expect(await compareReduced(heredoc, heredoc.replace('  key', 'key'), STOCK)).toBeDefined();
    expect(await compareReduced(heredoc, heredoc.replace('  other', 'other'), STOCK)).toBeDefined();
    expect(await compareReduced(heredoc, heredoc.replace('\tcat > a.yaml', '    cat  >  a.yaml'), STOCK)).toBeUndefined();
  });

  it('ignores the order of IUSE tokens', async () => {
    expect(await compareReduced('IUSE="a +b c"\n', 'IUSE="c a +b"\n', STOCK)).toBeUndefined();
    expect(await compareReduced('IUSE="a +b c"\n', 'IUSE="c +a b"\n', STOCK)).toBeDefined();
  });

  it('decides tests of known variables and drops branches a stock build never takes', async () => {
    const variables = new Map([['PV', '1.2'], ['VARIANT', ''], ['BOARD', 'amd64-usr']]);
    const base = 'src_install() {\n\tdoins a\n}\n';
    const live = 'src_install() {\n\tdoins a\n\tif [[ ${PV} == *9999* ]]; then\n\t\tdoins live\n\tfi\n}\n';
    expect(await compareReduced(base, live, STOCK, { variables })).toBeUndefined();
    expect(await compareReduced(base, live, STOCK, { variables: new Map([['PV', '9999']]) })).toBeDefined();
    const exact = live.replace('*9999*', '9999');
    expect(await compareReduced(base, exact, STOCK, { variables })).toBeUndefined();
    expect(await compareReduced(base, exact, STOCK, { variables: new Map([['PV', '9999']]) })).toBeDefined();
    const nano = 'src_install() {\n\tdoins a\n\t[[ ${VARIANT} == nano ]] && doins nano\n\t[ -z "${VARIANT}" ] || doins other\n}\n';
    expect(await compareReduced(base, nano, STOCK, { variables })).toBeUndefined();
    const board = 'case "${BOARD}" in amd64-usr) x ;; esac\n';
    expect(await compareReduced(board, board.replace('${BOARD}', '${BOARD%%_*}'), STOCK, { variables })).toBeUndefined();
    expect(await compareReduced(board, board.replace('${BOARD}', '${BOARD%%-*}'), STOCK, { variables })).toBeDefined();
    expect(await compareReduced(board, board.replace('${BOARD}', '${BOARD%%_*}'), STOCK, { variables: new Map([['BOARD', 'amd64_x']]) })).toBeDefined();
  });

  it('drops the operands of a [[ a && b ]] chain a stock build knows to hold, and nothing else', async () => {
    const variables = new Map([['BOARD', 'amd64-usr']]);
    const stock = 'if [[ ${OFFICIAL:-0} -eq 1 && "${BOARD}" != arm64-usr ]]; then\n\tcheck\nfi\n';
    const nano = stock.replace('"${BOARD}" != arm64-usr', '"${BOARD%%_*}" != arm64-usr && "${BOARD}" != *_nano');
    expect(await compareReduced(stock, nano, STOCK, { variables })).toBeUndefined();
    expect(await compareReduced(stock, nano, STOCK, { variables: new Map([['BOARD', 'arm64-usr']]) })).toBeUndefined();
    expect(await compareReduced(stock, nano, STOCK, { variables: new Map([['BOARD', 'amd64-usr_nano']]) })).toBeDefined();
    expect(await compareReduced(stock, nano, STOCK)).toBeDefined();
    const unknown = stock.replace('"${BOARD}" != arm64-usr', '"${BOARD}" != arm64-usr && ${FLAVOR} != nano');
    expect(await compareReduced(stock, unknown, STOCK, { variables })).toBeDefined();
  });
});
