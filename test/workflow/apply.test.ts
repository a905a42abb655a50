import { execFileSync, spawnSync } from 'node:child_process';
import { cp, readFile, writeFile, appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, LayerDefinitionError } from '../../src/errors.js';
import { applyToUpstream } from '../../src/workflow/apply.js';
import { createOverlayFixture, type OverlayFixture } from '../helpers/fixture-overlay.js';
import { git, makeTempDir, removeTempDirs, writeFiles } from '../helpers/git.js';

const EXAMPLE_LAYERS = resolve('examples/layers');
const OVERLAY = 'sdk_container/src/third_party/coreos-overlay';

afterAll(removeTempDirs);

/** A private copy of the example layer set that a test may change. */
async function exampleLayers(): Promise<string> {
  const dir = join(await makeTempDir('nano-overlay-layers-'), 'layers');
  await cp(EXAMPLE_LAYERS, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

/** Everything that says what state a repository is in: HEAD, index, status, refs and the work tree's files. */
function repositoryState(dir: string): string {
  return [
    git(dir, 'rev-parse', 'HEAD'),
    git(dir, 'ls-files', '-s'),
    git(dir, 'status', '--porcelain', '--untracked-files=all'),
    git(dir, 'for-each-ref'),
    git(dir, 'diff'),
  ].join('\n--\n');
}

async function scriptsFixture(): Promise<OverlayFixture> {
  return createOverlayFixture({ layout: 'scripts' });
}

describe('apply --branch', () => {
  it('writes one commit per layer in series order and leaves the checkout untouched', async () => {
    const fixture = await scriptsFixture();
    const before = repositoryState(fixture.dir);
    const report = await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean/main' } });

    expect(report.ok).toBe(true);
    expect(git(fixture.dir, 'log', '--format=%s', 'main..lean/main').split('\n')).toEqual([
      "profiles: add the lean image's profile, coreos/amd64/lean",
      'app-misc/demo-files: install the motd only with USE=motd',
      'coreos-base/demo-init: make the management agent optional',
      "coreos-base/demo-lean: add the lean image's base package",
    ]);
    expect(git(fixture.dir, 'log', '-1', '--format=%B', 'lean/main~2')).toContain('Nano-Layer: demo-init-agent-optional');
    expect(repositoryState(fixture.dir).replace(/^\S+ commit\trefs\/heads\/lean\/main\n/m, '')).toBe(before);
    expect(git(fixture.dir, 'for-each-ref', '--format=%(refname)')).toContain('refs/heads/lean/main');
  });

  it('places overlay files, renders templates and keeps symlinks as symlinks', async () => {
    const fixture = await scriptsFixture();
    await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean' } });
    const tree = git(fixture.dir, 'ls-tree', '-r', 'lean', `${OVERLAY}/coreos-base/demo-lean`);
    expect(tree).toMatch(/^120000 blob \S+\t.*demo-lean-0\.0\.1-r1\.ebuild$/m);
    expect(git(fixture.dir, 'cat-file', '-p', `lean:${OVERLAY}/coreos-base/demo-lean/demo-lean-0.0.1-r1.ebuild`)).toBe('demo-lean-0.0.1.ebuild');
    const ebuild = git(fixture.dir, 'show', `lean:${OVERLAY}/coreos-base/demo-lean/demo-lean-0.0.1.ebuild`);
    expect(ebuild).toContain('RDEPEND="\n\tapp-misc/demo-files\n\tcoreos-base/demo-init\n\tsys-apps/demo-tools\n\tsys-libs/demo-lib\n"');
    expect(ebuild).toContain('#   net-misc/demo-agent: management happens through the provisioning config');
  });

  it('follows a revision symlink to its body and a bumped ebuild to its successor', async () => {
    const fixture = await scriptsFixture();
    await fixture.commitNewer();
    const report = await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean' } });
    const files = report.layers.flatMap((layer) => layer.files);
    expect(files.find((file) => file.path.endsWith('demo-files-0-r3.ebuild'))).toMatchObject({
      resolvedPath: 'app-misc/demo-files/demo-files-0-r4.ebuild',
      status: 'applied',
      follows: ['app-misc/demo-files/demo-files-0-r3.ebuild → app-misc/demo-files/demo-files-0-r4.ebuild (revision-bump)'],
    });
    expect(files.find((file) => file.path.endsWith('demo-init-0.0.1-r12.ebuild'))?.follows).toEqual([
      'coreos-base/demo-init/demo-init-0.0.1-r12.ebuild → coreos-base/demo-init/demo-init-0.0.1-r13.ebuild (revision-bump)',
      'coreos-base/demo-init/demo-init-0.0.1-r13.ebuild → coreos-base/demo-init/demo-init-9999.ebuild (symlink)',
    ]);
    expect(git(fixture.dir, 'show', `lean:${OVERLAY}/app-misc/demo-files/demo-files-0-r4.ebuild`)).toContain('IUSE="containers +motd"');
    expect(git(fixture.dir, 'ls-tree', '--name-only', 'lean', `${OVERLAY}/app-misc/demo-files/`)).not.toContain('demo-files-0-r3.ebuild');
  });

  it('applies later layers on top of earlier ones', async () => {
    const fixture = await scriptsFixture();
    const layers = await exampleLayers();
    // A layer that edits the line the motd layer wrote: it only applies after that layer.
    await appendFile(join(layers, 'patches/series'), 'motd-path\n');
    await writeFiles(layers, {
      'patches/motd-path/layer.yaml': 'summary: "app-misc/demo-files: move the motd"\ndescription: Moves it.\n',
      'patches/motd-path/0001-motd-path.patch': [
        '--- a/app-misc/demo-files/demo-files-0-r3.ebuild',
        '+++ b/app-misc/demo-files/demo-files-0-r3.ebuild',
        '@@ -16,3 +16,3 @@',
        '     if use motd; then',
        '-        insinto /usr/share/demo-files',
        '+        insinto /usr/share/demo-motd',
        '         doins "${FILESDIR}"/motd',
        '',
      ].join('\n'),
    });
    const report = await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { branch: 'lean' } });
    expect(report.layers.map((layer) => [layer.name, layer.status])).toEqual([
      ['demo-lean-package', 'applied'],
      ['demo-init-agent-optional', 'applied'],
      ['demo-files-motd-optional', 'applied'],
      ['demo-lean-profile', 'applied'],
      ['motd-path', 'applied'],
    ]);
    expect(git(fixture.dir, 'show', `lean:${OVERLAY}/app-misc/demo-files/demo-files-0-r3.ebuild`)).toContain('    if use motd; then\n        insinto /usr/share/demo-motd');
  });

  it('signs every commit off with --signoff, as git commit --signoff does, after the layer trailer', async () => {
    const fixture = await scriptsFixture();
    const report = await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean/main', signoff: true } });
    expect(report.ok).toBe(true);
    const messages = git(fixture.dir, 'log', '--format=%B%x00', 'main..lean/main').split('\0').map((text) => text.trim()).filter(Boolean);
    expect(messages).toHaveLength(4);
    for (const message of messages) expect(message).toMatch(/\nNano-Layer: [\w-]+\nSigned-off-by: Test Committer <committer@example\.invalid>$/);
    expect(git(fixture.dir, 'log', '-1', '--format=%(trailers:key=Signed-off-by,valueonly)', 'lean/main')).toBe('Test Committer <committer@example.invalid>');
    const unsigned = await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean/plain' } });
    expect(unsigned.ok).toBe(true);
    expect(git(fixture.dir, 'log', '--format=%B', 'main..lean/plain')).not.toContain('Signed-off-by');
  });

  it("takes author, committer and sign-off from git's configuration, and says so in one line when it has none", async () => {
    const fixture = await scriptsFixture();
    const saved = { ...process.env };
    for (const name of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete process.env[name];
    try {
      git(fixture.dir, 'config', 'user.name', 'Ada Maintainer');
      git(fixture.dir, 'config', 'user.email', 'ada@example.invalid');
      const report = await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'signed', signoff: true } });
      expect(report.ok).toBe(true);
      expect(git(fixture.dir, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'signed')).toBe('Ada Maintainer <ada@example.invalid>|Ada Maintainer <ada@example.invalid>');
      expect(git(fixture.dir, 'log', '-1', '--format=%B', 'signed')).toContain('Signed-off-by: Ada Maintainer <ada@example.invalid>');

      git(fixture.dir, 'config', '--unset', 'user.name');
      git(fixture.dir, 'config', '--unset', 'user.email');
      git(fixture.dir, 'config', 'user.useConfigOnly', 'true');
      const refs = git(fixture.dir, 'for-each-ref');
      for (const signoff of [true, false]) {
        await expect(applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'anonymous', signoff } })).rejects.toThrow(
          /^git knows no identity to commit as in .*: set user\.name and user\.email \(git config\); no branch was changed$/,
        );
      }
      expect(git(fixture.dir, 'for-each-ref')).toBe(refs);
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it('refuses an existing branch unless forced', async () => {
    const fixture = await scriptsFixture();
    git(fixture.dir, 'branch', 'taken');
    await expect(applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'taken' } })).rejects.toThrow(
      /branch 'taken' already exists/,
    );
    const forced = await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'taken', force: true } });
    expect(forced.ok).toBe(true);
    expect(git(fixture.dir, 'rev-list', '--count', 'main..taken')).toBe('4');
  });

  it('works on a standalone overlay and on a bare repository at an older ref', async () => {
    const overlay = await createOverlayFixture({ layout: 'overlay' });
    const standalone = await applyToUpstream({ upstream: overlay.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean' } });
    expect(standalone.ok).toBe(true);
    expect(git(overlay.dir, 'show', 'lean:coreos-base/demo-init/demo-init-9999.ebuild')).toContain('agent? ( net-misc/demo-agent )');

    const scripts = await scriptsFixture();
    const first = scripts.head;
    await scripts.commitNewer();
    const bare = await scripts.bareClone();
    const report = await applyToUpstream({ upstream: bare, ref: first, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean' } });
    expect(report.upstream.commit).toBe(first);
    expect(git(bare, 'rev-parse', 'lean~4')).toBe(first);
  });
});

describe('apply --worktree', () => {
  it('writes the layers into the checkout', async () => {
    const fixture = await scriptsFixture();
    const report = await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { worktree: true } });
    expect(report.ok).toBe(true);
    expect(await readFile(join(fixture.dir, OVERLAY, 'coreos-base/demo-init/demo-init-9999.ebuild'), 'utf8')).toContain('IUSE="+symlink-usr selinux test +agent"');
    expect(git(fixture.dir, 'status', '--porcelain')).toContain(`?? ${OVERLAY}/coreos-base/demo-lean/`);
  });

  it('refuses a dirty path it would write and changes nothing', async () => {
    const fixture = await scriptsFixture();
    const ebuild = join(fixture.dir, OVERLAY, 'app-misc/demo-files/demo-files-0-r3.ebuild');
    await appendFile(ebuild, '# local edit\n');
    const before = repositoryState(fixture.dir);
    await expect(applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { worktree: true } })).rejects.toThrow(
      /uncommitted changes in 1 path the layers would write: .*demo-files-0-r3\.ebuild/,
    );
    expect(repositoryState(fixture.dir)).toBe(before);
  });

  it('refuses a ref other than the checked-out HEAD', async () => {
    const fixture = await scriptsFixture();
    await fixture.commitNewer();
    await expect(
      applyToUpstream({ upstream: fixture.dir, ref: 'HEAD~1', layersDir: EXAMPLE_LAYERS, destination: { worktree: true } }),
    ).rejects.toThrow(/--worktree writes onto the checked-out HEAD/);
  });
});

