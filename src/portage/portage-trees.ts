import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheHome } from '../cache/blob-cache.js';
import { GitTree } from '../git/tree.js';
import { writeChanges } from '../tree/disk.js';
import type { ChangeSet, ReadableTree } from '../tree/types.js';

/** The directory nano-overlay keeps Portage's work in: `portage/` of the cache home (~/.cache/nano-overlay). */
export function portageCacheDir(): string {
  return join(cacheHome(), 'portage');
}

/** A repository tree to hand to Portage: a git tree and the changes the layers make on top of it. */
export interface RepositorySource {
  readonly name: string;
  readonly tree: ReadableTree;
  readonly changes: ChangeSet;
}

/**
 * portage-stable and coreos-overlay of `upstream` at `commit`, in that order, with the changes the
 * layers made to each (`applied`, the result of applying them there), as Portage gets them.
 */
export async function repositorySources(
  upstream: { readonly portageStablePrefix?: string; openTree(part: 'overlay' | 'portage-stable', commit?: string): Promise<ReadableTree> },
  applied: { readonly overlay: { readonly base: ReadableTree; readonly changes: ChangeSet }; readonly scripts?: { readonly changes: ChangeSet } | undefined } | undefined,
  commit?: string,
): Promise<RepositorySource[]> {
  const prefix = upstream.portageStablePrefix ?? 'portage-stable';
  return [
    { name: 'portage-stable', tree: await upstream.openTree('portage-stable', commit), changes: changesUnder(applied?.scripts?.changes, prefix) },
    { name: 'coreos-overlay', tree: applied ? applied.overlay.base : await upstream.openTree('overlay', commit), changes: applied?.overlay.changes ?? new Map() },
  ];
}

/** The changes below `prefix`, with paths relative to it. */
function changesUnder(changes: ChangeSet | undefined, prefix: string): ChangeSet {
  const found: ChangeSet = new Map();
  for (const [path, entry] of changes ?? []) if (path.startsWith(`${prefix}/`)) found.set(path.slice(prefix.length + 1), entry);
  return found;
}

/** A repository extracted on disk, named by the hash of its content. */
export interface ExtractedRepository {
  readonly name: string;
  readonly location: string;
  readonly key: string;
}

/** The content key of a git tree plus changes: the tree id alone when nothing changes. */
export function contentKey(source: RepositorySource): string {
  if (!(source.tree instanceof GitTree)) throw new Error(`${source.name}: only git trees can be handed to Portage`);
  const hash = createHash('sha256').update(source.name).update('\0').update(source.tree.treeOid);
  for (const path of [...source.changes.keys()].sort()) {
    const entry = source.changes.get(path);
    hash.update(`\0${path}\0${entry ? entry.mode : 'deleted'}\0`);
    if (entry) hash.update(entry.data);
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * Extracts the repository from git objects (`git archive` of its tree, then the layers' changes)
 * into the cache, under its content key, unless it is already there. The tree appears all at once
 * (extracted beside, then renamed), so a killed run leaves no half tree behind.
 */
export async function extractRepository(source: RepositorySource): Promise<ExtractedRepository> {
  const key = contentKey(source);
  const trees = join(portageCacheDir(), 'trees');
  const location = join(trees, `${source.name}-${key}`);
  if (existsSync(location)) return { name: source.name, location, key };
  await mkdir(trees, { recursive: true });
  const staging = await mkdtemp(join(trees, `.${source.name}-`));
  try {
    const tree = source.tree as GitTree;
    await archiveInto(tree.reader.repoDir, tree.treeOid, staging);
    if (source.changes.size > 0) await writeChanges(staging, source.changes);
    await rename(staging, location).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(location)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { name: source.name, location, key };
}

function archiveInto(repoDir: string, treeOid: string, dir: string): Promise<void> {
  const git = spawn('git', ['archive', '--format=tar', treeOid], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  git.stdout.pipe(tar.stdin);
  let failed = '';
  const exit = (child: ReturnType<typeof spawn>): Promise<number | null> =>
    new Promise((done, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => (failed += chunk.toString()));
      child.on('error', reject);
      child.on('close', done);
    });
  return Promise.all([exit(git), exit(tar)]).then(([gitCode, tarCode]) => {
    if (gitCode !== 0 || tarCode !== 0) throw new Error(`extracting ${treeOid}: ${failed.trim() || 'git archive or tar failed'}`);
  });
}
