import { randomBytes } from 'node:crypto';
import { lstat, mkdir, realpath, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { gitText, runGit } from '../git/run.js';
import { GitTree } from '../git/tree.js';
import { assertWritable } from '../tree/write-check.js';
import { writeChanges } from '../tree/disk.js';
import { commitTree, writeTree } from '../git/write.js';
import { isWithin } from '../tree/paths.js';
import type { ChangeSet } from '../tree/types.js';
import type { Upstream } from '../upstream/locate.js';

/** A work tree of the upstream holding a conflict, inside a directory of its own. */
export interface ConflictWorktree {
  readonly path: string;
  readonly parent: string;
}

/** The changes made so far, by root. */
export interface RootChanges {
  readonly overlay: ChangeSet;
  readonly scripts?: ChangeSet;
}

/** The directory, inside the upstream's git directory, below which every conflict work tree is made. */
const WORKTREES_DIR = 'nano-overlay-rebase';
const PARENT_PREFIX = 'conflict-';

/** Where a root's files are in a work tree of the upstream. */
export function rootDir(worktree: string, upstream: Upstream, root: 'overlay' | 'scripts'): string {
  return root === 'overlay' && upstream.overlayPrefix ? join(worktree, upstream.overlayPrefix) : worktree;
}

/**
 * Adds a detached work tree of the upstream (never its own checkout) at a commit holding `onto` plus
 * `committed` (the layers already moved), then writes `pending` (the layer in conflict, markers and
 * all) into it uncommitted, so that `git diff` there shows exactly that layer. The work tree lives in
 * a directory of its own inside the upstream's git directory, which `record` learns before that
 * directory is made, so that a run killed while making it can still be cleaned up.
 */
export async function openConflictWorktree(
  upstream: Upstream,
  onto: string,
  committed: RootChanges,
  pending: RootChanges,
  message: string,
  record: (worktree: ConflictWorktree) => Promise<void> = async () => undefined,
): Promise<ConflictWorktree> {
  let tree = `${onto}^{tree}`;
  if (committed.overlay.size > 0) tree = await writeTree(upstream.repoDir, tree, committed.overlay, upstream.overlayPrefix, upstream.reader);
  if (committed.scripts && committed.scripts.size > 0) tree = await writeTree(upstream.repoDir, tree, committed.scripts, '', upstream.reader);
  const commit = tree === `${onto}^{tree}` ? onto : await commitTree(upstream.repoDir, tree, [onto], message);
  // One change set for both roots, so the work tree gets all of the layer or none of it; checked before the work tree is made.
  const prefix = upstream.overlayPrefix ? `${upstream.overlayPrefix}/` : '';
  const changes: ChangeSet = new Map([...(pending.scripts ?? []), ...[...pending.overlay].map(([file, entry]) => [prefix + file, entry] as const)]);
  await assertWritable(await GitTree.open(upstream.reader, commit), changes, 'the conflict work tree');
  const root = await worktreesRoot(upstream.repoDir);
  const parent = join(root, `${PARENT_PREFIX}${randomBytes(6).toString('hex')}`);
  const worktree = { path: join(parent, 'worktree'), parent };
  await record(worktree);
  await mkdir(parent, { recursive: true });
  await runGit(upstream.repoDir, ['worktree', 'add', '--quiet', '--detach', worktree.path, commit]);
  try {
    await writeChanges(worktree.path, changes);
  } catch (error) {
    await removeWorktree(upstream.repoDir, worktree);
    throw error;
  }
  return worktree;
}

/**
 * Removes a conflict work tree and its directory, but only one that openConflictWorktree made: its
 * directory must be one of ours inside the upstream's git directory (a rebase state is input, and a
 * path it names is never trusted). A work tree deleted by hand is pruned; one left half-made and
 * locked by a killed `git worktree add` is unlocked and removed.
 */
export async function removeConflictWorktree(repoDir: string, worktree: ConflictWorktree, layersDir: string): Promise<void> {
  await removeWorktree(repoDir, await ownWorktree(repoDir, worktree, layersDir));
}

async function removeWorktree(repoDir: string, { path, parent }: ConflictWorktree): Promise<void> {
  const registered = await registeredWorktrees(repoDir);
  if (registered.get(path)?.locked) await runGit(repoDir, ['worktree', 'unlock', path], { okCodes: [128] });
  if (registered.has(path)) await runGit(repoDir, ['worktree', 'remove', '--force', '--force', path], { okCodes: [128] });
  await rm(parent, { recursive: true, force: true });
  await runGit(repoDir, ['worktree', 'prune']);
}

/** The work tree's paths when it is one of ours; an InputError otherwise. */
async function ownWorktree(repoDir: string, worktree: ConflictWorktree, layersDir: string): Promise<ConflictWorktree> {
  const refuse = (why: string): never => {
    throw new InputError(`the rebase state names a work tree this tool did not create (${why}); refusing to remove it`);
  };
  if (typeof worktree.path !== 'string' || typeof worktree.parent !== 'string') refuse('not a path');
  const root = await worktreesRoot(repoDir).catch(() => refuse(`the upstream ${repoDir} is not a git repository`));
  const layers = await realpath(layersDir);
  if (isWithin(root, layers)) refuse('the upstream lies inside the layer set');
  const parent = resolve(worktree.parent);
  if (dirname(parent) !== root || !basename(parent).startsWith(PARENT_PREFIX)) refuse(`'${parent}' is not below ${root}`);
  const path = resolve(worktree.path);
  if (path !== join(parent, 'worktree')) refuse(`'${path}' is not the work tree of '${parent}'`);
  for (const dir of [root, parent, path]) {
    const stats = await lstat(dir).catch(() => undefined);
    if (stats && !stats.isDirectory()) refuse(`'${dir}' is not a directory`);
  }
  return { path, parent };
}

/** The directory holding our conflict work trees, for the repository at `repoDir` (real path). */
async function worktreesRoot(repoDir: string): Promise<string> {
  const common = await gitText(repoDir, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  return join(await realpath(common), WORKTREES_DIR);
}

/** The work trees git has registered for the repository, by path, and whether each is locked. */
async function registeredWorktrees(repoDir: string): Promise<Map<string, { locked: boolean }>> {
  const { stdout } = await runGit(repoDir, ['worktree', 'list', '--porcelain', '-z']);
  const worktrees = new Map<string, { locked: boolean }>();
  let current: { locked: boolean } | undefined;
  for (const line of stdout.toString('utf8').split('\0')) {
    if (line.startsWith('worktree ')) worktrees.set(line.slice('worktree '.length), (current = { locked: false }));
    else if (current && (line === 'locked' || line.startsWith('locked '))) current.locked = true;
  }
  return worktrees;
}