describe('all or nothing', () => {
  it('writes nothing when a later layer fails', async () => {
    const fixture = await scriptsFixture();
    const layers = await exampleLayers();
    await appendFile(join(layers, 'patches/series'), 'broken\n');
    await writeFiles(layers, {
      'patches/broken/layer.yaml': 'summary: "sys-apps/demo-tools: a change that no longer fits"\ndescription: Fails.\n',
      'patches/broken/0001.patch': '--- a/sys-apps/demo-tools/demo-tools-2.1.0.ebuild\n+++ b/sys-apps/demo-tools/demo-tools-2.1.0.ebuild\n@@ -1,2 +1,2 @@\n-# no such line\n-# anywhere\n+# replaced\n+# lines\n',
    });
    for (const destination of [{ branch: 'lean' }, { worktree: true as const }]) {
      const before = repositoryState(fixture.dir);
      const report = await applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination });
      expect(report.ok).toBe(false);
      expect(report.written).toBe(false);
      expect(report.layers.at(-1)).toMatchObject({ name: 'broken', status: 'failed' });
      expect(repositoryState(fixture.dir)).toBe(before);
    }
  });

  it('reports every layer already applied on a tree that has them, and writes no empty commits', async () => {
    const fixture = await scriptsFixture();
    await applyToUpstream({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, destination: { branch: 'lean' } });
    const again = await applyToUpstream({ upstream: fixture.dir, ref: 'lean', layersDir: EXAMPLE_LAYERS, destination: { branch: 'twice' } });
    expect(again.layers.map((layer) => layer.status)).toEqual(['already-applied', 'already-applied', 'already-applied', 'already-applied']);
    expect(git(fixture.dir, 'rev-parse', 'twice')).toBe(git(fixture.dir, 'rev-parse', 'lean'));
  });
});

