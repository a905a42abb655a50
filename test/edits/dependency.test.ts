import { describe, expect, it } from 'vitest';
import { applyEdit } from '../../src/edits/index.js';
import { applyTwice, changedLines } from './diff.js';
import { ctx, fourSpacesEbuild, tabsEbuild, twoSpacesEbuild } from './fixtures.js';

describe('dep-conditional', () => {
  it('wraps an atom on a line of its own on that line, keeping the tab', () => {
    const edited = applyTwice(tabsEbuild, { type: 'dep-conditional', atom: 'net-misc/openssh', flag: 'openssh' });
    expect(changedLines(tabsEbuild, edited)).toEqual({
      removed: ['\tnet-misc/openssh'],
      added: ['\topenssh? ( net-misc/openssh )'],
    });
  });

  it('finds atoms with operators, versions and revisions in a ${DEPEND}-prefixed RDEPEND', () => {
    const edited = applyTwice(tabsEbuild, { type: 'dep-conditional', variable: 'RDEPEND', atom: 'sys-apps/systemd', flag: '!nano' });
    expect(changedLines(tabsEbuild, edited)).toEqual({
      removed: ['\t>=sys-apps/systemd-207-r5'],
      added: ['\t!nano? ( >=sys-apps/systemd-207-r5 )'],
    });
  });

  it('wraps just the token when the atom shares its line, with slot and USE deps', () => {
    const edited = applyTwice(twoSpacesEbuild, { type: 'dep-conditional', atom: 'net-misc/openssh', flag: 'openssh' });
    expect(changedLines(twoSpacesEbuild, edited)).toEqual({
      removed: ['RDEPEND=">=net-misc/openssh-9.0:= sys-libs/pam[static-libs] || ( app-a/one app-b/two )'],
      added: ['RDEPEND="openssh? ( >=net-misc/openssh-9.0:= ) sys-libs/pam[static-libs] || ( app-a/one app-b/two )'],
    });
    const pam = applyTwice(twoSpacesEbuild, { type: 'dep-conditional', variable: 'RDEPEND', atom: 'sys-libs/pam', flag: 'pam' });
    expect(pam).toContain(' pam? ( sys-libs/pam[static-libs] ) || (');
  });

  it('wraps atoms inside other groups and an atom right before the closing quote', () => {
    const edited = applyTwice(twoSpacesEbuild, { type: 'dep-conditional', atom: 'dev-libs/openssl', flag: 'tls' });
    expect(changedLines(twoSpacesEbuild, edited).added).toEqual(['  ssl? ( tls? ( dev-libs/openssl:0= ) )"']);
    const anyOf = applyTwice(twoSpacesEbuild, { type: 'dep-conditional', atom: 'app-b/two', flag: 'two' });
    expect(anyOf).toContain('|| ( app-a/one two? ( app-b/two ) )');
  });

  it('does not match packages whose name only starts with the atom, nor blockers', () => {
    const edited = applyTwice(twoSpacesEbuild, { type: 'dep-conditional', atom: 'net-misc/openssh', flag: 'openssh' });
    expect(edited).toContain('RDEPEND+=" net-misc/openssh-contrib"');
    expect(() =>
      applyEdit('RDEPEND="!net-misc/openssh"\n', { type: 'dep-conditional', atom: 'net-misc/openssh', flag: 'x' }, ctx),
    ).toThrow('cannot find dependency net-misc/openssh');
  });

  it('searches RDEPEND+= and every *DEPEND variable when no variable is named', () => {
    const contrib = applyTwice(twoSpacesEbuild, { type: 'dep-conditional', atom: 'net-misc/openssh-contrib', flag: 'x' });
    expect(changedLines(twoSpacesEbuild, contrib).added).toEqual(['RDEPEND+=" x? ( net-misc/openssh-contrib )"']);
    const common = 'COMMON_DEPEND="a/b"\nDEPEND="${COMMON_DEPEND} a/b:2"\nRDEPEND="${COMMON_DEPEND}"\n';
    expect(applyTwice(common, { type: 'dep-conditional', atom: 'a/b', flag: 'f' })).toBe(
      'COMMON_DEPEND="f? ( a/b )"\nDEPEND="${COMMON_DEPEND} f? ( a/b:2 )"\nRDEPEND="${COMMON_DEPEND}"\n',
    );
  });

  it('reports already-applied for an atom already under the flag, and wraps one under another flag', () => {
    expect(applyEdit(fourSpacesEbuild, { type: 'dep-conditional', atom: 'net-misc/ntp', flag: 'ntp' }, ctx)).toEqual({
      text: fourSpacesEbuild,
      status: 'already-applied',
    });
    const nested = applyTwice(fourSpacesEbuild, { type: 'dep-conditional', atom: 'net-misc/ntp', flag: 'nano' });
    expect(changedLines(fourSpacesEbuild, nested).added).toEqual(['    ntp? ( nano? ( >=net-misc/ntp-4.2.8_p17 ) )']);
  });

  it('names the atom and the variable when the atom is missing', () => {
    expect(() => applyEdit(tabsEbuild, { type: 'dep-conditional', variable: 'BDEPEND', atom: 'net-misc/openssh', flag: 'x' }, ctx)).toThrow(
      'layer ssh: app-misc/demo/demo-1.ebuild: cannot find dependency net-misc/openssh in BDEPEND',
    );
    expect(() => applyEdit(tabsEbuild, { type: 'dep-conditional', atom: 'net-misc/dropbear', flag: 'x' }, ctx)).toThrow(
      'cannot find dependency net-misc/dropbear in the *DEPEND variables',
    );
  });
});
