import { CHECKS, type Check, type Finding } from '../checks/index.js';
import { InputError } from '../errors.js';
import { simpleGit } from 'simple-git';
import { resolveRef } from '../git/tree.js';
import { parseEbuildPath } from '../portage/ebuild-path.js';
import type { RenderedLayer } from '../layers/render.js';
import { locateUpstream, type Upstream } from '../upstream/locate.js';
import { parseAtom } from '../portage/atoms.js';
import { useParseWorkers } from '../portage/bash-parser.js';
import { posix } from 'node:path';
import { loadLayersFrom } from './layer-set.js';
import { applyAndCheck } from './validate.js';

export interface RangeRequest {
  readonly layersDir?: string;
  readonly upstream: string;
  /** `A..B` as git means it: the first-parent commits after A up to B (`A^..B` includes A; a missing side is HEAD). */
  readonly range: string;
  readonly checks?: readonly Check[];
  /** Called after each commit is checked, for a progress display. */
  readonly onProgress?: (done: number, total: number, commit: CommitInfo) => void;
}

/** A commit of the upstream's history. */
export interface CommitInfo {
  readonly commit: string;
  readonly subject: string;
}

/** A commit at which a layer's state changed: from fine to broken (with why) or back. */
export interface LayerTransition extends CommitInfo {
  readonly ok: boolean;
  readonly findings: readonly Finding[];
}

/** How one layer fared across the range. */
export interface LayerHistory {
  readonly name: string;
  /** The layer's manifest, relative to the layer set. */
  readonly manifest: string;
  /** The last commit, before the first break, at which the layer applied with no error finding. */
  readonly lastGood: CommitInfo | null;
  /** The first commit at which the layer failed to apply or had an error finding, and why. */
  readonly firstBad: (CommitInfo & { readonly findings: readonly Finding[] }) | null;
  /** Every change of state, oldest first, starting with the state at the start of the range. */
  readonly transitions: readonly LayerTransition[];
  /** Whether the layer applies with no error finding at B, the end of the range. */
  readonly okAtEnd: boolean;
}

/** The result of `validate --range`, in the shape `--json` prints. */
export interface RangeReport {
  /** Every layer is fine at B, whatever broke and recovered in between. */
  readonly ok: boolean;
  readonly upstream: { readonly path: string; readonly from: string; readonly to: string };
  /** The commits checked, oldest first: the range's first commit, every one that touches a watched path, and B. */
  readonly checked: readonly CommitInfo[];
  /** Paths (relative to the repository root) whose changes can affect the layers. */
  readonly watched: readonly string[];
  readonly layers: readonly LayerHistory[];
}

/**
 * Validates the layer set at every first-parent commit of `A..B` that touches a path the layers
 * target or the checks read, and at the range's first commit and B (A itself is outside the range,
 * as in git), reading only those files from git objects (nothing is checked out). Reports per
 * layer the first commit that breaks it, the last one that is fine, every later break and
 * recovery, and its state at B, which alone decides `ok`.
 */
export async function validateRange(request: RangeRequest): Promise<RangeReport> {
  const [from, to] = parseRange(request.range);
  useParseWorkers();
  const loaded = await loadLayersFrom(request.layersDir);
  const upstream = await locateUpstream(request.upstream, to);
  try {
    const start = await resolveRef(upstream.repoDir, from).catch(() => {
      throw new InputError(`--range: '${from}' is not a commit in ${upstream.repoDir}`);
    });
    const watched = watchedPaths(loaded.rendered, loaded.set.values, upstream);
    const range = `${start}..${upstream.commit}`;
    const all = await firstParentCommits(upstream.repoDir, range, []);
    if (all.length === 0) throw new InputError(`--range ${request.range} holds no commits (${from} already contains ${to})`);
    const touching = new Set((await firstParentCommits(upstream.repoDir, range, watched)).map((commit) => commit.commit));
    const checked = all.filter((commit, index) => index === 0 || index === all.length - 1 || touching.has(commit.commit));
    const histories = new Map<string, { lastGood: CommitInfo | null; firstBad: LayerHistory['firstBad']; transitions: LayerTransition[] }>(
      loaded.rendered.map(({ layer }) => [layer.name, { lastGood: null, firstBad: null, transitions: [] }]),
    );
    for (const [index, commit] of checked.entries()) {
      const { result, findings } = await applyAndCheck(upstream, loaded, request.checks ?? CHECKS, commit.commit);
      for (const layer of result.layers) {
        const history = histories.get(layer.name)!;
        const errors = findings.filter((entry) => entry.layer === layer.name && entry.level === 'error');
        const ok = layer.status !== 'failed' && layer.status !== 'conflict' && errors.length === 0;
        if (history.transitions.at(-1)?.ok !== ok) history.transitions.push({ ...commit, ok, findings: errors });
        if (history.firstBad) continue;
        if (ok) history.lastGood = commit;
        else history.firstBad = { ...commit, findings: errors };
      }
      request.onProgress?.(index + 1, checked.length, commit);
    }
    const manifests = new Map(loaded.rendered.map(({ layer }) => [layer.name, layer.manifestFile]));
    const layers = [...histories].map(([name, history]) => ({ name, manifest: manifests.get(name)!, ...history, okAtEnd: history.transitions.at(-1)?.ok ?? false }));
    return {
      ok: layers.every((layer) => layer.okAtEnd),
      upstream: { path: upstream.repoDir, from: start, to: upstream.commit },
      checked,
      watched,
      layers,
    };
  } finally {
    await upstream.close();
  }
}

