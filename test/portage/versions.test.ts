import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareVersions,
  compareVersionsWithoutRevision,
  parseVersion,
  revisionOf,
  tryParseVersion,
  versionMatchesGlob,
  withoutRevision,
} from '../../src/portage/versions.js';
import { parseEbuildPath, splitPackageVersion } from '../../src/portage/ebuild-path.js';
import { InputError } from '../../src/errors.js';

describe('parseVersion', () => {
  it('splits every part', () => {
    const v = parseVersion('1.2.3b_alpha4_p-r5');
    expect(v.numbers).toEqual(['1', '2', '3']);
    expect(v.letter).toBe('b');
    expect(v.suffixes).toEqual([
      { kind: 'alpha', number: '4' },
      { kind: 'p', number: '' },
    ]);
    expect(v.revision).toBe('5');
  });

  it.each(['', '1.', '.1', 'a1', '1.0A', '1.0_gamma', '1.0-r', '1.0-r1-r2', '1.0ab', '1..0', '1.0_p1a', '1-1'])(
    'rejects %j',
    (text) => {
      expect(tryParseVersion(text)).toBeUndefined();
      expect(() => parseVersion(text)).toThrow(InputError);
    },
  );

  it.each(['0', '9999', '1.0.0', '2024.01.15', '1.0a', '1_rc', '1.0_pre20240101', '3-r0', '1.0_alpha_beta_p2-r10'])(
    'accepts %j',
    (text) => expect(tryParseVersion(text)?.text).toBe(text),
  );
});

