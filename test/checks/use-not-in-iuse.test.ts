import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, replace, validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const TOOLS = 'sys-apps/demo-tools/demo-tools-2.1.0.ebuild';
const ECLASS = { add: 'eclass/demo-tools.eclass', data: 'IUSE="+fromeclass"\ninherit demo-deeper\n' };
const DEEPER = { add: 'eclass/demo-deeper.eclass', data: 'if [[ -z ${_DEMO_DEEPER} ]]; then\n_DEMO_DEEPER=1\nIUSE="deep"\nfi\n' };

describe('UseNotInIuse', () => {
  it('fires at added lines testing undeclared flags, in commands and dependency groups', async () => {
    const report = await validateTestSet({
      layers: [
        {
          name: 'tools',
          modify: {
            [TOOLS]: (text) =>
              replace('BDEPEND="doc? ( app-text/demo-doc-tools )"', 'BDEPEND="doc? ( app-text/demo-doc-tools )\n\tnosuch? ( sys-libs/demo-lib )"')(
                replace('    use trace || rm', '    use cpuid && echo $(usex missing yes no)\n    use trace || rm')(text),
              ),
          },
        },
      ],
    });
    expect(locations(report, 'UseNotInIuse')).toEqual([`${TOOLS}:17`, `${TOOLS}:22`]);
    expect(withCode(report, 'UseNotInIuse').map((entry) => entry.message)).toEqual([
      "'nosuch' is tested (conditional) but not declared in IUSE",
      "'missing' is tested (usex) but not declared in IUSE",
    ]);
  });

  it('counts IUSE of inherited eclasses, nested ones included, and implicit IUSE from the profiles', async () => {
    const report = await validateTestSet({
      upstream: [ECLASS, DEEPER, { modify: 'profiles/coreos/base/make.defaults', data: 'USE="${USE} -cups -X systemd udev"\nIUSE_IMPLICIT="prefix"\n' }],
      layers: [
        {
          name: 'tools',
          modify: { [TOOLS]: (text) => replace('    use trace || rm', '    use fromeclass && use deep && use prefix && echo\n    use trace || rm')(replace('IUSE="cpuid doc trace"', 'inherit demo-tools\nIUSE="cpuid doc trace"')(text)) },
        },
      ],
    });
    expect(locations(report, 'UseNotInIuse')).toEqual([]);
    expect(errors(report).filter((entry) => entry.startsWith('UseNotInIuse'))).toEqual([]);
  });

  it('names an inherited eclass it could not find', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'tools', modify: { [TOOLS]: (text) => replace('    use trace || rm', '    use fromeclass && echo\n    use trace || rm')(replace('IUSE="cpuid doc trace"', 'inherit demo-missing\nIUSE="cpuid doc trace"')(text)) } }],
    });
    expect(locations(report, 'UseNotInIuse')).toEqual([`${TOOLS}:22`]);
    expect(withCode(report, 'UseNotInIuse')[0]?.message).toContain('eclass demo-missing not found');
  });

  it('ignores upstream lines the layers did not touch', async () => {
    const report = await validateTestSet({
      upstream: [{ modify: TOOLS, data: 'EAPI=8\nSLOT="0"\nIUSE="doc"\nsrc_install() {\n\tuse legacy && echo\n}\n' }],
      layers: [{ name: 'tools', modify: { [TOOLS]: replace('use legacy && echo', 'use legacy && echo\n\tuse doc && echo') } }],
    });
    expect(locations(report, 'UseNotInIuse')).toEqual([]);
  });
});
