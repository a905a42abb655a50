import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../src/errors.js';
import { describeEdit, parseEdit } from '../../src/edits/index.js';

const at = 'patches/ssh/layer.yaml: edits[2]';

describe('parseEdit', () => {
  it('reads every edit type from YAML', () => {
    const edits = parseYaml(`
- type: iuse-add
  flag: openssh
  default: on
- type: dep-conditional
  variable: RDEPEND
  atom: net-misc/openssh
  flag: openssh
- type: phase-append
  phase: src_install
  flag: "!openssh"
  body: |
    rm -f "\${ED}"/usr/lib/systemd/system/sshd.socket || die
  createPhase: true
  callDefault: true
- type: patches-add
  flag: "!openssh"
  patch: 0003-no-ssh.patch
  prepareCall: distutils-r1_src_prepare
- type: line-add
  line: coreos-base/coreos-init -openssh
  after: "# Nano"
- type: line-remove
  line: sys-apps/systemd curl
- type: metadata-flag
  flag: openssh
  description: Install the sshd units
`) as unknown[];
    const parsed = edits.map((edit, index) => parseEdit(edit, `layer.yaml: edits[${index}]`));
    expect(parsed.map(describeEdit)).toEqual([
      'add +openssh to IUSE',
      'put net-misc/openssh in RDEPEND under openssh? ( )',
      'append a block under ! use openssh to src_install() (created when missing)',
      'apply 0003-no-ssh.patch in src_prepare under ! use openssh',
      "add line 'coreos-base/coreos-init -openssh' after '# Nano'",
      "remove line 'sys-apps/systemd curl'",
      'describe the openssh flag in metadata.xml',
    ]);
    expect(parsed[0]).toEqual({ type: 'iuse-add', flag: 'openssh', default: 'on' });
    expect(parsed[2]).toMatchObject({ createPhase: true, callDefault: true, body: 'rm -f "${ED}"/usr/lib/systemd/system/sshd.socket || die\n' });
  });

  it('accepts Handlebars expressions in string fields', () => {
    expect(parseEdit({ type: 'dep-conditional', atom: '{{atom}}', flag: '{{flag}}' }, at)).toEqual({
      type: 'dep-conditional',
      atom: '{{atom}}',
      flag: '{{flag}}',
    });
  });

  it.each([
    [{ type: 'iuse-ad', flag: 'x' }, "unknown type 'iuse-ad' (known: iuse-add,"],
    [{ flag: 'x' }, "'type' is missing"],
    ['iuse-add', 'an edit must be a mapping'],
    [{ type: 'iuse-add', flag: 'x', default: true }, "'default' must be 'on' or 'off', not 'true'"],
    [{ type: 'iuse-add', flag: '+x', default: 'on' }, "'flag' must be a USE flag name without +, - or !, not '+x'"],
    [{ type: 'iuse-add', flag: 'x' }, "'default' is missing for iuse-add"],
    [{ type: 'iuse-add', flag: 'x', default: 'on', atom: 'a/b' }, "unknown field 'atom' for iuse-add (known: flag, default)"],
    [{ type: 'dep-conditional', atom: '>=a/b-1', flag: 'x' }, "'atom' must be category/package"],
    [{ type: 'dep-conditional', atom: 'a/b', flag: 'x', variable: 'SRC_URI' }, "'variable' must name a dependency variable ending in DEPEND"],
    [{ type: 'phase-append', phase: 'src_install', flag: 'x', body: '' }, "'body' must be a non-empty string"],
    [{ type: 'phase-append', phase: 'src_install', flag: 'x', body: 'a', callDefault: true }, "'callDefault' only applies with 'createPhase: true'"],
    [{ type: 'phase-append', phase: 'pkg_postinst', flag: 'x', body: 'a', createPhase: true, callDefault: true }, "'callDefault' needs a phase with a default"],
    [{ type: 'phase-append', phase: 'src_install', flag: 'x', body: 'a', createPhase: 'yes' }, "'createPhase' must be true or false, not 'yes'"],
    [{ type: 'patches-add', flag: 'x', patch: '../x.patch' }, "'patch' must be a path inside FILESDIR"],
    [{ type: 'patches-add', flag: 'x', patch: 'a.patch', prepareCall: 'default; rm' }, "'prepareCall' must be one command name"],
    [{ type: 'line-add', line: 'a\nb' }, "'line' must be one line"],
    [{ type: 'metadata-flag', flag: '!x', description: 'd' }, "'flag' must be a USE flag name without +, - or !, not '!x'"],
    [{ type: 'metadata-flag', flag: 'x', description: 'two\nlines' }, "'description' must be one line"],
  ])('rejects %j', (value, message) => {
    const attempt = () => parseEdit(value, at);
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(`${at}: ${message}`);
  });
});
