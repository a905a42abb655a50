import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, readlink, lstat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOverlayFixture, type OverlayFixture } from '../helpers/fixture-overlay.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/git.js';

/**
 * Every command given bad input, through the built command line: one line on standard error in the
 * form `nano-overlay: <what> (<file>:<line>)`, the exit status, no stack trace, and every tree left
 * exactly as it was. The README's table of bad input is this table.
 */

const cli = resolve('dist/src/cli.js');
const EXAMPLE_LAYERS = resolve('examples/layers');

interface Setup {
  readonly upstream: OverlayFixture;
  /** A copy of the example layer set, changed per case by `layers`. */
  readonly layers: string;
  readonly empty: string;
  readonly plain: string;
  readonly bare: string;
}

interface BadInput {
  readonly what: string;
  readonly args: (setup: Setup) => string[];
  /** Changes made to the layer set copy before the run, as path → text. */
  readonly layers?: Readonly<Record<string, string>>;
  readonly before?: (setup: Setup) => void;
  readonly stdin?: string;
  readonly exit: number;
  readonly message: RegExp;
}

const up = (setup: Setup) => ['--upstream', setup.upstream.dir, '--layers', setup.layers];
const MANIFEST = 'patches/demo-files-motd-optional/layer.yaml';
const PATCH = 'patches/demo-files-motd-optional/0001-motd-optional.patch';

