import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { errors, locations, replace, validateTestSet, withCode, type TestLayer } from './helpers.js';

afterAll(removeTempDirs);

const FILES = 'app-misc/demo-files/demo-files-0-r3.ebuild';
const INIT = 'coreos-base/demo-init/demo-init-9999.ebuild';
const TOOLS = 'sys-apps/demo-tools/demo-tools-2.1.0.ebuild';
const HOOK = 'coreos/config/env/net-misc/demo-agent';
const MOTD = { name: 'motd', default: 'on' as const, packages: ['app-misc/demo-files'] };
const SSH = { name: 'ssh', default: 'on' as const, packages: ['coreos-base/demo-init'] };

/** demo-files with `+motd` in IUSE and its src_install rewritten by `install`. */
function motdLayer(install: string): TestLayer {
  return {
    name: 'motd',
    flags: [MOTD],
    modify: {
      [FILES]: (text) =>
        replace('IUSE="containers"', 'IUSE="containers +motd"')(text).replace(/src_install\(\) \{[\s\S]*\}\n$/, `src_install() {\n${install}}\n`),
    },
  };
}

const CONTAINERS = `    if use containers; then
        insinto /etc/containers
        doins "\${FILESDIR}"/registries.conf
    fi
`;

describe('UnguardedChange', () => {
  it('stays quiet when the change sits under a flag that is on in stock builds', async () => {
    const report = await validateTestSet({
      layers: [motdLayer(`    if use motd; then\n        insinto /usr/share/demo-files\n        doins "\${FILESDIR}"/motd\n    fi\n${CONTAINERS}`)],
    });
    expect(errors(report)).toEqual([]);
  });

  it('fires at the first line a stock build sees differently', async () => {
    const report = await validateTestSet({ layers: [motdLayer(`    insinto /usr/share/demo-files\n${CONTAINERS}`)] });
    expect(locations(report, 'UnguardedChange')).toEqual([`${FILES}:17`]);
    const [found] = withCode(report, 'UnguardedChange');
    expect(found?.layer).toBe('motd');
    expect(found?.message).toContain('drops "doins \\"${FILESDIR}\\"/motd"');
  });

  describe.each([
    {
      style: 'nested ifs',
      guarded: `    if use motd; then\n        if use containers; then\n            insinto /etc/motd.d\n        fi\n        insinto /usr/share/demo-files\n        doins "\${FILESDIR}"/motd\n    fi\n${CONTAINERS}`,
      unguarded: `    if use containers; then\n        if use motd; then\n            insinto /usr/share/demo-files\n        fi\n    fi\n    doins "\${FILESDIR}"/motd\n${CONTAINERS}`,
      line: 16,
    },
    {
      style: '&& and || forms',
      guarded: `    use motd && insinto /usr/share/demo-files\n    use motd && doins "\${FILESDIR}"/motd\n    use motd || rm -f "\${ED}"/etc/issue\n${CONTAINERS}`,
      unguarded: `    use motd || insinto /usr/share/demo-files\n    use motd && doins "\${FILESDIR}"/motd\n${CONTAINERS}`,
      line: 17,
    },
    {
      style: 'else branches and negations',
      guarded: `    if ! use motd; then\n        rm -f "\${ED}"/etc/issue\n    else\n        insinto /usr/share/demo-files\n        doins "\${FILESDIR}"/motd\n    fi\n${CONTAINERS}`,
      unguarded: `    if use motd; then\n        insinto /usr/share/demo-files\n    else\n        doins "\${FILESDIR}"/motd\n    fi\n${CONTAINERS}`,
      line: 16,
    },
    {
      style: 'conditions the reducer cannot decide',
      guarded: `    insinto /usr/share/demo-files\n    doins "\${FILESDIR}"/motd\n${CONTAINERS}`,
      unguarded: `    if [[ -n \${DEMO} ]] && use motd; then\n        insinto /usr/share/demo-files\n        doins "\${FILESDIR}"/motd\n    fi\n${CONTAINERS}`,
      line: 16,
    },
  ])('$style', ({ guarded, unguarded, line }) => {
    it('guarded: quiet', async () => {
      expect(errors(await validateTestSet({ layers: [motdLayer(guarded)] }))).toEqual([]);
    });
    it('unguarded: fires', async () => {
      expect(locations(await validateTestSet({ layers: [motdLayer(unguarded)] }), 'UnguardedChange')).toEqual([`${FILES}:${line}`]);
    });
  });

  describe('multi-line dependency groups', () => {
    const layer = (depend: string): TestLayer => ({
      name: 'ssh',
      flags: [SSH],
      modify: {
        [INIT]: (text) =>
          replace('IUSE="+symlink-usr selinux test"', 'IUSE="+symlink-usr selinux test +ssh"')(text).replace(/DEPEND="\n[^"]*"/, `DEPEND="\n${depend}"`),
      },
    });
    it('guarded: quiet', async () => {
      const report = await validateTestSet({
        layers: [layer('\tssh? (\n\t\tnet-misc/demo-agent\n\t)\n\t!ssh? (\n\t\tsys-libs/demo-lib\n\t)\n\tsys-apps/demo-tools\n')],
      });
      expect(errors(report)).toEqual([]);
    });
    it('unguarded: fires at the group', async () => {
      const report = await validateTestSet({ layers: [layer('\t!ssh? (\n\t\tnet-misc/demo-agent\n\t)\n\tsys-apps/demo-tools\n')] });
      expect(locations(report, 'UnguardedChange')).toEqual([`${INIT}:27`]);
    });
  });

  describe('phases a layer appends to', () => {
    const append = (flag: string, body: string): TestLayer => ({
      name: 'ssh',
      flags: [SSH],
      edits: [
        { file: INIT, type: 'iuse-add', flag: 'ssh', default: 'on' },
        { file: INIT, type: 'phase-append', phase: 'src_install', flag, body },
      ],
    });
    it('guarded by the negated flag: quiet', async () => {
      expect(errors(await validateTestSet({ layers: [append('!ssh', 'rm -rf "${ED}"/etc/ssh || die')] }))).toEqual([]);
    });
    it('guarded by the flag itself: fires at the appended code', async () => {
      const report = await validateTestSet({ layers: [append('ssh', 'rm -rf "${ED}"/etc/ssh || die')] });
      expect(locations(report, 'UnguardedChange')).toEqual([`${INIT}:45`]);
    });
  });

  it('uses the stock profile: a flag the profile turns off guards like an off IUSE default', async () => {
    // demo-tools: stock turns doc off (package.use), so "use doc && …" additions are guarded.
    const guarded = await validateTestSet({ layers: [{ name: 'doc', modify: { [TOOLS]: replace('    use doc && dodoc -r doc/*\n', '    use doc && dodoc -r doc/* extra/*\n') } }] });
    expect(errors(guarded)).toEqual([]);
    const unguarded = await validateTestSet({ layers: [{ name: 'trace', modify: { [TOOLS]: replace('use trace || rm', 'use trace && rm') } }] });
    expect(locations(unguarded, 'UnguardedChange')).toEqual([`${TOOLS}:21`]);
  });

  it('judges env hooks by the USE of the package they hook', async () => {
    const hook = (body: string): TestLayer => ({ name: 'hook', modify: { [HOOK]: (text) => `${text}${body}` } });
    // gui is masked for net-misc/demo-agent in coreos/base.
    expect(errors(await validateTestSet({ layers: [hook('if use gui; then\n\techo nano\nfi\n')] }))).toEqual([]);
    expect(locations(await validateTestSet({ layers: [hook('echo nano\n')] }), 'UnguardedChange')).toEqual([`${HOOK}:9`]);
  });

  it('counts deleting a hook as unguarded, judges a new hook against none, and leaves hooks of unknown packages alone', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'gone', remove: [HOOK], add: { 'coreos/config/env/net-misc/demo-new': 'echo new\n', 'coreos/config/env/app-misc/demo-files': 'echo new\n' } }],
    });
    expect(locations(report, 'UnguardedChange')).toEqual(['coreos/config/env/app-misc/demo-files:1', `${HOOK}:null`]);
  });

  it('blames the layer that wrote the differing line when several layers edit a file', async () => {
    const report = await validateTestSet({
      layers: [
        { name: 'first', flags: [MOTD], modify: { [FILES]: replace('IUSE="containers"', 'IUSE="containers +motd"') } },
        { name: 'second', modify: { [FILES]: replace('    doins "${FILESDIR}"/motd\n', '') } },
      ],
    });
    expect(withCode(report, 'UnguardedChange').map((entry) => entry.layer)).toEqual(['second']);
  });
});
