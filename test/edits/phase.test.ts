import { describe, expect, it } from 'vitest';
import { applyEdit, type PhaseAppend } from '../../src/edits/index.js';
import { applyTwice, changedLines } from './diff.js';
import { ctx, fourSpacesEbuild, noIuseEbuild, tabsEbuild, twoSpacesEbuild } from './fixtures.js';

const body = 'rm -f "${ED}"/usr/lib/systemd/system/sshd.socket || die\nif [[ -d ${ED}/etc/ssh ]]; then\n\trm -r "${ED}"/etc/ssh || die\nfi\n';

function append(phase: string, extra: Partial<PhaseAppend> = {}): PhaseAppend {
  return { type: 'phase-append', phase, flag: '!openssh', body, ...extra };
}

describe('phase-append', () => {
  it('appends before the closing brace with tabs, after trailing code in an if, ignoring braces in strings', () => {
    const edited = applyTwice(tabsEbuild, append('src_install'));
    expect(changedLines(tabsEbuild, edited)).toEqual({
      removed: [],
      added: [
        '\tif ! use openssh; then',
        '\t\trm -f "${ED}"/usr/lib/systemd/system/sshd.socket || die',
        '\t\tif [[ -d ${ED}/etc/ssh ]]; then',
        '\t\t\trm -r "${ED}"/etc/ssh || die',
        '\t\tfi',
        '\tfi',
      ],
    });
    expect(edited.endsWith('\tfi\n}\n')).toBe(true);
  });

  it('uses the function\'s four-space unit and skips a heredoc holding a closing brace', () => {
    const edited = applyTwice(fourSpacesEbuild, append('src_install', { flag: 'ntp', body: 'einfo one\neinfo two' }));
    expect(changedLines(fourSpacesEbuild, edited)).toEqual({
      removed: [],
      added: ['    if use ntp; then', '        einfo one', '        einfo two', '    fi'],
    });
  });

  it('handles name()\\n{ with two spaces', () => {
    const edited = applyTwice(twoSpacesEbuild, append('src_prepare', { body: 'sed -i -e "s/a/b/" x || die' }));
    expect(edited).toContain('src_prepare()\n{\n  default\n  if ! use openssh; then\n    sed -i -e "s/a/b/" x || die\n  fi\n}\n');
  });

  it('rewrites a one-line function over several lines in the file\'s style', () => {
    const edited = applyTwice(twoSpacesEbuild, append('src_install', { body: 'rm x' }));
    expect(changedLines(twoSpacesEbuild, edited)).toEqual({
      removed: ['src_install() { default; }'],
      added: ['src_install() {', '  default', '  if ! use openssh; then', '    rm x', '  fi', '}'],
    });
  });

  it('moves code sharing the closing brace\'s line onto its own line', () => {
    const text = 'EAPI=8\n\nsrc_install() {\n\tdoins a\n\tdoins b; }\n';
    expect(applyTwice(text, append('src_install', { flag: 'x', body: 'rm y' }))).toBe(
      'EAPI=8\n\nsrc_install() {\n\tdoins a\n\tdoins b\n\tif use x; then\n\t\trm y\n\tfi\n}\n',
    );
  });

  it('treats the same block with other whitespace as already applied', () => {
    const text = 'src_install() {\n\tdefault\n\tif use x;   then\n   rm y\n fi\n}\n';
    expect(applyEdit(text, append('src_install', { flag: 'x', body: 'rm y' }), ctx)).toEqual({ text, status: 'already-applied' });
  });

  it('creates a missing phase at the end of the file when asked, calling default first', () => {
    const edited = applyTwice(noIuseEbuild, append('src_install', { createPhase: true, callDefault: true, body: 'rm x' }));
    expect(edited).toBe(`${noIuseEbuild}\nsrc_install() {\n\tdefault\n\tif ! use openssh; then\n\t\trm x\n\tfi\n}\n`);
    const spaces = applyTwice(fourSpacesEbuild, append('pkg_postinst', { createPhase: true, body: 'elog hi' }));
    expect(spaces).toBe(`${fourSpacesEbuild}\npkg_postinst() {\n    if ! use openssh; then\n        elog hi\n    fi\n}\n`);
  });

  it('names layer, file and function when the phase is missing', () => {
    expect(() => applyEdit(noIuseEbuild, append('src_install'), ctx)).toThrow(
      'layer ssh: app-misc/demo/demo-1.ebuild: cannot find function src_install()',
    );
  });

  it('does not take a function name inside a comment or another name for the phase', () => {
    const text = '# src_install() {\nmy_src_install() {\n\t:\n}\n';
    expect(() => applyEdit(text, append('src_install'), ctx)).toThrow('cannot find function src_install()');
  });
});
