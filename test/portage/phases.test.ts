import { describe, expect, it } from 'vitest';
import { implicitPhases } from '../../src/portage/phases.js';
import { compareReduced } from '../../src/portage/reduce.js';

const ECLASSES: Record<string, string> = {
  'python-base': 'EXPORT_FUNCTIONS src_prepare src_install\n',
  'py-build': 'inherit python-base\nEXPORT_FUNCTIONS src_prepare\n',
  systemd: '# no phases\n',
};
const readEclass = async (name: string) => ECLASSES[name];

const upstream = 'EAPI=8\ninherit systemd py-build\nIUSE=""\n';
const stock = (flag: string) => (flag === 'openssh' ? true : undefined);

describe('implicitPhases', () => {
  it('takes the last inherited eclass that exports a phase, following eclass inherits, else default', async () => {
    const phases = await implicitPhases(upstream, readEclass);
    expect(phases.get('src_prepare')).toBe('py-build_src_prepare');
    expect(phases.get('src_install')).toBe('python-base_src_install');
    expect(phases.get('src_configure')).toBe('default');
    expect(phases.has('pkg_postinst')).toBe(false);
  });
});

describe('a phase defined only as what runs anyway', () => {
  it('reduces to nothing when its guarded part is off in stock', async () => {
    const patched = `${upstream.replace('IUSE=""', 'IUSE="+openssh"')}\nsrc_prepare() {\n\tif ! use openssh; then\n\t\teapply "\${FILESDIR}"/x.patch\n\tfi\n\tpy-build_src_prepare\n}\n`;
    const phases = await implicitPhases(patched, readEclass);
    expect(await compareReduced(upstream, patched, stock, { ignoreIuseFlags: ['openssh'], implicitPhases: phases })).toBeUndefined();
  });

  it('still counts when it calls something else than the inherited phase', async () => {
    const patched = `${upstream.replace('IUSE=""', 'IUSE="+openssh"')}\nsrc_prepare() {\n\tif ! use openssh; then\n\t\teapply "\${FILESDIR}"/x.patch\n\tfi\n\tdefault\n}\n`;
    const phases = await implicitPhases(patched, readEclass);
    const difference = await compareReduced(upstream, patched, stock, { ignoreIuseFlags: ['openssh'], implicitPhases: phases });
    expect(difference?.patched).toContain('src_prepare() {');
  });
});
