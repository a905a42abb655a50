import { describe, expect, it } from 'vitest';
import { loadBashParser } from '../../src/portage/bash-parser.js';
import { filesdirRefs, parseEbuild, usedFlags } from '../../src/portage/ebuild.js';
import { InputError } from '../../src/errors.js';

const EBUILD = `# Copyright 2024 Flatcar Maintainers
EAPI=8

inherit systemd tmpfiles
inherit "toolchain-funcs"

DESCRIPTION='Misc files'
IUSE="audit +openssh"
IUSE+=" bash"
REQUIRED_USE="?? ( openssh !bash )"
PATCHES=(
\t"\${FILESDIR}"/0001-fix.patch
\t"\${FILESDIR}/\${PN}-2.patch"
)
RDEPEND="
\taudit? ( sys-process/audit )
\t!bash? (
\t\tapp-misc/no-bash
\t)
"

src_configure() {
\t# use comment   \${FILESDIR}/not-a-ref
\teconf $(use_enable audit) $(use_with openssh ssh) $(usex bash --bash '')
}

src_install() {
\tif use !openssh; then
\t\tnewins "\${FILESDIR}/sshd.conf" sshd.conf
\tfi
\tusev audit
\tin_iuse foo && echo
\tdoins $FILESDIR/plain
}
`;

describe('loadBashParser', () => {
  it('loads the grammar once', async () => {
    expect(await loadBashParser()).toBe(await loadBashParser());
  });
});

describe('parseEbuild', () => {
  it('reads top-level assignments, appends, arrays, inherits and phases with lines', async () => {
    const model = await parseEbuild(EBUILD, 'misc-files-0.ebuild');
    expect(model.eapi).toBe('8');
    expect(model.inherits).toEqual([
      { eclasses: ['systemd', 'tmpfiles'], line: 4 },
      { eclasses: ['toolchain-funcs'], line: 5 },
    ]);
    expect(model.assignments.map((a) => [a.name, a.operator, a.line, a.endLine])).toEqual([
      ['EAPI', '=', 2, 2],
      ['DESCRIPTION', '=', 7, 7],
      ['IUSE', '=', 8, 8],
      ['IUSE', '+=', 9, 9],
      ['REQUIRED_USE', '=', 10, 10],
      ['PATCHES', '=', 11, 14],
      ['RDEPEND', '=', 15, 20],
    ]);
    expect(model.assignments[1]!.value).toBe('Misc files');
    expect(model.assignments[3]!.value).toBe(' bash');
    expect(model.assignments[5]).toMatchObject({ isArray: true });
    expect(model.assignments[5]!.value).toContain('"${FILESDIR}"/0001-fix.patch');
    expect(model.functions).toEqual([
      { name: 'src_configure', line: 22, endLine: 25 },
      { name: 'src_install', line: 27, endLine: 34 },
    ]);
  });

  it('rejects text that is not bash, with its line', async () => {
    await expect(parseEbuild('EAPI=8\nsrc_install() {\n\tif true; then\n}\n', 'x.ebuild')).rejects.toThrow(InputError);
    await expect(parseEbuild('EAPI=8\nx=( a\n', 'x.ebuild')).rejects.toThrow(/^x\.ebuild:\d+: not valid bash$/);
  });
});

describe('usedFlags', () => {
  it('finds every flag test with its line', async () => {
    expect((await usedFlags(EBUILD)).map((u) => `${u.line} ${u.kind} ${u.flag}`)).toEqual([
      '10 required_use openssh',
      '10 required_use bash',
      '16 conditional audit',
      '17 conditional bash',
      '24 use_enable audit',
      '24 use_with openssh',
      '24 usex bash',
      '28 use openssh',
      '31 usev audit',
      '32 in_iuse foo',
    ]);
  });
});

describe('filesdirRefs', () => {
  it('finds FILESDIR references outside comments', async () => {
    expect(await filesdirRefs(EBUILD)).toEqual([
      { path: '0001-fix.patch', line: 12 },
      { path: '${PN}-2.patch', line: 13 },
      { path: 'sshd.conf', line: 29 },
      { path: 'plain', line: 33 },
    ]);
  });
});
