import { describe, expect, it } from 'vitest';
import { flagsUsed, formatDepend, parseDepend, reduceDepend, resolveConditionals } from '../../src/portage/depend.js';
import { InputError } from '../../src/errors.js';

const RDEPEND = `
	sys-apps/systemd
	openssh? (
		net-misc/openssh
		!selinux? ( sec-policy/none )
		selinux? (
			sec-policy/selinux-ssh
			|| ( app-misc/a[foo(+)] app-misc/b )
		)
	)
	!openssh? ( app-misc/dropbear-free )
	( app-misc/grouped )
	^^ ( x86? ( app-misc/x ) app-misc/y )
`;

const flags = (on: string[]) => (flag: string) => on.includes(flag);

describe('parseDepend', () => {
  it('builds a nested tree with lines', () => {
    const tree = parseDepend(RDEPEND);
    expect(tree.map((n) => n.kind)).toEqual(['item', 'use', 'use', 'all-of', 'exactly-one']);
    expect(tree[1]).toMatchObject({ kind: 'use', flag: 'openssh', negated: false, line: 3 });
    expect(tree[2]).toMatchObject({ kind: 'use', flag: 'openssh', negated: true, line: 11 });
  });

  it('reads REQUIRED_USE operators', () => {
    const tree = parseDepend('?? ( a b ) ^^ ( c d ) e? ( !f )');
    expect(tree.map((n) => n.kind)).toEqual(['at-most-one', 'exactly-one', 'use']);
    expect(formatDepend(tree)).toBe('?? ( a b ) ^^ ( c d ) e? ( !f )');
  });

  it.each(['a? ( b', 'a? b', 'b )', '|| b', '( ( a )', 'a/b) ', '( )x'])('rejects %j', (text) => {
    expect(() => parseDepend(text, 'x.ebuild')).toThrow(InputError);
  });

  it('accepts empty groups and empty text', () => {
    expect(parseDepend('')).toEqual([]);
    expect(formatDepend(parseDepend('a? (\n)'))).toBe('a? ( )');
  });
});

describe('reduceDepend', () => {
  const tree = parseDepend(RDEPEND);

  it('keeps the enabled branches of nested groups', () => {
    expect(reduceDepend(tree, flags(['openssh']))).toEqual([
      'sys-apps/systemd',
      'net-misc/openssh',
      'sec-policy/none',
      'app-misc/grouped',
      'app-misc/y',
    ]);
    expect(reduceDepend(tree, flags(['openssh', 'selinux', 'x86']))).toEqual([
      'sys-apps/systemd',
      'net-misc/openssh',
      'sec-policy/selinux-ssh',
      'app-misc/a[foo(+)]',
      'app-misc/b',
      'app-misc/grouped',
      'app-misc/x',
      'app-misc/y',
    ]);
    expect(reduceDepend(tree, flags([]))).toEqual(['sys-apps/systemd', 'app-misc/dropbear-free', 'app-misc/grouped', 'app-misc/y']);
  });

  it('keeps conditionals on unknown flags and the structure of choice groups', () => {
    const resolved = resolveConditionals(tree, (flag) => (flag === 'openssh' ? true : undefined));
    expect(formatDepend(resolved)).toBe(
      'sys-apps/systemd net-misc/openssh !selinux? ( sec-policy/none ) selinux? ( sec-policy/selinux-ssh || ( app-misc/a[foo(+)] app-misc/b ) ) ( app-misc/grouped ) ^^ ( x86? ( app-misc/x ) app-misc/y )',
    );
  });

  it('lists the flags tested', () => {
    expect([...flagsUsed(tree)].sort()).toEqual(['openssh', 'selinux', 'x86']);
  });
});
