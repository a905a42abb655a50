import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { ObjectReader } from '../git/objects.js';
import { runGit } from '../git/run.js';
import { GitTree, resolveRef } from '../git/tree.js';
import type { ReadableTree, RootTrees } from '../tree/types.js';

/** Where coreos-overlay lives inside a flatcar/scripts repository. */
export const SCRIPTS_OVERLAY_PREFIX = 'sdk_container/src/third_party/coreos-overlay';
/** Where portage-stable lives inside a flatcar/scripts repository. */
export const SCRIPTS_PORTAGE_STABLE_PREFIX = 'sdk_container/src/third_party/portage-stable';

/** The parts of an upstream repository that can be opened as trees. */
export type UpstreamPart = 'overlay' | 'portage-stable' | 'root';

/** What applying and checking layers needs of an upstream: its shape, its objects and its trees at any commit. */
export interface UpstreamTrees {
  /** The commit the ref resolved to. */
  readonly commit: string;
  /** True when the repository is flatcar/scripts-shaped (the overlay is not at its root). */
  readonly scriptsRoot: boolean;
  /** portage-stable's directory in the commit's tree, when the repository has one. */
  readonly portageStablePrefix?: string;
  /** The reader every tree opened from this upstream shares. */
  readonly reader: ObjectReader;
  /** Opens a part of the repository at `commit` (the located commit when omitted) as a tree. */
  openTree(part: UpstreamPart, commit?: string): Promise<ReadableTree>;
}

/** An upstream repository, the commit a ref names in it, and where the overlay sits in that commit. */
export interface Upstream extends UpstreamTrees {
  /** The work tree's top level, or the git dir of a bare repository. */
  readonly repoDir: string;
  /** The absolute git dir. */
  readonly gitDir: string;
  readonly bare: boolean;
  /** The ref as given. */
  readonly ref: string;
  /** The commit the ref resolved to. */
  readonly commit: string;
  /** The overlay's directory in the commit's tree: SCRIPTS_OVERLAY_PREFIX, or '' for a standalone overlay. */
  readonly overlayPrefix: string;
  /** portage-stable's directory in the commit's tree, when the repository has one. */
  readonly portageStablePrefix?: string;
  /** True when the repository is flatcar/scripts-shaped (the overlay is not at its root). */
  readonly scriptsRoot: boolean;
  /** The reader every tree opened from this upstream shares. */
  readonly reader: ObjectReader;
  /** Opens a part of the repository at `commit` (the located commit when omitted) as a tree. */
  openTree(part: UpstreamPart, commit?: string): Promise<GitTree>;
  /** Ends the object reader. */
  close(): Promise<void>;
}

/** The trees layers apply to at `commit` (the located one by default): the overlay and, for flatcar/scripts, the root. */
export async function openRootTrees<T extends ReadableTree>(
  upstream: { readonly scriptsRoot: boolean; openTree(part: UpstreamPart, commit?: string): Promise<T> },
  commit?: string,
): Promise<RootTrees<T>> {
  const overlay = await upstream.openTree('overlay', commit);
  const scripts = upstream.scriptsRoot ? await upstream.openTree('root', commit) : undefined;
  return { overlay, ...(scripts ? { scripts } : {}) };
}

/** The kind of object at `path` in `commit`, or undefined when there is nothing. */
async function objectType(reader: ObjectReader, commit: string, path: string): Promise<string | undefined> {
  return (await reader.readObject(`${commit}:${path}`))?.type;
}

/** Finds the overlay's directory in `commit`: the scripts location, or the root of a standalone overlay. */
async function findOverlayPrefix(reader: ObjectReader, commit: string, ref: string, repoDir: string): Promise<string> {
  if ((await objectType(reader, commit, SCRIPTS_OVERLAY_PREFIX)) === 'tree') return SCRIPTS_OVERLAY_PREFIX;
  const [profiles, layout] = await Promise.all([objectType(reader, commit, 'profiles'), objectType(reader, commit, 'metadata/layout.conf')]);
  if (profiles === 'tree' && layout === 'blob') return '';
  throw new InputError(
    `no coreos-overlay at ref '${ref}' in ${repoDir}: expected ${SCRIPTS_OVERLAY_PREFIX}/, or profiles/ and metadata/layout.conf at the root`,
  );
}

/** Finds the git directory of `path` and whether it is bare; InputError when `path` is not in a repository. */
async function findRepository(path: string): Promise<{ repoDir: string; gitDir: string; bare: boolean }> {
  const exists = await stat(path).then((info) => info.isDirectory(), () => false);
  if (!exists) throw new InputError(`upstream '${path}' is not a directory`);
  const probe = await runGit(path, ['rev-parse', '--is-bare-repository', '--absolute-git-dir'], { okCodes: [128] });
  if (probe.code !== 0) throw new InputError(`upstream '${path}' is not a git repository`);
  const [bareFlag, gitDir] = probe.stdout.toString('utf8').trim().split('\n') as [string, string];
  const bare = bareFlag === 'true';
  const repoDir = bare ? gitDir : (await runGit(path, ['rev-parse', '--show-toplevel'])).stdout.toString('utf8').trim();
  return { repoDir: resolve(repoDir), gitDir, bare };
}

/** An upstream repository and the commit a ref names in it (see resolveUpstream). */
export interface ResolvedUpstream {
  readonly repoDir: string;
  readonly gitDir: string;
  readonly bare: boolean;
  readonly commit: string;
}

/**
 * The repository `path` is in and the commit `ref` names there, without reading any object; an
 * InputError when there is no repository or no such commit.
 */
export async function resolveUpstream(path: string, ref = 'HEAD'): Promise<ResolvedUpstream> {
  const repository = await findRepository(path);
  return { ...repository, commit: await resolveRef(repository.repoDir, ref) };
}

/**
 * Locates the upstream overlay for `--upstream path` (a flatcar/scripts checkout, a coreos-overlay
 * checkout, or a bare clone of either) at `--ref ref`; `resolved`, when given, is what
 * resolveUpstream answered for them. The caller must `close()` the result.
 */
export async function locateUpstream(path: string, ref = 'HEAD', resolved?: ResolvedUpstream): Promise<Upstream> {
  const { repoDir, gitDir, bare, commit } = resolved ?? (await resolveUpstream(path, ref));
  const reader = new ObjectReader(repoDir);
  try {
    const overlayPrefix = await findOverlayPrefix(reader, commit, ref, repoDir);
    const scriptsRoot = overlayPrefix !== '';
    const hasPortageStable = scriptsRoot && (await objectType(reader, commit, SCRIPTS_PORTAGE_STABLE_PREFIX)) === 'tree';
    const portageStablePrefix = hasPortageStable ? SCRIPTS_PORTAGE_STABLE_PREFIX : undefined;
    const prefixes: Record<UpstreamPart, string | undefined> = { overlay: overlayPrefix, 'portage-stable': portageStablePrefix, root: '' };
    return {
      repoDir,
      gitDir,
      bare,
      ref,
      commit,
      overlayPrefix,
      portageStablePrefix,
      scriptsRoot,
      reader,
      async openTree(part, at = commit) {
        const prefix = prefixes[part];
        if (prefix === undefined) throw new InputError(`upstream ${repoDir} has no ${part}`);
        return GitTree.open(reader, at, prefix);
      },
      close: () => reader.close(),
    };
  } catch (error) {
    await reader.close();
    throw error;
  }
}