describe('bad input', () => {
  it('names the template, line and variable of a missing template variable', async () => {
    const fixture = await scriptsFixture();
    const layers = await exampleLayers();
    const template = join(layers, 'overlay/demo-lean-package/coreos-base/demo-lean/demo-lean-0.0.1.ebuild.hbs');
    await writeFile(template, (await readFile(template, 'utf8')).replace('{{package_set.stock}}', '{{package_set.stok}}'));
    const before = repositoryState(fixture.dir);
    const attempt = applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { branch: 'lean' } });
    await expect(attempt).rejects.toThrow(LayerDefinitionError);
    await expect(attempt).rejects.toThrow(
      "overlay/demo-lean-package/coreos-base/demo-lean/demo-lean-0.0.1.ebuild.hbs:13: template variable 'package_set.stok' is not defined",
    );
    expect(repositoryState(fixture.dir)).toBe(before);
  });

  it('names the manifest and the field of a bad manifest', async () => {
    const fixture = await scriptsFixture();
    const layers = await exampleLayers();
    await writeFile(join(layers, 'patches/demo-files-motd-optional/layer.yaml'), 'summary: "x: y"\ndescription: z\nflags:\n  - name: motd\n    default: maybe\n');
    await expect(applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { dryRun: true } })).rejects.toThrow(
      "patches/demo-files-motd-optional/layer.yaml: flags[0].default must be 'on' or 'off', not 'maybe'",
    );
    await writeFile(join(layers, 'patches/demo-files-motd-optional/layer.yaml'), 'summary: [unclosed\n');
    await expect(applyToUpstream({ upstream: fixture.dir, layersDir: layers, destination: { dryRun: true } })).rejects.toThrow(
      /patches\/demo-files-motd-optional\/layer\.yaml:\d+: invalid YAML/,
    );
  });

  it('names an unknown ref', async () => {
    const fixture = await scriptsFixture();
    await expect(applyToUpstream({ upstream: fixture.dir, ref: 'no-such-ref', layersDir: EXAMPLE_LAYERS, destination: { dryRun: true } })).rejects.toThrow(
      InputError,
    );
    await expect(applyToUpstream({ upstream: fixture.dir, ref: 'no-such-ref', layersDir: EXAMPLE_LAYERS, destination: { dryRun: true } })).rejects.toThrow(
      /unknown ref 'no-such-ref'/,
    );
  });
});

describe('the command line', () => {
  const cli = resolve('dist/src/cli.js');
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('exits 0 after a branch apply, 2 with a one-line error for bad input', async () => {
    execFileSync('npx', ['tsc', '-p', '.'], { stdio: 'ignore' });
    const fixture = await scriptsFixture();
    const ok = run(['apply', '--upstream', fixture.dir, '--layers', EXAMPLE_LAYERS, '--branch', 'lean', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, destination: { branch: 'lean' } });

    const bad = run(['apply', '--upstream', fixture.dir, '--layers', EXAMPLE_LAYERS, '--ref', 'nope', '--branch', 'x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^nano-overlay: unknown ref 'nope'/);

    const listed = run(['list', '--layers', EXAMPLE_LAYERS, '--json']);
    expect(JSON.parse(listed.stdout).layers.map((layer: { name: string }) => layer.name)).toEqual([
      'demo-lean-package',
      'demo-init-agent-optional',
      'demo-files-motd-optional',
      'demo-lean-profile',
    ]);
  });
});