/** The two sides of `A..B`; as in git, an empty side means HEAD. */
function parseRange(range: string): [string, string] {
  const dots = range.indexOf('..');
  if (dots < 0 || range === '..' || range.includes('...')) throw new InputError(`--range takes A..B, not '${range}'`);
  return [range.slice(0, dots) || 'HEAD', range.slice(dots + 2) || 'HEAD'];
}

/**
 * The repository paths whose changes can affect the layers: the package directory of every ebuild a
 * layer targets (bumps rename the ebuild), every other targeted file, the profiles, the packages the
 * layers' profile lines name (in the overlay and in portage-stable, whose bumps change their IUSE),
 * and the stock base package that the package-set data is checked against.
 */
function watchedPaths(rendered: readonly RenderedLayer[], values: Readonly<Record<string, unknown>>, upstream: Upstream): string[] {
  const under = (prefix: string | undefined, path: string) => (prefix ? `${prefix}/${path}` : path);
  const paths = new Set<string>([under(upstream.overlayPrefix, 'profiles')]);
  const watch = (path: string, root: 'overlay' | 'scripts') => {
    const ebuild = parseEbuildPath(path);
    const relevant = ebuild ? `${ebuild.category}/${ebuild.package}` : path;
    paths.add(root === 'overlay' ? under(upstream.overlayPrefix, relevant) : relevant);
  };
  const watchPackage = (cp: string) => {
    paths.add(under(upstream.overlayPrefix, cp));
    if (upstream.portageStablePrefix) paths.add(under(upstream.portageStablePrefix, cp));
  };
  for (const { layer, patches, edits, files } of rendered) {
    const root = layer.manifest.root;
    for (const patch of patches.flatMap((file) => file.patches)) {
      for (const path of [patch.oldPath, patch.newPath]) if (path) watch(path, root);
    }
    for (const { target, edit } of edits) {
      const path = 'file' in target ? target.file : target.package;
      watch(path, root);
      if (root === 'overlay' && edit.type === 'line-add' && isPackageProfileFile(path)) profileLinePackages(edit.line).forEach(watchPackage);
    }
    for (const { path, entry } of files) {
      watch(path, root);
      if (root === 'overlay' && isPackageProfileFile(path)) entry.data.toString('utf8').split('\n').flatMap(profileLinePackages).forEach(watchPackage);
    }
  }
  const stock = (values.package_set as { stock?: unknown } | undefined)?.stock;
  if (typeof stock === 'string') paths.add(under(upstream.overlayPrefix, stock));
  return [...paths].sort();
}

/** A profile file whose lines start with a package atom (package.use, package.use.force, package.mask, …). */
function isPackageProfileFile(path: string): boolean {
  return path.startsWith('profiles/') && /^package\./.test(posix.basename(path));
}

/** The `category/package` a profile line names, if it names one. */
function profileLinePackages(line: string): string[] {
  const first = line.replace(/#.*/, '').trim().split(/\s+/)[0];
  if (!first) return [];
  try {
    const atom = parseAtom(first);
    return [`${atom.category}/${atom.package}`];
  } catch {
    return [];
  }
}

/** The first-parent commits of `range` that touch `paths` (all of them when empty), oldest first. */
async function firstParentCommits(repoDir: string, range: string, paths: readonly string[]): Promise<CommitInfo[]> {
  const log = await simpleGit(repoDir).log(['--first-parent', '--reverse', range, ...(paths.length > 0 ? ['--', ...paths] : [])]);
  return log.all.map((entry) => ({ commit: entry.hash, subject: entry.message }));
}
