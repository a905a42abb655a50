import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const agentFlag = { name: 'agent', default: 'on' as const, packages: ['coreos-base/demo-init'] };
const describeAgent = { file: 'coreos-base/demo-init/metadata.xml', type: 'metadata-flag', flag: 'agent', description: 'Install the agent' };

describe('MissingFlagDescription', () => {
  it('fires for a flag no metadata.xml describes, and for a package without metadata.xml', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'flags', flags: [agentFlag, { name: 'motd', packages: ['app-misc/demo-files'] }] }],
    });
    expect(withCode(report, 'MissingFlagDescription').map((entry) => [entry.level, entry.layer, entry.path, entry.message])).toEqual([
      [
        'warning',
        'flags',
        'app-misc/demo-files/metadata.xml',
        "USE flag 'motd' of app-misc/demo-files is described neither in its metadata.xml nor in profiles/use.desc: " +
          'app-misc/demo-files has no metadata.xml: add one with a <use> block',
      ],
      [
        'warning',
        'flags',
        'coreos-base/demo-init/metadata.xml',
        "USE flag 'agent' of coreos-base/demo-init is described neither in its metadata.xml nor in profiles/use.desc: " +
          'add a metadata-flag edit for coreos-base/demo-init/metadata.xml',
      ],
    ]);
  });

  it('stays quiet when a layer describes the flag (an edit, a new file) or profiles/use.desc does', async () => {
    const metadata = '<?xml version="1.0" encoding="UTF-8"?>\n<pkgmetadata>\n\t<use>\n\t\t<flag name="motd">Install the motd</flag>\n\t</use>\n</pkgmetadata>\n';
    const described = await validateTestSet({
      layers: [
        { name: 'agent', flags: [agentFlag], edits: [describeAgent] },
        { name: 'motd', flags: [{ name: 'motd', packages: ['app-misc/demo-files'] }], add: { 'app-misc/demo-files/metadata.xml': metadata } },
      ],
    });
    expect(withCode(described, 'MissingFlagDescription')).toEqual([]);
    const global = await validateTestSet({
      layers: [{ name: 'agent', flags: [agentFlag], add: { 'profiles/use.desc': 'agent - Install the agent\n' } }],
    });
    expect(withCode(global, 'MissingFlagDescription')).toEqual([]);
  });

  it('does not take a commented-out <flag> for a description', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'agent', flags: [agentFlag], modify: { 'coreos-base/demo-init/metadata.xml': (text) => text.replace('<use>', '<use>\n\t\t<!-- <flag name="agent">x</flag> -->') } }],
    });
    expect(withCode(report, 'MissingFlagDescription').map((entry) => entry.path)).toEqual(['coreos-base/demo-init/metadata.xml']);
  });
});
