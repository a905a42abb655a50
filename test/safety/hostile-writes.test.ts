import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { writeTree } from '../../src/git/write.js';
import { LayerSetWriter } from '../../src/maintain/layer-writer.js';
import { openConflictWorktree } from '../../src/maintain/rebase-worktree.js';
import { writeChanges } from '../../src/tree/disk.js';
import type { FileEntry } from '../../src/tree/types.js';
import { locateUpstream } from '../../src/upstream/locate.js';
import { git, gitWithInput, makeTempDir, removeTempDirs, writeFiles, type FileSpec } from '../helpers/git.js';
import { layerSet, overlayRepo, runCli, snapshotAll } from './helpers.js';

afterAll(removeTempDirs);

const text = (data: string): FileEntry => ({ mode: '100644', data: Buffer.from(data) });
const link = (target: string): FileEntry => ({ mode: '120000', data: Buffer.from(target) });

/** A hostile layer set: what the upstream holds besides the minimum, the layers and their files. */
interface Attack {
  readonly name: string;
  readonly upstream?: (outside: string) => Record<string, FileSpec>;
  readonly layers: readonly string[];
  readonly files: (outside: string) => Record<string, FileSpec>;
  /** What the one-line error (and validate's finding) must say. */
  readonly says: RegExp;
  readonly code: string;
}

const symlinkPatch = (path: string, target: string) =>
  `diff --git a/${path} b/${path}\nnew file mode 120000\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`;

const ATTACKS: readonly Attack[] = [
  {
    name: 'a link placed by one layer and a file below it placed by the next',
    layers: ['a', 'b'],
    files: (outside) => ({ 'overlay/a/app-misc/evil': { link: outside }, 'overlay/b/app-misc/evil/file': 'pwned\n' }),
    says: /'app-misc\/evil\/file'.*'app-misc\/evil' is a symbolic link/,
    code: 'WriteThroughLink',
  },
  {
    name: 'a link created by a layer patch and an overlay file below it',
    layers: ['a', 'b'],
    files: (outside) => ({ 'patches/a/0001-link.patch': symlinkPatch('app-misc/evil', outside), 'overlay/b/app-misc/evil/file': 'pwned\n' }),
    says: /'app-misc\/evil' is a symbolic link/,
    code: 'WriteThroughLink',
  },
  {
    name: 'a relative link climbing out of the tree, then a file below it',
    layers: ['a', 'b'],
    files: () => ({ 'overlay/a/up': { link: '../../../../../../../../../../tmp' }, 'overlay/b/up/evil-file': 'pwned\n' }),
    says: /'up' is a symbolic link/,
    code: 'WriteThroughLink',
  },
  {
    name: 'a link already in the upstream, and a file below it',
    upstream: (outside) => ({ 'app-misc/escape': { link: outside } }),
    layers: ['a'],
    files: () => ({ 'overlay/a/app-misc/escape/file': 'pwned\n' }),
    says: /'app-misc\/escape' is a symbolic link \(already in the tree\)/,
    code: 'WriteThroughLink',
  },
  {
    name: 'a file where the upstream has a directory',
    layers: ['a'],
    files: () => ({ 'overlay/a/app-misc/dir': 'a file\n' }),
    says: /'app-misc\/dir' clashes with the directory holding 'app-misc\/dir\/a.txt'/,
    code: 'PathClash',
  },
  {
    name: 'a file below an upstream file',
    layers: ['a'],
    files: () => ({ 'overlay/a/app-misc/foo/foo-1.ebuild/inner': 'x\n' }),
    says: /'app-misc\/foo\/foo-1.ebuild\/inner' clashes with the file 'app-misc\/foo\/foo-1.ebuild'/,
    code: 'PathClash',
  },
  {
    name: 'a file of one layer below a file of another',
    layers: ['a', 'b'],
    files: () => ({ 'overlay/a/app-misc/new': 'x\n', 'overlay/b/app-misc/new/inner': 'y\n' }),
    says: /'app-misc\/new\/inner' clashes with the file 'app-misc\/new' \(placed by the same changes\)/,
    code: 'PathClash',
  },
  {
    name: 'an overlay file inside .git',
    layers: ['a'],
    files: () => ({ 'overlay/a/.git/hooks/post-checkout': { exec: '#!/bin/sh\necho pwned\n' } }),
    says: /'.git\/hooks\/post-checkout'.*inside a .git directory/,
    code: 'UnwritablePath',
  },
  {
    name: 'an overlay file inside .GIT',
    layers: ['a'],
    files: () => ({ 'overlay/a/app-misc/.GIT/config': '[core]\n' }),
    says: /inside a .git directory/,
    code: 'UnwritablePath',
  },
];

