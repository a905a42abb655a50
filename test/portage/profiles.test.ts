import { describe, expect, it } from 'vitest';
import { memoryTree } from '../../src/tree/memory.js';
import { effectiveUse, loadProfile, profileFiles, ProfileReads, stockProfileFiles } from '../../src/portage/profiles.js';
import type { ReadableTree } from '../../src/tree/types.js';
import { parseMakeDefaults, trackedWords } from '../../src/portage/make-defaults.js';
import { InputError } from '../../src/errors.js';

const IUSE = new Map([
  ['openssh', true],
  ['bash', true],
  ['ntp', false],
  ['curl', false],
  ['pam', true],
  ['acl', false],
]);

/** A small overlay shaped like coreos-overlay's profiles, with a Nano profile below generic. */
function overlay(extra: Record<string, string> = {}) {
  return memoryTree({
    'profiles/repo_name': 'coreos-overlay\n',
    'profiles/coreos/base/make.defaults': '# base\nUSE="curl -pam"\nUSE="${USE} ntp"\n',
    'profiles/coreos/base/package.use.force': 'app-misc/thing acl\n',
    'profiles/coreos/base/use.mask': '# never\nselinux\n',
    'profiles/coreos/amd64/parent': 'gentoo:default/linux/amd64/23.0\n:coreos/base\n',
    'profiles/coreos/amd64/make.defaults': 'USE="-ntp"\nGRUB_PLATFORMS="efi-64 pc"\n',
    'profiles/coreos/targets/generic/make.defaults': 'USE="pam"\n',
    'profiles/coreos/targets/generic/package.use': 'app-misc/thing -curl # not needed\n',
    'profiles/coreos/amd64/generic/parent': '..\n:coreos/targets/generic\n',
    'profiles/coreos/amd64/generic/prod/parent': '..\n',
    'profiles/coreos/amd64/nano/parent': '../generic\n',
    'profiles/coreos/amd64/nano/make.defaults': 'USE="-openssh -bash"\n',
    'profiles/coreos/amd64/nano/package.use.force': 'app-misc/thing -acl\n',
    ...extra,
  });
}

describe('parseMakeDefaults', () => {
  it('expands, quotes and continues lines, tracking where words came from', () => {
    const text = [
      '# comment',
      'A="one two"',
      "B='$A literal'",
      'C="${A} \\',
      '  three" # trailing',
      'export D=$C\\ four',
      'E="multi',
      'line"',
      'F="${UNKNOWN}x"',
    ].join('\n');
    const vars = parseMakeDefaults(text, 'make.defaults');
    expect(vars.get('A')?.text).toBe('one two');
    expect(vars.get('B')?.text).toBe('$A literal');
    expect(vars.get('C')?.text).toBe('one two   three');
    expect(vars.get('D')?.text).toBe('one two   three four');
    expect(vars.get('E')?.text).toBe('multi\nline');
    expect(vars.get('F')?.text).toBe('x');
    expect(trackedWords(vars.get('C')!)).toEqual([
      { word: 'one', source: 'make.defaults:2' },
      { word: 'two', source: 'make.defaults:2' },
      { word: 'three', source: 'make.defaults:5' },
    ]);
    expect(trackedWords(vars.get('E')!).map((w) => w.source)).toEqual(['make.defaults:7', 'make.defaults:8']);
  });

  it('reads inherited variables', () => {
    const vars = parseMakeDefaults('X="${Y} b"', 'f', new Map([['Y', { text: 'a', origins: ['p:1'] }]]));
    expect(trackedWords(vars.get('X')!)).toEqual([
      { word: 'a', source: 'p:1' },
      { word: 'b', source: 'f:1' },
    ]);
  });

  it.each(['A="open', "A='open", 'not an assignment', 'A=${B:-x}'])('rejects %j with its line', (text) => {
    expect(() => parseMakeDefaults(`OK=1\n${text}`, 'md')).toThrow(InputError);
    expect(() => parseMakeDefaults(`OK=1\n${text}`, 'md')).toThrow(/^md:2: /);
  });
});

