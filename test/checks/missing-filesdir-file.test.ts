import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, replace, validateTestSet } from './helpers.js';

afterAll(removeTempDirs);

const AGENT = 'net-misc/demo-agent/demo-agent-1.4.2.ebuild';
const install = (lines: string) => replace('\tkeepdir /var/lib/demo-agent\n', `\tkeepdir /var/lib/demo-agent\n${lines}`);

describe('MissingFilesdirFile', () => {
  it('fires at added references to files that are not there, with ${PN}, ${P}, ${PV} and ${PF} expanded', async () => {
    const report = await validateTestSet({
      layers: [
        {
          name: 'files',
          modify: { [AGENT]: install('\tdoins "${FILESDIR}"/nosuch.conf\n\tdoins "${FILESDIR}/${PF}-extra.conf"\n\tdoins "${FILESDIR}/${PN}.service"\n\teapply "${FILESDIR}/${PN}-${PV}-config-path.patch"\n') },
        },
      ],
    });
    expect(locations(report, 'MissingFilesdirFile')).toEqual([`${AGENT}:49`, `${AGENT}:50`]);
  });

  it('stays quiet for files a layer adds, other variables and untouched lines', async () => {
    const report = await validateTestSet({
      layers: [
        {
          name: 'files',
          modify: { [AGENT]: install('\tdoins "${FILESDIR}/${P}-nano.conf"\n\tdoins "${FILESDIR}/${MY_CONF}"\n\tdoins "${FILESDIR}"/*.conf\n') },
          add: { 'net-misc/demo-agent/files/demo-agent-1.4.2-nano.conf': 'nano\n' },
        },
      ],
    });
    expect(errors(report).filter((entry) => entry.startsWith('MissingFilesdirFile'))).toEqual([]);
  });

  it('fires at an untouched line when a layer removes the file it names', async () => {
    const report = await validateTestSet({ layers: [{ name: 'gone', remove: ['net-misc/demo-agent/files/demo-agent.service'] }] });
    expect(locations(report, 'MissingFilesdirFile')).toEqual([]);
    const edited = await validateTestSet({ layers: [{ name: 'gone', remove: ['net-misc/demo-agent/files/demo-agent.service'], modify: { [AGENT]: install('\tdodir /etc/demo-agent\n') } }] });
    expect(locations(edited, 'MissingFilesdirFile')).toEqual([`${AGENT}:47`]);
  });
});
