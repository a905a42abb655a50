import { posix } from 'node:path';
import { parseEbuildPath, type EbuildPath } from '../portage/ebuild-path.js';
import { compareVersions } from '../portage/versions.js';
import { resolveLinkTarget } from '../tree/paths.js';
import type { ReadableTree } from '../tree/types.js';

/** How a target path was followed to the file that is edited. */
export interface Follow {
  readonly from: string;
  readonly to: string;
  /** Bumps lead to a newer ebuild; at an older upstream revision a target can lead to an older one. */
  readonly reason: 'symlink' | 'revision-bump' | 'version-bump' | 'older-revision' | 'older-version';
}

/** The file a target resolves to, with every follow on the way (empty when the path was taken as is). */
export interface ResolvedTarget {
  readonly path: string;
  readonly follows: readonly Follow[];
}

/**
 * Resolves a path named by a layer to the file that must be edited at this upstream revision:
 * - a symlink (a Flatcar revision symlink such as `pkg-0.0.1-r320.ebuild -> pkg-0.0.1.ebuild`)
 *   resolves to the file it points to;
 * - an ebuild that is gone because upstream bumped its revision or version follows to the package's
 *   matching ebuild: the same version at its highest revision, else the package's highest version.
 * Returns undefined when nothing matches.
 */
export async function resolveTarget(tree: ReadableTree, path: string): Promise<ResolvedTarget | undefined> {
  const entry = await tree.read(path);
  if (entry) return followSymlink(tree, path, []);
  const wanted = parseEbuildPath(path);
  if (!wanted) return undefined;
  const successor = await matchingEbuild(tree, wanted);
  if (!successor) return undefined;
  const sameVersion = successor.version === wanted.version;
  const newer = compareVersions(versionOf(successor), versionOf(wanted)) > 0;
  const reason = sameVersion ? (newer ? 'revision-bump' : 'older-revision') : newer ? 'version-bump' : 'older-version';
  return followSymlink(tree, successor.path, [{ from: path, to: successor.path, reason }]);
}

/**
 * Resolves a `category/package` to the ebuild file a layer edits: the real file behind the package's
 * ebuilds. When several real files exist (e.g. a live `-9999` body and a release), the body that the
 * most ebuild names point to wins, then the highest version.
 */
export async function resolvePackageTarget(tree: ReadableTree, pkg: string): Promise<ResolvedTarget | undefined> {
  const ebuilds = await packageEbuilds(tree, pkg);
  if (ebuilds.length === 0) return undefined;
  const resolved = await Promise.all(ebuilds.map((ebuild) => followSymlink(tree, ebuild.path, [])));
  const votes = new Map<string, { target: ResolvedTarget; count: number; version: EbuildPath | undefined }>();
  resolved.forEach((target) => {
    const vote = votes.get(target.path) ?? { target, count: 0, version: parseEbuildPath(target.path) };
    vote.count += 1;
    if (target.follows.length > 0) vote.target = target;
    votes.set(target.path, vote);
  });
  const best = [...votes.values()].sort(
    (a, b) => b.count - a.count || compareVersions(versionOf(b.version), versionOf(a.version)),
  )[0];
  return best?.target;
}

/** Every ebuild of `category/package` in the tree, parsed. */
export async function packageEbuilds(tree: ReadableTree, pkg: string): Promise<EbuildPath[]> {
  const paths = await tree.list(pkg);
  return paths
    .filter((path) => posix.dirname(path) === pkg)
    .map((path) => parseEbuildPath(path))
    .filter((ebuild): ebuild is EbuildPath => ebuild !== undefined);
}

async function matchingEbuild(tree: ReadableTree, wanted: EbuildPath): Promise<EbuildPath | undefined> {
  const candidates = await packageEbuilds(tree, `${wanted.category}/${wanted.package}`);
  const sameVersion = candidates.filter((ebuild) => compareVersions(ebuild.version, wanted.version) === 0);
  const pool = sameVersion.length > 0 ? sameVersion : candidates;
  return [...pool].sort((a, b) => compareVersions(versionOf(b), versionOf(a)))[0];
}

async function followSymlink(tree: ReadableTree, path: string, follows: Follow[]): Promise<ResolvedTarget> {
  let current = path;
  const chain = [...follows];
  for (let hops = 0; hops < 8; hops++) {
    const entry = await tree.read(current);
    if (!entry || entry.mode !== '120000') break;
    const target = resolveLinkTarget(current, entry.data.toString('utf8'));
    if (!target) break;
    chain.push({ from: current, to: target, reason: 'symlink' });
    current = target;
  }
  return { path: current, follows: chain };
}

function versionOf(ebuild: EbuildPath | undefined): string {
  if (!ebuild) return '0';
  return ebuild.revision > 0 ? `${ebuild.version}-r${ebuild.revision}` : ebuild.version;
}

/** One line describing a follow, as `A → B (reason)`. */
export function describeFollow(follow: Follow): string {
  return `${follow.from} → ${follow.to} (${follow.reason})`;
}