describe('loadProfile', () => {
  it('orders the chain parents first and records what it skips', async () => {
    const profile = await loadProfile(overlay(), 'profiles/coreos/amd64/generic/prod');
    expect(profile.chain.map((node) => node.dir)).toEqual([
      'profiles/coreos/base',
      'profiles/coreos/amd64',
      'profiles/coreos/targets/generic',
      'profiles/coreos/amd64/generic',
      'profiles/coreos/amd64/generic/prod',
    ]);
    expect(profile.chain.every((node) => node.repo === 'coreos-overlay')).toBe(true);
    expect(profile.skipped).toEqual([
      {
        parent: 'gentoo:profiles/default/linux/amd64/23.0',
        source: 'profiles/coreos/amd64/parent:1',
        reason: "repository 'gentoo' is not available",
      },
    ]);
    expect(profile.chain[1]!.variables.get('GRUB_PLATFORMS')?.text).toBe('efi-64 pc');
  });

  it('reads master profiles when given, and records ones the master lacks', async () => {
    const masters = memoryTree({
      'profiles/default/linux/amd64/23.0/parent': '../../../../base\n',
      'profiles/default/linux/amd64/23.0/make.defaults': 'USE="pam acl"\n',
      'profiles/base/make.defaults': 'USE="-*"\n',
    });
    const profile = await loadProfile(overlay({ 'profiles/coreos/arm64/parent': 'portage-stable:default/linux/arm64\n' }), 'profiles/coreos/amd64', { masters });
    expect(profile.chain.map((node) => `${node.repo}:${node.dir}`)).toEqual([
      'portage-stable:profiles/base',
      'portage-stable:profiles/default/linux/amd64/23.0',
      'coreos-overlay:profiles/coreos/base',
      'coreos-overlay:profiles/coreos/amd64',
    ]);
    const arm = await loadProfile(overlay({ 'profiles/coreos/arm64/parent': 'portage-stable:default/linux/arm64\n' }), 'profiles/coreos/arm64', { masters });
    expect(arm.skipped.map((s) => s.reason)).toEqual(['profiles/default/linux/arm64 is not in portage-stable']);
  });

  it('rejects missing overlay profiles, cycles and bad lines', async () => {
    await expect(loadProfile(overlay(), 'profiles/coreos/nope')).rejects.toThrow(InputError);
    const cyclic = overlay({ 'profiles/coreos/base/parent': '../amd64/generic\n' });
    await expect(loadProfile(cyclic, 'profiles/coreos/amd64/generic')).rejects.toThrow(/cycle/);
    const bad = overlay({ 'profiles/coreos/base/use.mask': 'ok\nbad?\n' });
    await expect(loadProfile(bad, 'profiles/coreos/amd64')).rejects.toThrow(/^profiles\/coreos\/base\/use\.mask:2: /);
    const escaping = overlay({ 'profiles/coreos/base/parent': '../../..\n' });
    await expect(loadProfile(escaping, 'profiles/coreos/amd64')).rejects.toThrow(/leaves the profiles directory/);
  });

  it('reads profile files that are directories, in name order', async () => {
    const tree = overlay({ 'profiles/coreos/base/package.use/b': 'app-misc/thing pam\n', 'profiles/coreos/base/package.use/a': 'app-misc/thing -pam\n' });
    const profile = await loadProfile(tree, 'profiles/coreos/base');
    expect(profile.chain[0]!.packageUse.map((line) => line.source)).toEqual(['profiles/coreos/base/package.use/a:1', 'profiles/coreos/base/package.use/b:1']);
  });

  it('reads each directory once for profiles loaded with shared reads, and gives the same profiles', async () => {
    const tree = overlay();
    const listed: string[] = [];
    const counting: ReadableTree = { read: (path) => tree.read(path), list: (dir) => (listed.push(dir ?? ''), tree.list(dir)) };
    const reads = new ProfileReads();
    const names = ['profiles/coreos/amd64/generic/prod', 'profiles/coreos/amd64/nano'];
    const shared = await Promise.all(names.map((name) => loadProfile(counting, name, { reads })));
    expect(listed.filter((dir) => dir === 'profiles/coreos/base')).toHaveLength(1);
    expect(listed.filter((dir) => dir === 'profiles/coreos/amd64/generic')).toHaveLength(1);
    const alone = await Promise.all(names.map((name) => loadProfile(tree, name)));
    expect(shared.map((profile) => profile.chain.map((node) => node.dir))).toEqual(alone.map((profile) => profile.chain.map((node) => node.dir)));
    expect(effectiveUse(shared[1]!, 'app-misc/thing-1', IUSE)).toEqual(effectiveUse(alone[1]!, 'app-misc/thing-1', IUSE));
    // Without shared reads, each load reads the directories it inherits itself.
    listed.length = 0;
    await Promise.all(names.map((name) => loadProfile(counting, name)));
    expect(listed.filter((dir) => dir === 'profiles/coreos/base')).toHaveLength(2);
  });

  it('lists the files stock builds read, present or not, and not the Nano profile', async () => {
    const arm64 = {
      'profiles/coreos/arm64/parent': ':coreos/base\n',
      'profiles/coreos/arm64/generic/parent': '..\n:coreos/targets/generic\n',
      'profiles/coreos/arm64/generic/prod/parent': '..\n',
    };
    await expect(stockProfileFiles(overlay())).rejects.toThrow(/coreos\/arm64\/generic' does not exist/);
    const files = (await stockProfileFiles(overlay(arm64))).map((f) => f.path);
    expect(files).toContain('profiles/coreos/arm64/generic/prod/use.mask');
    expect(files).toContain('profiles/coreos/base/make.defaults');
    expect(files).toContain('profiles/coreos/base/package.use.mask');
    expect(files).toContain('profiles/coreos/amd64/generic/prod/package.use');
    expect(files.some((f) => f.includes('/nano/'))).toBe(false);
    const nano = profileFiles(await loadProfile(overlay(), 'profiles/coreos/amd64/nano')).map((f) => f.path);
    expect(nano).toContain('profiles/coreos/amd64/nano/make.defaults');
  });
});

describe('effectiveUse', () => {
  it('applies IUSE defaults, incremental make.defaults and package.use in chain order', async () => {
    const use = effectiveUse(await loadProfile(overlay(), 'profiles/coreos/amd64/generic'), 'app-misc/thing-1.0', IUSE);
    expect(Object.fromEntries([...use].map(([flag, d]) => [flag, d.enabled]))).toEqual({
      openssh: true,
      bash: true,
      ntp: false,
      curl: false,
      pam: true,
      acl: true,
    });
    expect(use.get('openssh')?.source).toBe('IUSE');
    expect(use.get('ntp')?.source).toBe('profiles/coreos/amd64/make.defaults:1');
    expect(use.get('curl')?.source).toBe('profiles/coreos/targets/generic/package.use:1');
    expect(use.get('pam')?.source).toBe('profiles/coreos/targets/generic/make.defaults:1');
    expect(use.get('acl')).toEqual({ enabled: true, source: 'profiles/coreos/base/package.use.force:1', forced: true, masked: false });
  });

  it('applies profile lines only to the package they name', async () => {
    const use = effectiveUse(await loadProfile(overlay(), 'profiles/coreos/amd64/generic'), 'app-misc/other-1.0', IUSE);
    expect(use.get('curl')?.enabled).toBe(true);
    expect(use.get('acl')?.enabled).toBe(false);
  });

  it('lets a child profile turn flags off and un-force, but -flag in package.use.force does not disable', async () => {
    const use = effectiveUse(await loadProfile(overlay(), 'profiles/coreos/amd64/nano'), 'app-misc/thing-1.0', IUSE);
    expect(use.get('openssh')).toEqual({ enabled: false, source: 'profiles/coreos/amd64/nano/make.defaults:1', forced: false, masked: false });
    expect(use.get('bash')?.enabled).toBe(false);
    // -acl un-forces; acl falls back to its IUSE default (off).
    expect(use.get('acl')).toEqual({ enabled: false, source: 'IUSE', forced: false, masked: false });
    const enabledAcl = effectiveUse(await loadProfile(overlay({ 'profiles/coreos/amd64/nano/package.use': 'app-misc/thing acl\n' }), 'profiles/coreos/amd64/nano'), 'app-misc/thing-1', IUSE);
    expect(enabledAcl.get('acl')?.enabled).toBe(true);
    const unforceOnly = effectiveUse(
      await loadProfile(overlay({ 'profiles/coreos/amd64/nano/package.use.force': 'app-misc/thing -pam\n' }), 'profiles/coreos/amd64/nano'),
      'app-misc/thing-1',
      IUSE,
    );
    expect(unforceOnly.get('pam')?.enabled).toBe(true);
  });

  it('lets a mask win over a force, and -flag in use.mask unmask', async () => {
    const tree = overlay({
      'profiles/coreos/amd64/generic/use.mask': 'acl\nselinux-extra\n',
      'profiles/coreos/amd64/generic/use.force': 'openssh\nntp\n',
      'profiles/coreos/amd64/generic/prod/use.mask': '-acl\n',
    });
    const generic = effectiveUse(await loadProfile(tree, 'profiles/coreos/amd64/generic'), 'app-misc/thing-1', IUSE);
    expect(generic.get('acl')).toEqual({ enabled: false, source: 'profiles/coreos/amd64/generic/use.mask:1', forced: true, masked: true });
    expect(generic.get('ntp')).toEqual({ enabled: true, source: 'profiles/coreos/amd64/generic/use.force:2', forced: true, masked: false });
    const prod = effectiveUse(await loadProfile(tree, 'profiles/coreos/amd64/generic/prod'), 'app-misc/thing-1', IUSE);
    expect(prod.get('acl')).toMatchObject({ enabled: true, forced: true, masked: false });
  });

  it('clears everything before -* including IUSE defaults', async () => {
    const tree = overlay({ 'profiles/coreos/amd64/generic/make.defaults': 'USE="-* curl"\n' });
    const use = effectiveUse(await loadProfile(tree, 'profiles/coreos/amd64/generic'), 'app-misc/other-1', IUSE);
    expect([...use].filter(([, d]) => d.enabled).map(([flag]) => flag)).toEqual(['curl']);
    expect(use.get('openssh')?.source).toBe('profiles/coreos/amd64/generic/make.defaults:1');
  });

  it('orders package.use lines by atom specificity, then first written wins among equals', async () => {
    const tree = overlay({
      'profiles/coreos/amd64/generic/package.use': [
        '=app-misc/thing-1.0 ntp',
        'app-misc/thing -ntp',
        '>=app-misc/thing-1 pam',
        '<app-misc/thing-2 -pam',
        'app-misc/thing:0 bash',
        'app-misc/thing -bash',
      ].join('\n'),
    });
    const profile = await loadProfile(tree, 'profiles/coreos/amd64/generic');
    const use = effectiveUse(profile, 'app-misc/thing-1.0', IUSE, { slot: '0' });
    expect(use.get('ntp')?.enabled).toBe(true);
    expect(use.get('pam')).toMatchObject({ enabled: true, source: 'profiles/coreos/amd64/generic/package.use:3' });
    expect(use.get('bash')?.enabled).toBe(true);
    expect(effectiveUse(profile, 'app-misc/thing-1.1', IUSE).get('ntp')?.enabled).toBe(false);
  });

  it('interleaves make.defaults and package.use per profile directory, as Portage does', async () => {
    const tree = overlay({
      'profiles/coreos/targets/generic/package.use': 'app-misc/thing ntp\n',
      'profiles/coreos/amd64/generic/make.defaults': 'USE="-ntp"\n',
    });
    const use = effectiveUse(await loadProfile(tree, 'profiles/coreos/amd64/generic'), 'app-misc/thing-1', IUSE);
    expect(use.get('ntp')).toMatchObject({ enabled: false, source: 'profiles/coreos/amd64/generic/make.defaults:1' });
  });

  it('turns USE_EXPAND variables of make.defaults into flags at their place in the chain', async () => {
    const tree = overlay({
      'profiles/coreos/base/make.defaults': 'USE_EXPAND="PYTHON_TARGETS CPU_FLAGS_X86"\nUSE_EXPAND_UNPREFIXED="ARCH"\nARCH="amd64"\nPYTHON_TARGETS="python3_12 python3_13"\n',
      'profiles/coreos/amd64/make.defaults': 'PYTHON_TARGETS="-python3_12"\nCPU_FLAGS_X86="sse2"\n',
      'profiles/coreos/targets/generic/package.use': 'app-misc/thing python_targets_python3_12\n',
      'profiles/coreos/amd64/generic/make.defaults': 'CPU_FLAGS_X86="-*"\n',
    });
    const iuse = new Map([
      ['python_targets_python3_12', false],
      ['python_targets_python3_13', false],
      ['cpu_flags_x86_sse2', false],
      ['amd64', false],
    ]);
    const profile = await loadProfile(tree, 'profiles/coreos/amd64/generic');
    const thing = effectiveUse(profile, 'app-misc/thing-1', iuse);
    expect(thing.get('python_targets_python3_13')).toMatchObject({ enabled: true, source: 'profiles/coreos/base/make.defaults:4' });
    expect(thing.get('python_targets_python3_12')).toMatchObject({ enabled: true, source: 'profiles/coreos/targets/generic/package.use:1' });
    expect(thing.get('cpu_flags_x86_sse2')).toMatchObject({ enabled: false, source: 'profiles/coreos/amd64/generic/make.defaults:1' });
    expect(thing.get('amd64')?.enabled).toBe(true);
    const other = effectiveUse(profile, 'app-misc/other-1', iuse);
    expect(other.get('python_targets_python3_12')).toMatchObject({ enabled: false, source: 'profiles/coreos/amd64/make.defaults:1' });
  });

  it('applies use.stable.mask and package.use.stable.mask (and .force, use.stable) to stable versions only', async () => {
    const tree = overlay({
      'profiles/coreos/base/use.stable.mask': 'ntp\n',
      'profiles/coreos/base/package.use.stable.mask': 'app-misc/thing pam\n',
      'profiles/coreos/base/package.use.stable.force': 'app-misc/thing openssh\n',
      'profiles/coreos/amd64/generic/package.use.stable': 'app-misc/thing curl\n',
      'profiles/coreos/amd64/generic/make.defaults': 'USE="ntp"\n',
    });
    const profile = await loadProfile(tree, 'profiles/coreos/amd64/generic');
    const stable = effectiveUse(profile, 'app-misc/thing-1', IUSE, { stable: true });
    expect(stable.get('ntp')).toMatchObject({ enabled: false, masked: true, source: 'profiles/coreos/base/use.stable.mask:1' });
    expect(stable.get('pam')).toMatchObject({ enabled: false, masked: true });
    expect(stable.get('openssh')).toMatchObject({ enabled: true, forced: true });
    expect(stable.get('curl')).toMatchObject({ enabled: true, source: 'profiles/coreos/amd64/generic/package.use.stable:1' });
    const unstable = effectiveUse(profile, 'app-misc/thing-1', IUSE, { stable: false });
    expect(unstable.get('ntp')).toMatchObject({ enabled: true, masked: false });
    expect(unstable.get('pam')).toMatchObject({ enabled: true, masked: false });
    expect(unstable.get('openssh')?.forced).toBe(false);
    expect(unstable.get('curl')?.enabled).toBe(false);
  });
});
