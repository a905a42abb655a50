import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { locations, replace, validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const NANO_VALUES = 'profiles:\n  stock: [coreos/amd64/generic/prod]\n  nano: [coreos/amd64/lean]\n';
const TOOLS = 'sys-apps/demo-tools/demo-tools-2.1.0.ebuild';

/** A layer adding the lean profile with `lines` in its package.use. */
const lean = (lines: string, extra: Record<string, string> = {}) => ({
  name: 'lean',
  add: { 'profiles/coreos/amd64/lean/parent': '../generic\n', 'profiles/coreos/amd64/lean/package.use': lines, ...extra },
});

/** A layer introducing `shell` (stock default on) in demo-tools for the lean image to turn off. */
const shellFlag = {
  name: 'tools-shell',
  flags: [{ name: 'shell', default: 'on' as const, packages: ['sys-apps/demo-tools'] }],
  edits: [{ file: TOOLS, type: 'iuse-add', flag: 'shell', default: 'on' }],
};

describe('ProfileLineNoEffect', () => {
  it('fires at a line a force elsewhere overrides, naming the forcing line, and stays quiet for lines that change USE', async () => {
    const force = 'profiles/coreos/targets/generic/package.use.force';
    const report = await validateTestSet({
      values: NANO_VALUES,
      upstream: [{ modify: force, data: 'coreos-base/demo-init selinux\napp-shells/demo-shell readline\n' }],
      layers: [lean('app-shells/demo-shell -readline\nsys-apps/demo-tools trace\n')],
    });
    expect(locations(report, 'ProfileLineNoEffect')).toEqual(['profiles/coreos/amd64/lean/package.use:1']);
    expect(withCode(report, 'ProfileLineNoEffect')[0]!.message).toContain(`'readline' is decided by ${force}:2`);
  });

  it('fires at a line setting what the package already has', async () => {
    const report = await validateTestSet({ values: NANO_VALUES, layers: [lean('sys-apps/demo-tools cpuid\n')] });
    expect(withCode(report, 'ProfileLineNoEffect').map((entry) => entry.message)).toEqual([expect.stringContaining("'cpuid' already had that value")]);
  });
});

describe('NanoFlagNotOff', () => {
  it('fires when the Nano profile leaves an introduced flag on, and stays quiet once it turns it off', async () => {
    const on = await validateTestSet({ values: NANO_VALUES, layers: [shellFlag, lean('sys-apps/demo-tools cpuid\n')] });
    expect(withCode(on, 'NanoFlagNotOff').map((entry) => entry.message)).toEqual([
      "'shell' is still on for sys-apps/demo-tools-2.1.0 under coreos/amd64/lean, decided by IUSE",
    ]);
    const off = await validateTestSet({ values: NANO_VALUES, layers: [shellFlag, lean('sys-apps/demo-tools -shell\n')] });
    expect(withCode(off, 'NanoFlagNotOff')).toEqual([]);
  });
});

describe('RequiredUseUnsatisfied', () => {
  it('fires when a profile line breaks the selected version\'s REQUIRED_USE, and stays quiet when it is met', async () => {
    const requires = { name: 'tools-requires', modify: { [TOOLS]: replace('IUSE="cpuid doc trace"', 'IUSE="cpuid doc trace"\nREQUIRED_USE="trace? ( doc )"') } };
    const broken = await validateTestSet({ values: NANO_VALUES, layers: [requires, lean('sys-apps/demo-tools trace\n')] });
    expect(locations(broken, 'RequiredUseUnsatisfied')).toEqual(['profiles/coreos/amd64/lean/package.use:1']);
    expect(withCode(broken, 'RequiredUseUnsatisfied')[0]!.message).toContain("'doc'");
    const met = await validateTestSet({ values: NANO_VALUES, layers: [requires, lean('sys-apps/demo-tools trace doc\n')] });
    expect(withCode(met, 'RequiredUseUnsatisfied')).toEqual([]);
  });
});

describe('ForcedFlagNotInIuse on the selected version', () => {
  it('judges the version the profile selects, not a higher live ebuild without keywords', async () => {
    const live = 'EAPI=8\nSLOT="0"\nIUSE="cpuid doc trace live"\n';
    const report = await validateTestSet({
      values: NANO_VALUES,
      upstream: [{ add: 'sys-apps/demo-tools/demo-tools-9999.ebuild', data: live }],
      layers: [lean('sys-apps/demo-tools live\n')],
    });
    expect(locations(report, 'ForcedFlagNotInIuse')).toEqual(['profiles/coreos/amd64/lean/package.use:1']);
    expect(withCode(report, 'ForcedFlagNotInIuse')[0]!.message).toContain('sys-apps/demo-tools-2.1.0');
  });
});
