import { describe, expect, it } from 'vitest';
import { applyEdit } from '../../src/edits/index.js';
import { applyTwice, changedLines } from './diff.js';
import { ctx, noIuseEbuild, twoSpacesEbuild } from './fixtures.js';

describe('patches-add', () => {
  it('applies the patch under the flag at the start of an existing src_prepare, before default', () => {
    const edited = applyTwice(twoSpacesEbuild, { type: 'patches-add', flag: '!openssh', patch: 'nano/0001-no-ssh.patch' });
    expect(changedLines(twoSpacesEbuild, edited)).toEqual({
      removed: [],
      added: ['  if ! use openssh; then', '    eapply "${FILESDIR}/nano/0001-no-ssh.patch"', '  fi'],
    });
    expect(edited).toContain('{\n  if ! use openssh; then\n    eapply "${FILESDIR}/nano/0001-no-ssh.patch"\n  fi\n  default\n}');
  });

  it('keeps code that shares the opening brace\'s line after the block', () => {
    const text = 'EAPI=8\nsrc_prepare() { default\n\teapply_user\n}\n';
    expect(applyTwice(text, { type: 'patches-add', flag: 'x', patch: '${PN}-fix.patch' })).toBe(
      'EAPI=8\nsrc_prepare() {\n\tif use x; then\n\t\teapply "${FILESDIR}/${PN}-fix.patch"\n\tfi\n\tdefault\n\teapply_user\n}\n',
    );
  });

  it('creates src_prepare that extends PATCHES under the flag and calls default, or the named eclass phase', () => {
    const created = applyTwice(noIuseEbuild, { type: 'patches-add', flag: 'x', patch: 'a.patch' });
    expect(created).toBe(`${noIuseEbuild}\nsrc_prepare() {\n\tuse x && PATCHES+=( "\${FILESDIR}/a.patch" )\n\tdefault\n}\n`);
    const eclass = applyTwice(noIuseEbuild, { type: 'patches-add', flag: '!x', patch: 'a.patch', prepareCall: 'cmake_src_prepare' });
    expect(eclass.endsWith('\tuse x || PATCHES+=( "${FILESDIR}/a.patch" )\n\tcmake_src_prepare\n}\n')).toBe(true);
  });

  it('puts a created src_prepare before the first later phase and the comment above it', () => {
    const text = 'EAPI=8\ninherit distutils-r1\nPATCHES=( "${FILESDIR}/0001.patch" )\n\n# Move things.\npython_install() {\n\tdistutils-r1_python_install\n}\n';
    const edit = { type: 'patches-add', flag: '!ssh', patch: 'b.patch', prepareCall: 'distutils-r1_src_prepare' } as const;
    expect(applyTwice(text, edit)).toBe(
      'EAPI=8\ninherit distutils-r1\nPATCHES=( "${FILESDIR}/0001.patch" )\n\n' +
        'src_prepare() {\n\tuse ssh || PATCHES+=( "${FILESDIR}/b.patch" )\n\tdistutils-r1_src_prepare\n}\n\n' +
        '# Move things.\npython_install() {\n\tdistutils-r1_python_install\n}\n',
    );
  });

  it('refuses EAPIs without eapply', () => {
    expect(() => applyEdit('EAPI=5\nsrc_prepare() {\n\t:\n}\n', { type: 'patches-add', flag: 'x', patch: 'a.patch' }, ctx)).toThrow(
      'layer ssh: app-misc/demo/demo-1.ebuild: patches-add needs EAPI 6 or later for eapply, the file has EAPI 5',
    );
  });
});
