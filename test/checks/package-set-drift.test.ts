import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const BASE = 'coreos-base/demo-base/demo-base-0.0.1.ebuild';
const values = async () => readFile('examples/layers/values.yaml', 'utf8');

describe('PackageSetDrift', () => {
  it('stays quiet when every stock package has a decision', async () => {
    const report = await validateTestSet({ values: await values(), layers: [{ name: 'none', add: { 'coreos-base/demo-lean/demo-lean-1.ebuild': 'EAPI=8\nSLOT="0"\n' } }] });
    expect(withCode(report, 'PackageSetDrift')).toEqual([]);
  });

  it('warns about a package upstream added to the stock list, and about stale decisions', async () => {
    const upstreamBase = (await readFile(`examples/upstream/coreos-overlay/${BASE}`, 'utf8'))
      .replace('\tnet-misc/demo-agent\n', '')
      .replace('\t\tnet-misc/demo-agent[containers]\n', '')
      .replace('\tsys-libs/demo-lib\n', '\tsys-libs/demo-lib\n\tsys-apps/demo-new\n');
    const report = await validateTestSet({
      values: await values(),
      upstream: [{ modify: BASE, data: upstreamBase }],
      layers: [{ name: 'lean', add: { 'coreos-base/demo-lean/demo-lean-1.ebuild': 'EAPI=8\nSLOT="0"\n' } }],
    });
    const found = withCode(report, 'PackageSetDrift');
    expect(found.map((entry) => [entry.level, entry.layer, entry.path, entry.line])).toEqual([
      ['warning', 'lean', null, null],
      ['warning', 'lean', BASE, 21],
    ]);
    expect(found.map((entry) => entry.message)).toEqual([
      'package_set.drop: net-misc/demo-agent is no longer in coreos-base/demo-base\'s RDEPEND (stale decision)',
      'sys-apps/demo-new is in coreos-base/demo-base\'s RDEPEND but package_set neither keeps nor drops it',
    ]);
  });
});
