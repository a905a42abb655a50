import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, replace, validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const AGENT = 'net-misc/demo-agent/demo-agent-1.4.2.ebuild';
const install = (lines: string) => replace('\tkeepdir /var/lib/demo-agent\n', `\tkeepdir /var/lib/demo-agent\n${lines}`);

describe('MissingFilesdirFile', () => {
  it('reads a path that starts with a quoted part: "${FILESDIR}/${PN}"-1.0-defaults.txt', async () => {
    const CONF = 'app-misc/demo-conf/demo-conf-1.0.ebuild';
    const copy = (name: string) => replace('cp "${FILESDIR}/${PN}"-1.0-defaults.txt defaults.txt || die', `cp "\${FILESDIR}/\${PN}"-${name} defaults.txt || die "copy"`);
    const quiet = await validateTestSet({ layers: [{ name: 'files', modify: { [CONF]: copy('1.0-defaults.txt') } }] });
    expect(locations(quiet, 'MissingFilesdirFile')).toEqual([]);
    const missing = await validateTestSet({ layers: [{ name: 'files', modify: { [CONF]: copy('1.1-defaults.txt') } }] });
    expect(withCode(missing, 'MissingFilesdirFile').map((entry) => [entry.line, entry.message])).toEqual([
      [17, '${FILESDIR}/${PN}-1.1-defaults.txt: no demo-conf-1.1-defaults.txt (as app-misc/demo-conf-1.0) in app-misc/demo-conf/files/'],
    ]);
  });

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