export const BAD_INPUT: readonly BadInput[] = [
  { what: 'an unknown option', args: () => ['--bogus'], exit: 2, message: /^unknown option '--bogus'$/ },
  { what: 'an unknown command', args: () => ['frob'], exit: 2, message: /^unknown command 'frob'$/ },
  { what: 'a missing required option', args: () => ['validate'], exit: 2, message: /^required option '--upstream <path>' not specified$/ },
  { what: 'an upstream that does not exist', args: (s) => ['validate', '--upstream', join(s.empty, 'absent')], exit: 2, message: /^upstream '.*absent' is not a directory$/ },
  { what: 'an upstream that is no git repository', args: (s) => ['validate', '--upstream', s.plain], exit: 2, message: /^upstream '.*' is not a git repository$/ },
  { what: 'an unknown ref', args: (s) => ['validate', ...up(s), '--ref', 'nope'], exit: 2, message: /^unknown ref 'nope' in / },
  { what: '--signoff without --branch', args: (s) => ['apply', ...up(s), '--worktree', '--signoff'], exit: 2, message: /^--signoff needs --branch NAME$/ },
  { what: 'an unknown output format', args: (s) => ['validate', ...up(s), '--format', 'xml'], exit: 2, message: /^--format must be human, json or github, not 'xml'$/ },
  { what: 'a directory without a layer set', args: (s) => ['validate', '--upstream', s.upstream.dir, '--layers', s.empty], exit: 2, message: /patches\/series/ },
  { what: 'a malformed layer.yaml', layers: { [MANIFEST]: 'summary: [unclosed\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^invalid YAML: .* \(patches\/demo-files-motd-optional\/layer\.yaml:\d+\)$/ },
  { what: 'an unknown manifest field', layers: { [MANIFEST]: 'summary: "a: b"\ndescription: c\ncolour: red\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^unknown field 'colour' .*\(patches\/demo-files-motd-optional\/layer\.yaml\)$/ },
  { what: 'a missing template variable', layers: { 'templates/agent-cleanup.hbs': 'rm -f {{nosuch}}\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^template variable 'nosuch' is not defined \(templates\/agent-cleanup\.hbs:1\)$/ },
  { what: 'a missing partial', layers: { 'templates/agent-cleanup.hbs': '{{> nosuch}}\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^partial 'nosuch' not found under templates\/ .*\(templates\/agent-cleanup\.hbs\)$/ },
  { what: 'a bad series entry', layers: { 'patches/series': 'demo-lean-package\nBad Name\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^'Bad Name' is not a valid layer name .*\(patches\/series:2\)$/ },
  { what: 'a layer listed twice', layers: { 'patches/series': 'demo-lean-package\ndemo-lean-package\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^layer 'demo-lean-package' is listed twice \(first on line 1\) \(patches\/series:2\)$/ },
  { what: 'a series entry without a layer', layers: { 'patches/series': 'no-such-layer\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^layer 'no-such-layer' has no manifest .*\(patches\/series\)$/ },
  { what: 'a malformed patch in a layer', layers: { [PATCH]: '--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-x\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^truncated hunk.*\(patches\/demo-files-motd-optional\/0001-motd-optional\.patch:3\)$/ },
  { what: 'apply without a destination', args: (s) => ['apply', ...up(s)], exit: 2, message: /^choose exactly one of --branch NAME, --worktree or --dry-run$/ },
  { what: 'an invalid branch name', args: (s) => ['apply', ...up(s), '--branch', 'a..b'], exit: 2, message: /^invalid branch name 'a\.\.b'$/ },
  { what: 'a branch whose name a branch already claims', before: (s) => git(s.upstream.dir, 'branch', 'nano'), args: (s) => ['apply', ...up(s), '--branch', 'nano/main'], exit: 2, message: /^branch 'nano\/main' was not written: .*cannot lock ref 'refs\/heads\/nano\/main': 'refs\/heads\/nano' exists/ },
  { what: 'the checked-out branch', args: (s) => ['apply', ...up(s), '--branch', 'main', '--force'], exit: 2, message: /^branch 'main' is checked out in / },
  { what: 'a fuzz that is no number', args: (s) => ['apply', ...up(s), '--dry-run', '--fuzz', 'lots'], exit: 2, message: /^option '--fuzz <n>' argument 'lots' is invalid\. not a non-negative integer$/ },
  { what: 'a new layer with a bad name', args: (s) => ['new', 'Bad', '--layers', s.layers], exit: 2, message: /^'Bad' is not a valid layer name/ },
  { what: 'a new layer after an unknown one', args: (s) => ['new', 'extra', '--layers', s.layers, '--after', 'nope'], exit: 2, message: /^layer 'nope' is not in the series \(patches\/series\)$/ },
  { what: 'a new layer that exists', args: (s) => ['new', 'demo-lean-package', '--layers', s.layers], exit: 2, message: /^layer 'demo-lean-package' is already in the series \(patches\/series\)$/ },
  { what: 'a malformed patch', stdin: '--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n-x\n', args: (s) => ['patch', '-d', s.empty, '-'], exit: 2, message: /^truncated hunk.*\(<stdin>:3\)$/ },
  { what: 'a patch path with control characters', stdin: '--- a/../\u001b[2Jx\n+++ b/../\u001b[2Jx\n@@ -1 +1 @@\n-a\n+b\n', args: (s) => ['patch', '-d', s.empty, '-'], exit: 2, message: /^path '\.\.\/\\033\[2Jx' escapes the tree root \(<stdin>:1\)$/ },
  { what: 'a series entry with control characters', layers: { 'patches/series': 'demo-lean-package\nBad\u001b]0;x\u0007\r\n' }, args: (s) => ['validate', ...up(s)], exit: 2, message: /^'Bad\\033\]0;x\\a' is not a valid layer name .*\(patches\/series:2\)$/ },
  { what: 'a patch file that does not exist', args: (s) => ['patch', '-d', s.empty, join(s.empty, 'nope.patch')], exit: 2, message: /^cannot read the patch: .*no such file or directory.* \(.*nope\.patch\)$/ },
  { what: 'no patch in the input', stdin: 'just prose\n', args: (s) => ['patch', '-d', s.empty], exit: 2, message: /^no patch found in the input \(<stdin>\)$/ },
  { what: 'a strip count that is no number', args: () => ['patch', '-p', 'x'], exit: 2, message: /^option '-p, --strip <n>' argument 'x' is invalid\. not a non-negative integer$/ },
  { what: 'an unknown review format', args: (s) => ['review', ...up(s), '--format', 'pdf'], exit: 2, message: /^--format must be md, html or json, not 'pdf'$/ },
  { what: 'review --since outside a git repository', args: (s) => ['review', ...up(s), '--since', 'HEAD'], exit: 2, message: /is not in a git repository, so it has no revision 'HEAD'$/ },
  { what: 'an unknown import grouping', args: (s) => ['import', '--upstream', s.upstream.dir, '--from', 'main', '--group', 'colour'], exit: 2, message: /^--group must be package, file or commit, not 'colour'$/ },
  { what: 'rebase without --onto', args: (s) => ['rebase', '--upstream', s.upstream.dir, '--layers', s.layers], exit: 2, message: /^rebase needs --upstream PATH and --onto REV/ },
  { what: 'rebase --continue with no rebase', args: (s) => ['rebase', '--continue', '--layers', s.layers], exit: 2, message: /^no rebase in progress in / },
  { what: 'refresh on a bare repository', args: (s) => ['refresh', '--upstream', s.bare, '--layers', s.layers], exit: 2, message: /^refresh reads a work tree; .* is bare$/ },
  { what: 'conditionalize with a bad flag', args: (s) => ['conditionalize', 'demo-lean-package', '--flag', '+bad', ...up(s)], exit: 2, message: /^--flag '\+bad' is not a valid USE flag name$/ },
  { what: 'conditionalize an unknown layer', args: (s) => ['conditionalize', 'nope', '--flag', 'lean', ...up(s)], exit: 2, message: /^no layer 'nope' in patches\/series \(patches\/series\)$/ },
  { what: 'conditionalize with a bad default', args: (s) => ['conditionalize', 'demo-lean-package', '--flag', 'lean', '--default', 'maybe', ...up(s)], exit: 2, message: /^--default must be on or off, not 'maybe'$/ },
  { what: 'the example in a non-empty directory', args: (s) => ['example', s.layers], exit: 2, message: /^'.*' is not empty; the example upstream needs an empty directory$/ },
];

/** Every file below `dir` (symlinks as their target), but for git's object store: unreferenced objects change no tree. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory() && relative(dir, path) === '.git/objects') continue;
      if (entry.isDirectory()) await walk(path);
      else files[relative(dir, path)] = (await lstat(path)).isSymbolicLink() ? `-> ${await readlink(path)}` : await readFile(path, 'latin1');
    }
  };
  await walk(dir);
  return files;
}

let setup: Setup;
/** What each case printed, written as a Markdown table to $BAD_INPUT_TABLE when that is set. */
const printed: string[] = [];

beforeAll(async () => {
  const upstream = await createOverlayFixture({ layout: 'scripts' });
  const bare = join(await makeTempDir(), 'bare.git');
  git(upstream.dir, 'clone', '-q', '--bare', upstream.dir, bare);
  const plain = await makeTempDir();
  await writeFile(join(plain, 'file.txt'), 'not a repository\n');
  setup = { upstream, layers: '', empty: await makeTempDir(), plain, bare };
});

afterAll(async () => {
  if (process.env.BAD_INPUT_TABLE) {
    const rows = printed.map((row) => row.replace(/\/tmp\/[^ ')`;]*/g, '<tmp>'));
    await writeFile(process.env.BAD_INPUT_TABLE, ['| bad input | exit | standard error |', '| --- | --- | --- |', ...rows, ''].join('\n'));
  }
  await removeTempDirs();
});

describe('bad input on the command line', () => {
  it('has at least 25 cases', () => {
    expect(BAD_INPUT.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD_INPUT.map((entry) => [entry.what, entry] as const))('%s: one line, its exit status, nothing changed', async (_what, entry) => {
    const layers = join(await makeTempDir(), 'layers');
    await cp(EXAMPLE_LAYERS, layers, { recursive: true, verbatimSymlinks: true });
    for (const [path, text] of Object.entries(entry.layers ?? {})) {
      await mkdir(join(layers, path, '..'), { recursive: true });
      await writeFile(join(layers, path), text);
    }
    const here = { ...setup, layers };
    entry.before?.(here);
    const trees = [here.upstream.dir, layers, here.empty];
    const before = await Promise.all(trees.map(snapshot));
    const refs = git(here.upstream.dir, 'for-each-ref');
    const run = spawnSync(process.execPath, [cli, ...entry.args(here)], {
      cwd: here.empty,
      encoding: 'utf8',
      input: entry.stdin ?? '',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const lines = run.stderr.split('\n').filter(Boolean);
    printed.push(`| ${entry.what} (\`${entry.args(here)[0]}\`) | ${run.status} | \`${lines.join(' ').replaceAll('|', '\\|')}\` |`);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^nano-overlay: /);
    expect(lines[0]!.slice('nano-overlay: '.length)).toMatch(entry.message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(entry.exit);
    expect(await Promise.all(trees.map(snapshot))).toEqual(before);
    expect(git(here.upstream.dir, 'for-each-ref')).toBe(refs);
  });

  it('prints the stack trace with --debug', () => {
    const run = spawnSync(process.execPath, [cli, 'validate', '--debug', '--upstream', setup.plain], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/^nano-overlay: upstream '.*' is not a git repository$/);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('prints the version in the plain form other npm tools use', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = spawnSync(process.execPath, [cli, flag], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });
});
