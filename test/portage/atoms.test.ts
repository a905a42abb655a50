import { describe, expect, it } from 'vitest';
import { atomKey, atomMatches, entriesNaming, formatAtom, parseAtom } from '../../src/portage/atoms.js';
import { InputError } from '../../src/errors.js';

describe('parseAtom', () => {
  it('reads a bare atom', () => {
    expect(parseAtom('net-misc/openssh')).toEqual({
      blocker: undefined,
      operator: undefined,
      category: 'net-misc',
      package: 'openssh',
      version: undefined,
      slot: undefined,
      subslot: undefined,
      slotOperator: undefined,
      repo: undefined,
      useDeps: [],
    });
  });

  it('reads every part', () => {
    const atom = parseAtom('!!>=dev-libs/openssl-3.0.13-r1:0/3=::portage-stable[-bindist(-),static-libs?,!test=,foo(+)=,!bar?,baz]');
    expect(atom).toMatchObject({
      blocker: '!!',
      operator: '>=',
      category: 'dev-libs',
      package: 'openssl',
      version: '3.0.13-r1',
      slot: '0',
      subslot: '3',
      slotOperator: '=',
      repo: 'portage-stable',
    });
    expect(atom.useDeps).toEqual([
      { flag: 'bindist', kind: 'disabled', missingDefault: '-' },
      { flag: 'static-libs', kind: 'ifEnabled', missingDefault: undefined },
      { flag: 'test', kind: 'opposite', missingDefault: undefined },
      { flag: 'foo', kind: 'equal', missingDefault: '+' },
      { flag: 'bar', kind: 'ifDisabled', missingDefault: undefined },
      { flag: 'baz', kind: 'enabled', missingDefault: undefined },
    ]);
  });

  it('reads slot operators, globs and hyphenated names', () => {
    expect(parseAtom('dev-lang/perl:=')).toMatchObject({ slot: undefined, slotOperator: '=' });
    expect(parseAtom('dev-lang/python:*')).toMatchObject({ slot: undefined, slotOperator: '*' });
    expect(parseAtom('dev-lang/python:3.12')).toMatchObject({ slot: '3.12', slotOperator: undefined });
    expect(parseAtom('=sys-kernel/coreos-sources-6.6*')).toMatchObject({ operator: '=*', package: 'coreos-sources', version: '6.6' });
    expect(parseAtom('~x11-libs/gtk+-3.24.41')).toMatchObject({ operator: '~', package: 'gtk+', version: '3.24.41' });
    expect(parseAtom('>=media-libs/x264-enc-0.164')).toMatchObject({ package: 'x264-enc', version: '0.164' });
    expect(parseAtom('!sys-apps/foo-r2')).toMatchObject({ blocker: '!', package: 'foo-r2' });
  });

  it.each([
    'openssh',
    'net-misc/',
    '>=net-misc/openssh',
    'net-misc/openssh-9.6',
    '>=net-misc/openssh-9.6*',
    '~net-misc/openssh-9.6-r1',
    'net-misc/openssh[ssl',
    'net-misc/openssh[-ssl=]',
    'net-misc/openssh[]',
    'net-misc/openssh:',
    'net-misc/openssh:a/b/c',
    'net-misc/openssh::',
    'a/b/c',
    'x11-libs/gtk+-3',
  ])('rejects %j', (text) => {
    expect(() => parseAtom(text, 'file:3')).toThrow(InputError);
    expect(() => parseAtom(text, 'file:3')).toThrow(/^file:3: invalid/);
  });

  it.each([
    'net-misc/openssh',
    '!!>=dev-libs/openssl-3.0.13-r1:0/3=::portage-stable[-bindist(-),static-libs?,!test=,foo(+)=,!bar?,baz]',
    '=sys-kernel/coreos-sources-6.6*',
    'dev-lang/perl:=',
    'dev-lang/python:*',
    '<sys-apps/systemd-256:0',
  ])('formats %j back to itself', (text) => {
    expect(formatAtom(parseAtom(text))).toBe(text);
  });

  it('names the package', () => {
    expect(atomKey(parseAtom('>=a-b/c-d-1'))).toBe('a-b/c-d');
  });
});

describe('atomMatches', () => {
  const cases: [string, string, boolean][] = [
    ['net-misc/openssh', 'net-misc/openssh-9.6_p1-r3', true],
    ['net-misc/openssh', 'net-misc/openssh-server-1', false],
    ['net-misc/openssh', 'app-misc/openssh-1', false],
    ['=a/b-1.0', 'a/b-1.00', true],
    ['=a/b-1.0', 'a/b-1.0-r1', false],
    ['=a/b-1.0-r1', 'a/b-1.0-r01', true],
    ['~a/b-1.0', 'a/b-1.0-r5', true],
    ['~a/b-1.0', 'a/b-1.0.1', false],
    ['>=a/b-1.0', 'a/b-1.0_p1', true],
    ['>=a/b-1.0', 'a/b-1.0_rc9', false],
    ['>a/b-1.0', 'a/b-1.0', false],
    ['>a/b-1.0', 'a/b-1.0-r1', true],
    ['<a/b-2', 'a/b-2_alpha', true],
    ['<=a/b-2', 'a/b-2-r0', true],
    ['=a/b-1.2*', 'a/b-1.2.3', true],
    ['=a/b-1*', 'a/b-10', false],
    ['!a/b', 'a/b-1', true],
  ];
  it.each(cases)('%s against %s is %s', (atom, cpv, expected) => {
    expect(atomMatches(parseAtom(atom), { cpv })).toBe(expected);
  });

  it('checks slot, subslot and repository when the candidate has them', () => {
    const atom = parseAtom('dev-lang/python:3.12/3.12t::gentoo');
    expect(atomMatches(atom, { cpv: 'dev-lang/python-3.12.1' })).toBe(true);
    expect(atomMatches(atom, { cpv: 'dev-lang/python-3.12.1', slot: '3.12', subslot: '3.12t', repo: 'gentoo' })).toBe(true);
    expect(atomMatches(atom, { cpv: 'dev-lang/python-3.11.1', slot: '3.11' })).toBe(false);
    expect(atomMatches(atom, { cpv: 'dev-lang/python-3.12.1', slot: '3.12', subslot: '3.12' })).toBe(false);
    expect(atomMatches(atom, { cpv: 'dev-lang/python-3.12.1', repo: 'portage-stable' })).toBe(false);
  });

  it('rejects a candidate without a version', () => {
    expect(() => atomMatches(parseAtom('a/b'), { cpv: 'a/b' })).toThrow(InputError);
  });
});

describe('entriesNaming', () => {
  it('keeps the entries whose atom names the package, in their order, and every entry for a name that is no cpv', () => {
    const entries = ['>=sys-apps/a-2', 'sys-apps/b', 'sys-apps/a-extra', '<sys-apps/a-1', 'dev-libs/a'].map((text) => ({ atom: parseAtom(text), text }));
    expect(entriesNaming(entries, 'sys-apps/a-1.5').map((entry) => entry.text)).toEqual(['>=sys-apps/a-2', '<sys-apps/a-1']);
    expect(entriesNaming(entries, 'sys-apps/a-extra-3').map((entry) => entry.text)).toEqual(['sys-apps/a-extra']);
    expect(entriesNaming(entries, 'app-misc/none-1')).toEqual([]);
    expect(entriesNaming(entries, 'no-version')).toBe(entries);
  });
});
