import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, validateTestSet, withCode, type TestLayer } from './helpers.js';

afterAll(removeTempDirs);

const INIT = 'coreos-base/demo-init/demo-init-0.0.1-r12.ebuild';
const AGENT = { name: 'agent', default: 'on' as const, packages: ['coreos-base/demo-init'] };
const addAgentFlag: TestLayer['edits'] = [{ file: INIT, type: 'iuse-add', flag: 'agent', default: 'on' }];
const append = (line: string) => (text: string) => `${text}${line}\n`;

describe('UnguardedProfileChange', () => {
  it('fires at a package.use line in a stock profile that turns a flag off', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'agent', flags: [AGENT], edits: addAgentFlag, modify: { 'profiles/coreos/base/package.use': append('coreos-base/demo-init -agent') } }],
    });
    expect(locations(report, 'UnguardedProfileChange')).toEqual(['profiles/coreos/base/package.use:3']);
    expect(withCode(report, 'UnguardedProfileChange')[0]?.message).toContain('agent on → off');
  });

  it('stays quiet for the same line in a profile only Nano builds read, and for comments', async () => {
    const report = await validateTestSet({
      layers: [
        {
          name: 'agent',
          flags: [AGENT],
          edits: [...addAgentFlag!, { file: 'profiles/profiles.desc', type: 'line-add', line: 'amd64   coreos/amd64/lean   dev' }],
          add: { 'profiles/coreos/amd64/lean/parent': '../generic\n', 'profiles/coreos/amd64/lean/package.use': 'coreos-base/demo-init -agent\n' },
          modify: { 'profiles/coreos/base/package.use': append('# coreos-base/demo-init -agent is set by the lean profile') },
        },
      ],
    });
    expect(errors(report)).toEqual([]);
  });

  it('stays quiet for a line that changes nothing (a flag already on)', async () => {
    const report = await validateTestSet({ layers: [{ name: 'dup', modify: { 'profiles/coreos/targets/generic/package.use': append('coreos-base/demo-base containers') } }] });
    expect(errors(report)).toEqual([]);
  });

  it('fires for make.defaults USE changes that change a flag, at the USE line', async () => {
    const report = await validateTestSet({ layers: [{ name: 'use', modify: { 'profiles/coreos/targets/generic/make.defaults': (text) => text.replace('USE="${USE} selinux"', 'USE="${USE} selinux -udev"') } }] });
    expect(locations(report, 'UnguardedProfileChange')).toEqual(['profiles/coreos/targets/generic/make.defaults:1']);
    const quiet = await validateTestSet({ layers: [{ name: 'use', modify: { 'profiles/coreos/targets/generic/make.defaults': (text) => text.replace('USE="${USE} selinux"', 'USE="${USE}  selinux selinux"') } }] });
    expect(errors(quiet)).toEqual([]);
  });

  it('fires for masks and other files stock builds read', async () => {
    const report = await validateTestSet({ layers: [{ name: 'mask', add: { 'profiles/coreos/base/package.mask': '# no agent\nnet-misc/demo-agent\n' } }] });
    expect(locations(report, 'UnguardedProfileChange')).toEqual(['profiles/coreos/base/package.mask:1']);
  });
});
