import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { EMPTY_TREE } from '../tree/memory.js';
import { pathBytes } from '../patch/text.js';
import { treePath } from '../tree/paths.js';
import type { ChangeSet, ReadableTree } from '../tree/types.js';
import { assertWritable } from '../tree/write-check.js';
import { ObjectReader } from './objects.js';
import { GitCommandError, gitText, runGit } from './run.js';
import { GitTree } from './tree.js';

const NUL = Buffer.of(0);

/** Runs `work` with a private scratch directory that is removed afterwards. */
async function withScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-overlay-git-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Stores `blobs` in the repository's object database with one `git fast-import` process (a single pack
 * rather than a loose file per blob), and returns their oids in the same order. The bytes are stored as
 * they are: no clean filters or line-ending conversion.
 */
export async function writeBlobs(repoDir: string, blobs: readonly Buffer[]): Promise<string[]> {
  if (blobs.length === 0) return [];
  const stream: Buffer[] = [];
  blobs.forEach((blob, index) => stream.push(Buffer.from(`blob\nmark :${index + 1}\ndata ${blob.length}\n`), blob, Buffer.from('\n')));
  stream.push(Buffer.from(blobs.map((_, index) => `get-mark :${index + 1}\n`).join('') + 'done\n'));
  const output = await gitText(repoDir, ['fast-import', '--quiet', '--done'], { input: Buffer.concat(stream) }).catch((error: unknown) => {
    throw storageError(error, repoDir);
  });
  return output.split('\n');
}

/** git failing to store objects for want of space or permission, or knowing no identity to commit as, is a one-line error. */
function storageError(error: unknown, repoDir: string): unknown {
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return new InputError(`cannot write into ${repoDir}: no space left on device; no branch was changed`);
  if (!(error instanceof GitCommandError)) return error;
  if (/identity unknown|unable to auto-detect email address|empty ident name/i.test(error.stderr)) {
    return new InputError(`git knows no identity to commit as in ${repoDir}: set user.name and user.email (git config); no branch was changed`);
  }
  const found = /No space left on device|Out of diskspace|Permission denied|Read-only file system|Disk quota exceeded/i.exec(error.stderr)?.[0];
  const reason = found && /diskspace/i.test(found) ? 'No space left on device' : found;
  return reason ? new InputError(`cannot write objects into ${repoDir}: ${reason}; no branch was changed`) : error;
}

/**
 * Writes the tree that results from applying `changes` to the tree-ish `base` (empty when undefined) and
 * returns its oid. Change paths are relative to `prefix`, the directory of `base` they apply to (for
 * example the overlay's directory in a flatcar/scripts tree). Only the object database is written to: a
 * temporary index is used, so the repository's own index, work tree and HEAD stay as they are. The
 * changes are checked against `base` first (see assertWritable): a file/directory clash, a path
 * through a symlink or into `.git` is refused before any object is written. `reader` reads `base`;
 * without one, a reader is started for the call.
 */
export async function writeTree(repoDir: string, base: string | undefined, changes: ChangeSet, prefix = '', reader?: ObjectReader): Promise<string> {
  await checkAgainstBase(repoDir, base, prefix, changes, reader);
  const full = (path: string) => (prefix ? `${prefix}/${treePath(path)}` : treePath(path));
  const writes = [...changes].flatMap(([path, entry]) => (entry ? [{ path: full(path), entry }] : []));
  const deletions = [...changes].flatMap(([path, entry]) => (entry ? [] : [full(path)]));
  const oids = await writeBlobs(repoDir, writes.map(({ entry }) => entry.data));
  const written = withScratchDir(async (dir) => {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    await runGit(repoDir, base ? ['read-tree', base] : ['read-tree', '--empty'], { env });
    if (deletions.length > 0) {
      await runGit(repoDir, ['update-index', '-z', '--force-remove', '--stdin'], { env, input: Buffer.concat(deletions.map((path) => Buffer.concat([pathBytes(path), NUL]))) });
    }
    if (writes.length > 0) {
      const info = Buffer.concat(writes.map(({ path, entry }, index) => Buffer.concat([Buffer.from(`${entry.mode} ${oids[index]}\t`), pathBytes(path), NUL])));
      await runGit(repoDir, ['update-index', '-z', '--index-info'], { env, input: info });
    }
    return gitText(repoDir, ['write-tree'], { env });
  });
  return written.catch((error: unknown) => {
    throw storageError(error, repoDir);
  });
}

