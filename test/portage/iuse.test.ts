import { describe, expect, it } from 'vitest';
import { parseIuse } from '../../src/portage/iuse.js';
import { InputError } from '../../src/errors.js';

describe('parseIuse', () => {
  it('reads defaults', () => {
    expect([...parseIuse(' +openssh  -bash\n\tselinux python_targets_python3_12 +l10n_en-GB ')]).toEqual([
      ['openssh', true],
      ['bash', false],
      ['selinux', false],
      ['python_targets_python3_12', false],
      ['l10n_en-GB', true],
    ]);
  });

  it('reads an empty value', () => {
    expect(parseIuse('').size).toBe(0);
  });

  it('keeps a default through a later unsigned entry and lets a later signed one win, as Portage does', () => {
    // portage.package.ebuild.config.setcpv: only +flag and -flag enter the package's internal USE.
    expect(parseIuse('+a a').get('a')).toBe(true);
    expect(parseIuse('+a -a').get('a')).toBe(false);
    expect(parseIuse('-a +a a').get('a')).toBe(true);
    expect(parseIuse('a').get('a')).toBe(false);
  });

  it.each(['${IUSE_EXTRA}', '++a', '+', 'a?', '-'])('rejects %j', (token) => {
    expect(() => parseIuse(`ok ${token}`, 'x.ebuild:4')).toThrow(InputError);
    expect(() => parseIuse(`ok ${token}`, 'x.ebuild:4')).toThrow(/^x\.ebuild:4: /);
  });
});
