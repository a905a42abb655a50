import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, replace, validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const BASE = 'coreos-base/demo-base/demo-base-0.0.1.ebuild';
const addDeps = (deps: string) => ({ name: 'deps', modify: { [BASE]: replace('\tsys-libs/demo-lib\n', `\tsys-libs/demo-lib\n${deps}`) } });

describe('UnknownPackage', () => {
  it('fires at added dependency atoms naming packages that exist nowhere, virtuals included', async () => {
    const report = await validateTestSet({ layers: [addDeps('\t>=net-misc/nosuch-1.0\n\tvirtual/nosuch\n\t!app-misc/gone\n')] });
    expect(locations(report, 'UnknownPackage')).toEqual([`${BASE}:22`, `${BASE}:23`]);
  });

  it('stays quiet for packages in the overlay or portage-stable and for untouched upstream atoms', async () => {
    // demo-tools' BDEPEND names app-text/demo-doc-tools, which exists nowhere, but no layer wrote it.
    const report = await validateTestSet({ layers: [addDeps('\tapp-shells/demo-shell[readline]\n\t>=coreos-base/demo-init-0.0.1:0/0.0.1-r12=\n')] });
    expect(errors(report).filter((entry) => entry.startsWith('UnknownPackage'))).toEqual([]);
  });

  it('fires at profile lines naming unknown packages', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'lean', add: { 'profiles/coreos/amd64/lean/parent': '../generic\n', 'profiles/coreos/amd64/lean/package.mask': 'net-misc/demo-agent\n>=sys-apps/nosuch-2\n' } }],
    });
    expect(locations(report, 'UnknownPackage')).toEqual(['profiles/coreos/amd64/lean/package.mask:2']);
  });

  it('says so once when there is no portage-stable to look in', async () => {
    const report = await validateTestSet({ layout: 'overlay', layers: [addDeps('\tsys-libs/demo-lib[static-libs]\n')] });
    expect(locations(report, 'UnknownPackage')).toEqual([]);
    expect(withCode(report, 'UnknownPackageUnchecked').map((entry) => entry.message)).toEqual([
      'no portage-stable in this upstream: sys-libs/demo-lib not found in the overlay and not checked further',
    ]);
  });
});
