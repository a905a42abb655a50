import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, replace, validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const FILES = 'app-misc/demo-files/demo-files-0-r3.ebuild';
const GUARDED_INSTALL = (flag: string) =>
  replace('    insinto /usr/share/demo-files\n    doins "${FILESDIR}"/motd\n', `    if use ${flag}; then\n        insinto /usr/share/demo-files\n        doins "\${FILESDIR}"/motd\n    fi\n`);

describe('FlagDefaultChangesStock', () => {
  it('fires at IUSE when the ebuild declares off a flag the manifest says stock has on', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'motd', flags: [{ name: 'motd', default: 'on', packages: ['app-misc/demo-files'] }], modify: { [FILES]: (text) => GUARDED_INSTALL('motd')(replace('IUSE="containers"', 'IUSE="containers motd"')(text)) } }],
    });
    expect(locations(report, 'FlagDefaultChangesStock')).toEqual([`${FILES}:13`]);
    expect(withCode(report, 'FlagDefaultChangesStock')[0]?.message).toContain("write '+motd'");
  });

  it('fires when the manifest default is off but off is the Nano path', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'motd', flags: [{ name: 'motd', default: 'off', packages: ['app-misc/demo-files'] }], modify: { [FILES]: (text) => GUARDED_INSTALL('motd')(replace('IUSE="containers"', 'IUSE="containers motd"')(text)) } }],
    });
    expect(locations(report, 'FlagDefaultChangesStock')).toEqual([`${FILES}:13`]);
    expect(withCode(report, 'FlagDefaultChangesStock')[0]?.message).toContain('Nano path');
  });

  it('stays quiet for an off-by-default flag whose on state is the Nano path', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'nomotd', flags: [{ name: 'nomotd', default: 'off', packages: ['app-misc/demo-files'] }], modify: { [FILES]: (text) => GUARDED_INSTALL('!nomotd')(replace('IUSE="containers"', 'IUSE="containers nomotd"')(text)) } }],
    });
    expect(errors(report)).toEqual([]);
  });

  it('judges a new ebuild by what the Nano profile sets', async () => {
    const ebuild = 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64"\nIUSE="shell"\nRDEPEND="shell? ( app-shells/demo-shell )"\n';
    const values = 'profiles:\n  stock: [coreos/amd64/generic/prod]\n  nano: [coreos/amd64/lean]\n';
    const layer = (flagDefault: 'on' | 'off', iuse: string) => ({
      name: 'lean',
      flags: [{ name: 'shell', default: flagDefault, packages: ['coreos-base/demo-lean'] }],
      add: {
        'coreos-base/demo-lean/demo-lean-1.ebuild': ebuild.replace('IUSE="shell"', `IUSE="${iuse}"`),
        'profiles/coreos/amd64/lean/parent': '../generic\n',
        'profiles/coreos/amd64/lean/package.use': 'coreos-base/demo-lean -shell\n',
      },
    });
    expect(locations(await validateTestSet({ values, layers: [layer('off', 'shell')] }), 'FlagDefaultChangesStock')).toEqual(['coreos-base/demo-lean/demo-lean-1.ebuild:4']);
    expect(errors(await validateTestSet({ values, layers: [layer('on', '+shell')] }))).toEqual([]);
  });
});
