import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, validateTestSet } from './helpers.js';

afterAll(removeTempDirs);

const lean = (lines: string) => ({
  name: 'lean',
  add: { 'profiles/coreos/amd64/lean/parent': '../generic\n', 'profiles/coreos/amd64/lean/package.use': lines, 'profiles/coreos/amd64/lean/package.use.mask': 'net-misc/demo-agent metrics\n' },
});

describe('ForcedFlagNotInIuse', () => {
  it('fires at a package.use line setting a flag the package does not declare', async () => {
    const report = await validateTestSet({ layers: [lean('# lean\ncoreos-base/demo-init -selinux\napp-shells/demo-shell -readline -nosuch\n')] });
    expect(locations(report, 'ForcedFlagNotInIuse')).toEqual(['profiles/coreos/amd64/lean/package.use:3']);
  });

  it('uses the best ebuild for the atom and stays quiet for declared flags', async () => {
    const report = await validateTestSet({ layers: [lean('>=sys-libs/demo-lib-1 -stats\n=net-misc/demo-agent-1.4.2 -gui\n')] });
    expect(errors(report)).toEqual([]);
  });

  it('fires for package.use.force lines too', async () => {
    const report = await validateTestSet({ layers: [{ name: 'force', add: { 'profiles/coreos/amd64/lean/parent': '../generic\n', 'profiles/coreos/amd64/lean/package.use.force': 'sys-apps/demo-tools cpuid\nsys-apps/demo-tools bogus\n' } }] });
    expect(locations(report, 'ForcedFlagNotInIuse')).toEqual(['profiles/coreos/amd64/lean/package.use.force:2']);
  });
});