/** Everything an attack could touch: the outside directory, the upstream (work tree and git dir) and the layer set. */
function state(dirs: { outside: string; upstream: string; layers: string }): Record<string, unknown> {
  return { outside: snapshotAll(dirs.outside), upstream: snapshotAll(dirs.upstream), layers: snapshotAll(dirs.layers) };
}

async function prepare(attack: Attack) {
  const outside = await makeTempDir('nano-overlay-outside-');
  const upstream = await overlayRepo(attack.upstream?.(outside));
  const layers = await layerSet(attack.layers, attack.files(outside));
  return { outside, upstream, layers };
}

describe('hostile layer sets against every writer', () => {
  for (const attack of ATTACKS) {
    it(`refuses ${attack.name}: exit 2 from apply in every mode, an error from validate, nothing changed`, async () => {
      const dirs = await prepare(attack);
      const before = state(dirs);
      for (const mode of [['--worktree'], ['--branch', 'hostile'], ['--dry-run']]) {
        const run = runCli(['apply', '--upstream', dirs.upstream, '--layers', dirs.layers, ...mode]);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.stderr).toMatch(attack.says);
        expect(run.status, `${mode[0]}: ${run.stderr}`).toBe(2);
        expect(state(dirs)).toEqual(before);
      }
      const validate = runCli(['validate', '--upstream', dirs.upstream, '--layers', dirs.layers, '--format', 'json']);
      expect(validate.status).toBe(1);
      const findings = (JSON.parse(validate.stdout) as { findings: { code: string; level: string; message: string }[] }).findings;
      expect(findings.find((finding) => finding.code === attack.code)).toMatchObject({ level: 'error', message: expect.stringMatching(attack.says) });
      expect(state(dirs)).toEqual(before);
    });
  }

  it('apply --worktree refuses a link that is only on disk (untracked) and writes nothing', async () => {
    const outside = await makeTempDir('nano-overlay-outside-');
    const upstream = await overlayRepo();
    await symlink(outside, join(upstream, 'app-misc/untracked'));
    const layers = await layerSet(['a'], { 'overlay/a/app-misc/untracked/file': 'pwned\n', 'overlay/a/app-misc/ok': 'fine\n' });
    const before = state({ outside, upstream, layers });
    const run = runCli(['apply', '--upstream', upstream, '--layers', layers, '--worktree']);
    expect(run.stderr).toMatch(/'app-misc\/untracked' is a symbolic link \(already in the tree\)/);
    expect(run.status).toBe(2);
    expect(state({ outside, upstream, layers })).toEqual(before);
  });

  it('import --into refuses a branch holding .git paths and a layer-set directory whose patches/ is a link, writing nothing', async () => {
    const upstream = await overlayRepo();
    const blob = gitWithInput(upstream, 'pwned\n', 'hash-object', '-w', '--stdin');
    const inner = gitWithInput(upstream, `100644 blob ${blob}\tconfig\n`, 'mktree');
    const pkg = gitWithInput(upstream, `040000 tree ${inner}\t.GIT\n100644 blob ${blob}\tfile\n`, 'mktree');
    const root = git(upstream, 'rev-parse', 'HEAD^{tree}');
    const entries = git(upstream, 'ls-tree', root).split('\n').filter((line) => !line.endsWith('\tapp-misc'));
    const appMisc = gitWithInput(upstream, `${git(upstream, 'ls-tree', 'HEAD:app-misc')}\n040000 tree ${pkg}\tbad\n`, 'mktree');
    const tree = gitWithInput(upstream, `${entries.join('\n')}\n040000 tree ${appMisc}\tapp-misc\n`, 'mktree');
    git(upstream, 'branch', 'hostile', git(upstream, 'commit-tree', tree, '-p', 'HEAD', '-m', 'hostile'));

    const into = join(await makeTempDir('nano-overlay-into-'), 'set');
    await mkdir(into);
    const before = snapshotAll(upstream);
    const run = runCli(['import', '--upstream', upstream, '--from', 'hostile', '--base', 'main', '--into', into]);
    expect(run.stderr).toMatch(/inside a .git directory/);
    expect(run.status).toBe(2);
    expect(snapshotAll(into)).toEqual({});
    expect(snapshotAll(upstream)).toEqual(before);

    const outside = await makeTempDir('nano-overlay-outside-');
    await symlink(outside, join(into, 'patches'));
    const plain = runCli(['import', '--upstream', upstream, '--from', 'hostile', '--base', 'main', '--into', into, '--', 'app-misc/bad/file']);
    expect(plain.stderr).toMatch(/'patches' is a symbolic link \(already in the tree\)/);
    expect(plain.status).toBe(2);
    expect(snapshotAll(outside)).toEqual({});
  });

  it('layer-set writes (refresh, rebase, import) refuse a link already in the layer set; deferred ones write nothing', async () => {
    const outside = await makeTempDir('nano-overlay-outside-');
    const upstream = await overlayRepo();
    const layers = await layerSet(['a'], { 'overlay/a/app-misc/placed': 'v1\n' });
    await symlink(outside, join(layers, 'overlay/a/linked'));
    const writer = new LayerSetWriter(layers);
    await expect(writer.write('overlay/a/linked/placed', text('v2\n'))).rejects.toThrow(/'overlay\/a\/linked' is a symbolic link/);
    await expect(writer.remove('overlay/a/linked/placed')).resolves.toBe(false);
    const deferred = LayerSetWriter.deferred(layers);
    await deferred.write('overlay/a/app-misc/placed', text('v2\n'));
    await deferred.write('overlay/a/linked/other', text('x\n'));
    await expect(deferred.flush()).rejects.toThrow(InputError);
    expect(await readFile(join(layers, 'overlay/a/app-misc/placed'), 'utf8')).toBe('v1\n');
    expect(snapshotAll(outside)).toEqual({});

    // The same set refreshes normally once the link is gone.
    await rm(join(layers, 'overlay/a/linked'));
    expect(runCli(['apply', '--upstream', upstream, '--layers', layers, '--worktree']).status).toBe(0);
    await writeFiles(upstream, { 'app-misc/placed': 'v2\n' });
    const refresh = runCli(['refresh', '--upstream', upstream, '--layers', layers]);
    expect(refresh.status, refresh.stderr).toBe(0);
    expect(await readFile(join(layers, 'overlay/a/app-misc/placed'), 'utf8')).toBe('v2\n');
  });

  it("rebase's conflict work tree refuses a layer writing through a link, before the work tree is made", async () => {
    const outside = await makeTempDir('nano-overlay-outside-');
    const repo = await overlayRepo();
    const upstream = await locateUpstream(repo, 'HEAD');
    try {
      const pending = new Map<string, FileEntry>([
        ['app-misc/evil', link(outside)],
        ['app-misc/evil/file', text('pwned\n')],
      ]);
      await expect(openConflictWorktree(upstream, upstream.commit, { overlay: new Map() }, { overlay: pending }, 'm')).rejects.toThrow(
        /'app-misc\/evil' is a symbolic link/,
      );
      expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
      expect(snapshotAll(outside)).toEqual({});
    } finally {
      await upstream.close();
    }
  });

  it('writeTree refuses clashes and .git paths before writing any object; writeChanges refuses a NUL in a name', async () => {
    const repo = await overlayRepo();
    const objects = () => git(repo, 'count-objects', '-v');
    const before = objects();
    for (const changes of [
      new Map<string, FileEntry>([['app-misc/dir', text('x\n')]]),
      new Map([['app-misc/l', link('/etc')], ['app-misc/l/passwd', text('x\n')]]),
      new Map([['.git/config', text('x\n')]]),
    ]) {
      await expect(writeTree(repo, 'HEAD', changes)).rejects.toThrow(InputError);
    }
    expect(objects()).toBe(before);
    await expect(writeChanges(repo, new Map([['a\0b', text('x\n')]]))).rejects.toThrow(/NUL/);
  });
});
