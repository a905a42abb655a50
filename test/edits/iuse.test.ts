import { describe, expect, it } from 'vitest';
import { applyEdit, EditError, type IuseAdd } from '../../src/edits/index.js';
import { applyTwice, changedLines } from './diff.js';
import { ctx, fourSpacesEbuild, noIuseEbuild, tabsEbuild, twoSpacesEbuild } from './fixtures.js';

const addOpenssh: IuseAdd = { type: 'iuse-add', flag: 'openssh', default: 'on' };

describe('iuse-add', () => {
  it('appends to a one-line double-quoted IUSE with a single space', () => {
    expect(changedLines(tabsEbuild, applyTwice(tabsEbuild, addOpenssh))).toEqual({
      removed: ['IUSE="test"'],
      added: ['IUSE="test +openssh"'],
    });
  });

  it('keeps an alphabetical single-quoted IUSE in order and declares default-off flags without +', () => {
    const edited = applyTwice(fourSpacesEbuild, { type: 'iuse-add', flag: 'bash', default: 'off' });
    expect(changedLines(fourSpacesEbuild, edited)).toEqual({ removed: ["IUSE='audit ntp'"], added: ["IUSE='audit bash ntp'"] });
  });

  it('sorts the new flag in only when the flags are in alphabetical order, + and - aside', () => {
    expect(applyTwice('EAPI=8\nIUSE="-audit +ntp zstd"\n', addOpenssh)).toBe('EAPI=8\nIUSE="-audit +ntp +openssh zstd"\n');
    expect(applyTwice('EAPI=8\nIUSE="zstd audit"\n', addOpenssh)).toBe('EAPI=8\nIUSE="zstd audit +openssh"\n');
    expect(applyTwice('EAPI=8\nIUSE="audit ntp"\n', addOpenssh)).toBe('EAPI=8\nIUSE="audit ntp +openssh"\n');
  });

  it('adds a line in the entries\' indentation to a multi-line IUSE, in alphabetical place', () => {
    expect(changedLines(twoSpacesEbuild, applyTwice(twoSpacesEbuild, addOpenssh))).toEqual({
      removed: [],
      added: ['  +openssh'],
    });
    expect(applyTwice(twoSpacesEbuild, addOpenssh)).toContain('IUSE="\n  doc\n  +openssh\n  +ssl\n"\n');
    expect(applyTwice('IUSE="\n\tssl\n\tdoc\n"\n', addOpenssh)).toBe('IUSE="\n\tssl\n\tdoc\n\t+openssh\n"\n');
  });

  it('adds a line before a closing quote that shares the last entry line', () => {
    const text = 'EAPI=8\nIUSE="a\n\tb c"\nSLOT="0"\n';
    expect(applyTwice(text, addOpenssh)).toBe('EAPI=8\nIUSE="a\n\tb c\n\t+openssh"\nSLOT="0"\n');
  });

  it('fills an empty IUSE and keeps trailing spaces inside the quotes', () => {
    expect(applyTwice('EAPI=8\nIUSE=""\n', addOpenssh)).toBe('EAPI=8\nIUSE="+openssh"\n');
    expect(applyTwice('EAPI=8\nIUSE="a " # c\n', addOpenssh)).toBe('EAPI=8\nIUSE="a +openssh " # c\n');
  });

  it('prefers the plain assignment over IUSE+=, and uses IUSE+= when it is the only one', () => {
    const both = 'EAPI=8\nIUSE+=" x"\nIUSE="a"\n';
    expect(applyTwice(both, addOpenssh)).toBe('EAPI=8\nIUSE+=" x"\nIUSE="a +openssh"\n');
    expect(applyTwice('EAPI=8\nIUSE+=" x"\n', addOpenssh)).toBe('EAPI=8\nIUSE+=" x +openssh"\n');
  });

  it('creates IUSE after the last top-level DESCRIPTION/HOMEPAGE/LICENSE/SLOT/KEYWORDS line', () => {
    expect(changedLines(noIuseEbuild, applyTwice(noIuseEbuild, addOpenssh))).toEqual({
      removed: [],
      added: ['IUSE="+openssh"'],
    });
    expect(applyTwice(noIuseEbuild, addOpenssh)).toContain('SLOT="0"\nIUSE="+openssh"\n\nRDEPEND');
  });

  it('ignores KEYWORDS inside an if block when creating IUSE', () => {
    const withoutIuse = tabsEbuild.replace('IUSE="test"\n', '');
    expect(applyTwice(withoutIuse, addOpenssh)).toContain('SLOT="0/${PVR}"\nIUSE="+openssh"\nRESTRICT');
  });

  it('falls back to inherit, then to EAPI', () => {
    expect(applyTwice('EAPI=8\ninherit a \\\n\tb\n\nS="${WORKDIR}"\n', addOpenssh)).toBe(
      'EAPI=8\ninherit a \\\n\tb\nIUSE="+openssh"\n\nS="${WORKDIR}"\n',
    );
    expect(applyTwice('EAPI=7\n', addOpenssh)).toBe('EAPI=7\nIUSE="+openssh"\n');
  });

  it('does not take IUSE text inside comments, strings or heredocs for the assignment', () => {
    const text = 'EAPI=8\n# IUSE="old"\nSLOT="0"\nsrc_install() {\n\tcat <<EOF\nIUSE="x"\nEOF\n}\n';
    expect(changedLines(text, applyTwice(text, addOpenssh))).toEqual({ removed: [], added: ['IUSE="+openssh"'] });
  });

  it('reports a flag already declared with the other default', () => {
    expect(() => applyEdit('IUSE="openssh"\n', addOpenssh, ctx)).toThrow(
      "layer ssh: app-misc/demo/demo-1.ebuild: IUSE already declares 'openssh', not '+openssh'",
    );
  });

  it('names layer, file and anchor when there is nowhere to add IUSE', () => {
    const attempt = () => applyEdit('# empty\n', addOpenssh, ctx);
    expect(attempt).toThrow(EditError);
    expect(attempt).toThrow(/^layer ssh: app-misc\/demo\/demo-1\.ebuild: cannot find IUSE, nor a DESCRIPTION/);
  });
});
