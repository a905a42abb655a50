import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Importing this module gives every git process of the test run a fixed identity and shields it from
 * the user's and the system's git configuration.
 */
Object.assign(process.env, {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.invalid',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
});

/** Runs git synchronously in `cwd` and returns its trimmed output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** Runs git synchronously in `cwd` with `input` on standard input and returns its trimmed output. */
export function gitWithInput(cwd: string, input: string | Buffer, ...args: string[]): string {
  return execFileSync('git', args, { cwd, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

const created: string[] = [];

/** A new empty temporary directory, removed by `removeTempDirs`. */
export async function makeTempDir(prefix = 'nano-overlay-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory `makeTempDir` created. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A file to create: text or bytes, an executable, or a symlink. */
export type FileSpec = string | Buffer | { exec: string } | { link: string };

/** Creates `files` below `dir`, with their directories. */
export async function writeFiles(dir: string, files: Record<string, FileSpec>): Promise<void> {
  for (const [path, spec] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    if (typeof spec === 'string' || Buffer.isBuffer(spec)) await writeFile(target, spec);
    else if ('exec' in spec) await writeFile(target, spec.exec, { mode: 0o755 });
    else await symlink(spec.link, target);
  }
}

/** A new repository (branch main) holding `files` in one commit; returns its directory. */
export async function repoWithFiles(files: Record<string, FileSpec>): Promise<string> {
  const dir = await makeTempDir();
  git(dir, 'init', '-q', '-b', 'main');
  await writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}