describe('compareVersions (PMS §3.3)', () => {
  // [a, b, expected sign of compare(a, b)]
  const table: [string, string, -1 | 0 | 1][] = [
    ['1.0', '1.00', 0],
    ['1.0_alpha', '1.0', -1],
    ['1.0-r1', '1.0-r01', 0],
    ['1.01', '1.1', -1],
    ['1.0a', '1.0', 1],
    ['1.0_p1', '1.0', 1],
    ['1.0', '1.0-r0', 0],
    ['1.0', '1.0.0', -1],
    ['1.0.0', '1.0a', 1],
    ['1.010', '1.01', 0],
    ['1.010', '1.1', -1],
    ['1.0001', '1.001', -1],
    ['01', '1', 0],
    ['1.2', '1.10', -1],
    ['2', '10', -1],
    ['1.0_alpha', '1.0_beta', -1],
    ['1.0_beta', '1.0_pre', -1],
    ['1.0_pre', '1.0_rc', -1],
    ['1.0_rc', '1.0_p', -1],
    ['1.0_rc1', '1.0_rc', 1],
    ['1.0_rc', '1.0_rc0', 0],
    ['1.0_alpha_p', '1.0_alpha', 1],
    ['1.0_alpha_beta', '1.0_alpha', -1],
    ['1.0_p_alpha', '1.0_p', -1],
    ['1.0-r2', '1.0-r10', -1],
    ['1.0_p1-r1', '1.0_p1', 1],
    ['9999', '2024.1', 1],
    ['0.0.1-r320', '0.0.1-r99', 1],
    ['12345678901234567890', '12345678901234567891', -1],
    ['1.0b', '1.0a', 1],
    ['1.0z', '1.0.1', -1],
  ];

  it.each(table)('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(-expected || 0);
  });

  it('can ignore revisions', () => {
    expect(compareVersionsWithoutRevision('1.0-r3', '1.0-r1')).toBe(0);
    expect(compareVersionsWithoutRevision('1.1-r1', '1.0-r3')).toBe(1);
  });

  const component = fc.oneof(fc.constantFrom('0', '00', '1', '01', '010', '10', '2', '9999'), fc.nat({ max: 30 }).map(String));
  const version = fc
    .record({
      numbers: fc.array(component, { minLength: 1, maxLength: 4 }),
      letter: fc.option(fc.constantFrom('a', 'b', 'z'), { nil: undefined }),
      suffixes: fc.array(
        fc.record({ kind: fc.constantFrom('alpha', 'beta', 'pre', 'rc', 'p'), number: fc.constantFrom('', '0', '1', '2', '01') }),
        { maxLength: 3 },
      ),
      revision: fc.option(fc.constantFrom('0', '1', '01', '2', '10'), { nil: undefined }),
    })
    .map(
      ({ numbers, letter, suffixes, revision }) =>
        numbers.join('.') +
        (letter ?? '') +
        suffixes.map((s) => `_${s.kind}${s.number}`).join('') +
        (revision === undefined ? '' : `-r${revision}`),
    );

  it('generates only valid versions', () => {
    fc.assert(fc.property(version, (v) => tryParseVersion(v) !== undefined));
  });

  it('is antisymmetric and reflexive', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(compareVersions(a, a)).toBe(0);
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareVersions);
        expect(compareVersions(x!, y!)).toBeLessThanOrEqual(0);
        expect(compareVersions(y!, z!)).toBeLessThanOrEqual(0);
        expect(compareVersions(x!, z!)).toBeLessThanOrEqual(0);
        if (compareVersions(x!, y!) === 0 && compareVersions(y!, z!) === 0) expect(compareVersions(x!, z!)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('revisions and globs', () => {
  it('strips and reads the revision', () => {
    expect(withoutRevision('1.0_p1-r3')).toBe('1.0_p1');
    expect(withoutRevision('1.0')).toBe('1.0');
    expect(revisionOf('1.0-r03')).toBe(3);
    expect(revisionOf('1.0')).toBe(0);
    expect(() => revisionOf('nope')).toThrow(InputError);
  });

  it.each([
    ['1', '1.2.3', true],
    ['1', '10', false],
    ['1.2', '1.2', true],
    ['1.2', '1.2a', true],
    ['1.2', '1.20', false],
    ['1.2', '1.3', false],
    ['1.2_rc', '1.2_rc1', true],
    ['1.2_rc', '1.2', false],
    ['1.2-r1', '1.2-r1', true],
    ['1.2-r1', '1.2-r2', false],
    ['1.2a', '1.2.1', false],
  ] as const)('=%s* against %s is %s', (pattern, candidate, expected) => {
    expect(versionMatchesGlob(pattern, candidate)).toBe(expected);
  });
});

describe('parseEbuildPath', () => {
  it('reads a plain ebuild', () => {
    expect(parseEbuildPath('coreos-base/coreos-init/coreos-init-9999.ebuild')).toEqual({
      category: 'coreos-base',
      package: 'coreos-init',
      version: '9999',
      revision: 0,
      cpv: 'coreos-base/coreos-init-9999',
      path: 'coreos-base/coreos-init/coreos-init-9999.ebuild',
    });
  });

  it('splits revisions and hyphenated names with digits', () => {
    const p = parseEbuildPath('media-libs/x264-enc/x264-enc-0.164_p20240101-r2.ebuild');
    expect(p).toMatchObject({ category: 'media-libs', package: 'x264-enc', version: '0.164_p20240101', revision: 2 });
    expect(parseEbuildPath('x11-libs/gtk+/gtk+-3.24.41.ebuild')).toMatchObject({ package: 'gtk+', version: '3.24.41' });
    expect(parseEbuildPath('sys-apps/misc-files/misc-files-0-r9.ebuild')).toMatchObject({ package: 'misc-files', version: '0', revision: 9 });
    expect(parseEbuildPath('a/foo-r2/foo-r2-1.0.ebuild')).toMatchObject({ package: 'foo-r2', version: '1.0', revision: 0 });
  });

  it('keeps any prefix in path but reads the last three segments', () => {
    const path = 'sdk_container/src/third_party/coreos-overlay/app-misc/jq/jq-1.7_p1-r1.ebuild';
    expect(parseEbuildPath(path)).toMatchObject({ category: 'app-misc', package: 'jq', version: '1.7_p1', revision: 1, path });
  });

  it('rejects non-ebuilds and mismatched names', () => {
    expect(parseEbuildPath('app-misc/jq/metadata.xml')).toBeUndefined();
    expect(parseEbuildPath('app-misc/jq/yq-1.0.ebuild')).toBeUndefined();
    expect(parseEbuildPath('app-misc/jq/jq.ebuild')).toBeUndefined();
    expect(parseEbuildPath('jq/jq-1.0.ebuild')).toBeUndefined();
    // PMS forbids package names ending in '-' plus a version.
    expect(parseEbuildPath('x11-libs/gtk+-3/gtk+-3-3.24.41.ebuild')).toBeUndefined();
  });

  it('splits package and version', () => {
    expect(splitPackageVersion('foo-bar-1.0-r1')).toEqual({ package: 'foo-bar', version: '1.0-r1' });
    expect(splitPackageVersion('foo')).toBeUndefined();
  });
});
