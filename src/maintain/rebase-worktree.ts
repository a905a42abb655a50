import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../git/run.js';
import { GitTree } from '../git/tree.js';
import { assertWritable } from '../tree/write-check.js';
import { writeChanges } from '../tree/disk.js';
import { commitTree, writeTree } from '../git/write.js';
import type { ChangeSet } from '../tree/types.js';
import type { Upstream } from '../upstream/locate.js';

/** A work tree of the upstream holding a conflict, inside a temporary directory of its own. */
export interface ConflictWorktree {
  readonly path: string;
  readonly parent: string;
}

/** The changes made so far, by root. */
export interface RootChanges {
  readonly overlay: ChangeSet;
  readonly scripts?: ChangeSet;
}

/** Where a root's files are in a work tree of the upstream. */
export function rootDir(worktree: string, upstream: Upstream, root: 'overlay' | 'scripts'): string {
  return root === 'overlay' && upstream.overlayPrefix ? join(worktree, upstream.overlayPrefix) : worktree;
}

/**
 * Adds a detached work tree of the upstream (never its own checkout) at a commit holding `onto` plus
 * `committed` (the layers already moved), then writes `pending` (the layer in conflict, markers and
 * all) into it uncommitted, so that `git diff` there shows exactly that layer.
 */
export async function openConflictWorktree(upstream: Upstream, onto: string, committed: RootChanges, pending: RootChanges, message: string): Promise<ConflictWorktree> {
  let tree = `${onto}^{tree}`;
  if (committed.overlay.size > 0) tree = await writeTree(upstream.repoDir, tree, committed.overlay, upstream.overlayPrefix, upstream.reader);
  if (committed.scripts && committed.scripts.size > 0) tree = await writeTree(upstream.repoDir, tree, committed.scripts, '', upstream.reader);
  const commit = tree === `${onto}^{tree}` ? onto : await commitTree(upstream.repoDir, tree, [onto], message);
  // One change set for both roots, so the work tree gets all of the layer or none of it; checked before the work tree is made.
  const prefix = upstream.overlayPrefix ? `${upstream.overlayPrefix}/` : '';
  const changes: ChangeSet = new Map([...(pending.scripts ?? []), ...[...pending.overlay].map(([file, entry]) => [prefix + file, entry] as const)]);
  await assertWritable(await GitTree.open(upstream.reader, commit), changes, 'the conflict work tree');
  const parent = await mkdtemp(join(tmpdir(), 'nano-overlay-rebase-'));
  const path = join(parent, 'worktree');
  const worktree = { path, parent };
  await runGit(upstream.repoDir, ['worktree', 'add', '--quiet', '--detach', path, commit]);
  try {
    await writeChanges(path, changes);
  } catch (error) {
    await removeConflictWorktree(upstream.repoDir, worktree);
    throw error;
  }
  return worktree;
}

/** Removes the work tree and its directory; a work tree already deleted by hand is pruned. */
export async function removeConflictWorktree(repoDir: string, worktree: ConflictWorktree): Promise<void> {
  await runGit(repoDir, ['worktree', 'remove', '--force', worktree.path], { okCodes: [128] });
  await rm(worktree.parent, { recursive: true, force: true });
  await runGit(repoDir, ['worktree', 'prune']);
}
