import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { DiskTree } from '../../src/tree/disk.js';
import type { FileEntry, ReadableTree } from '../../src/tree/types.js';

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

const created: string[] = [];
afterEach(async () => {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-overlay-test-'));
  created.push(dir);
  return dir;
}

/** Runs git in `cwd` and returns its standard output as bytes. */
export function git(cwd: string, ...args: string[]): Buffer {
  return execFileSync('git', args, { cwd, env: GIT_ENV, maxBuffer: 1 << 28 });
}

/** A fresh repository with an identity and default settings. */
export async function tempRepo(): Promise<string> {
  const dir = await tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  return dir;
}

/** A file to write: text or bytes (mode 100644), or an entry with its mode, or a symlink. */
export type FileSpec = string | Buffer | { link: string } | { data: string | Buffer; executable: true };

/** Writes files below `root`, creating directories. */
export async function writeFiles(root: string, files: Record<string, FileSpec>): Promise<void> {
  for (const [path, spec] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    if (typeof spec === 'object' && 'link' in spec) await symlink(spec.link, full);
    else if (typeof spec === 'object' && 'executable' in spec) await writeFile(full, spec.data, { mode: 0o755 });
    else await writeFile(full, spec);
  }
}

/** Every file of a tree with its mode and content, for comparisons. */
export async function snapshot(tree: ReadableTree): Promise<Record<string, { mode: string; data: string }>> {
  const files: Record<string, { mode: string; data: string }> = {};
  for (const path of await tree.list()) {
    const entry = (await tree.read(path)) as FileEntry;
    files[path] = { mode: entry.mode, data: entry.data.toString('latin1') };
  }
  return files;
}

/** snapshot() of a directory on disk. */
export function snapshotDir(dir: string): Promise<Record<string, { mode: string; data: string }>> {
  return snapshot(new DiskTree(dir));
}

/** True when the program runs. */
export function available(program: string): boolean {
  try {
    execFileSync(program, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