/** Checks `changes` against the directory `prefix` of tree-ish `base`, read through `reader` or a reader of its own. */
async function checkAgainstBase(repoDir: string, base: string | undefined, prefix: string, changes: ChangeSet, reader: ObjectReader | undefined): Promise<void> {
  const own = base && !reader ? new ObjectReader(repoDir) : undefined;
  try {
    const tree: ReadableTree | undefined = base ? await GitTree.open((reader ?? own)!, base, prefix).catch(() => undefined) : undefined;
    await assertWritable(tree ?? EMPTY_TREE, changes, `the tree of ${repoDir}`);
  } finally {
    await own?.close();
  }
}

/**
 * Creates a commit of `tree` with `parents` and `message` and returns its oid. `env` can set the author
 * and committer (GIT_AUTHOR_NAME, GIT_COMMITTER_DATE, …); otherwise git's configuration applies.
 */
export async function commitTree(
  repoDir: string,
  tree: string,
  parents: readonly string[],
  message: string,
  env?: Record<string, string>,
): Promise<string> {
  const args = ['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent])];
  return gitText(repoDir, args, { input: message.endsWith('\n') ? message : `${message}\n`, ...(env && { env }) }).catch((error: unknown) => {
    throw storageError(error, repoDir);
  });
}

/**
 * The identity `git commit --signoff` signs with: the committer's name and email as git's
 * configuration (and its GIT_COMMITTER_* variables) give them.
 */
export async function signOffIdentity(repoDir: string): Promise<string> {
  const ident = await gitText(repoDir, ['var', 'GIT_COMMITTER_IDENT']).catch((error: unknown) => {
    throw storageError(error, repoDir);
  });
  return ident.trim().replace(/ \d+ [+-]\d{4}$/, '');
}

/** The work trees (including the main one) that have `refs/heads/<name>` checked out. */
async function worktreesWithBranch(repoDir: string, name: string): Promise<string[]> {
  const listing = await gitText(repoDir, ['worktree', 'list', '--porcelain', '-z']);
  const records = listing.split('\0\0').map((record) => record.split('\0'));
  return records
    .filter((fields) => fields.includes(`branch refs/heads/${name}`))
    .map((fields) => fields.find((field) => field.startsWith('worktree '))!.slice('worktree '.length));
}

/**
 * Points branch `name` at `commit` without touching any work tree, index or HEAD. Refuses, with an
 * InputError, an invalid name, a branch that is checked out, and an existing branch unless `force`.
 * Returns the commit the branch pointed to before, if any.
 */
export async function createBranch(repoDir: string, name: string, commit: string, options: { force?: boolean } = {}): Promise<string | undefined> {
  const ref = `refs/heads/${name}`;
  const valid = await runGit(repoDir, ['check-ref-format', ref], { okCodes: [1] });
  if (valid.code !== 0 || name.startsWith('-') || name === 'HEAD') throw new InputError(`invalid branch name '${name}'`);
  const existing = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', ref], { okCodes: [1] });
  const previous = existing.code === 0 ? existing.stdout.toString('utf8').trim() : undefined;
  const checkedOut = await worktreesWithBranch(repoDir, name);
  if (checkedOut.length > 0) throw new InputError(`branch '${name}' is checked out in ${checkedOut[0]}; choose another branch name`);
  if (previous !== undefined && !options.force) throw new InputError(`branch '${name}' already exists in ${repoDir}; use --force to replace it`);
  // The old value makes the update atomic: a branch another process created or moved meanwhile is not overwritten.
  await runGit(repoDir, ['update-ref', '-m', `nano-overlay: write ${name}`, ref, commit, previous ?? '']).catch((error: unknown) => {
    if (!(error instanceof GitCommandError)) throw error;
    const reason = error.stderr.trim().split('\n')[0]?.replace(/^fatal: /, '') ?? '';
    throw new InputError(`branch '${name}' was not written: ${reason} (another process may have created or moved it meanwhile)`);
  });
  return previous;
}
