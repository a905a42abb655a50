import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { ApplyResult } from '../layers/apply.js';
import type { LoadedLayers } from '../workflow/layer-set.js';
import { applyRendered } from '../workflow/apply.js';
import type { UpstreamTrees } from '../upstream/locate.js';
import type { ReadableTree } from '../tree/types.js';
import { boardForProfile, type BoardSettings } from './board.js';
import { bridgeModuleText, callPortage, findPortage, type PortageOptions } from './bridge.js';
import { extractRepository, portageCacheDir, repositorySources, type ExtractedRepository, type RepositorySource } from './portage-trees.js';
import { REGEN_STAMP_PREFIX } from './metadata-cache.js';

/** A package of an image, as Portage installed it from its binary package. */
export interface ImagePackage {
  readonly cpv: string;
  readonly cp: string;
  readonly version: string;
  readonly slot: string;
  readonly subslot: string;
  readonly repo: string;
  /** The effective USE it was built with (enabled flags of its IUSE). */
  readonly use: readonly string[];
}

/** Why a package is in the image: the parent whose dependency (class, USE conditions) pulled it in; parent null for the base package. */
export interface ImageEdge {
  readonly parent: string | null;
  readonly child: string;
  readonly atom: string;
  readonly classes: readonly string[];
  readonly conditions: readonly string[];
  readonly anyOf: boolean;
}

/** An ebuild whose metadata Portage could not generate. */
export interface UnreadableEbuild {
  readonly repo: string;
  readonly path: string;
  readonly eapi: string;
}

/** The runtime package set of a base package under a profile, resolved by Portage. */
export interface ImageSet {
  readonly package: string;
  readonly profile: string;
  readonly board: BoardSettings;
  readonly packages: readonly ImagePackage[];
  readonly edges: readonly ImageEdge[];
  /** Ebuilds Portage could not read (EAPI 9 needs bash >= 5.3). */
  readonly unreadable: readonly UnreadableEbuild[];
}

/** The repositories of a tree under test, extracted for Portage, and its scripts tree (board configuration). */
export interface PortageTrees {
  readonly repos: readonly ExtractedRepository[];
  readonly scripts: ReadableTree | undefined;
  /** How the layers applied, when they were. */
  readonly applied?: ApplyResult;
  /** The overlay as the layers left it (the upstream overlay without layers). */
  readonly overlay: ReadableTree;
  readonly portageStable: ReadableTree;
}

/**
 * Extracts portage-stable and coreos-overlay at `commit` from git objects, with the layers applied
 * when `layers` is given, into the content-keyed cache.
 */
export async function portageTrees(upstream: UpstreamTrees, layers: LoadedLayers | undefined, commit = upstream.commit): Promise<PortageTrees> {
  if (!upstream.portageStablePrefix) throw new InputError('Portage needs portage-stable beside the overlay: pass a flatcar/scripts repository');
  const applied = layers ? await applyRendered(upstream, layers.rendered, { commit }) : undefined;
  const sources = await repositorySources(upstream, applied, commit);
  const scripts = applied?.scripts ?? (upstream.scriptsRoot ? await upstream.openTree('root', commit) : undefined);
  const repos = await Promise.all(sources.map(extractRepository));
  const [stable, overlay] = sources as [RepositorySource, RepositorySource];
  return { repos, scripts, overlay: applied?.overlay ?? overlay.tree, portageStable: stable.tree, ...(applied ? { applied } : {}) };
}

/** The file marking a repository's metadata as generated (with this bash: another one may read more ebuilds). */
function regenStamp(options: PortageOptions): string {
  return `${REGEN_STAMP_PREFIX}${createHash('sha256').update(options.bash ? resolve(options.bash) : '').digest('hex').slice(0, 12)}`;
}

/** Generates metadata with egencache for repositories not yet generated; the ebuilds it could not read. */
export async function generateMetadata(trees: PortageTrees, options: PortageOptions = {}): Promise<UnreadableEbuild[]> {
  const stamp = regenStamp(options);
  const stamps = trees.repos.map((repo) => join(repo.location, 'metadata', stamp));
  if (!stamps.every((stamp) => existsSync(stamp))) {
    const runtime = await findPortage(options);
    await withConfigRoot((configRoot) =>
      callPortage(runtime, { op: 'regen', configRoot, stamp, store: join(portageCacheDir(), 'md5-cache'), repos: trees.repos.map(({ name, location }) => ({ name, location })) }),
    );
  }
  return stamps.flatMap((stamp) => JSON.parse(readFileSync(stamp, 'utf8')) as UnreadableEbuild[]);
}

/** Runs `job` with a throw-away configuration root for Portage, removed afterwards. */
export async function withConfigRoot<T>(job: (configRoot: string) => Promise<T>): Promise<T> {
  const configRoot = await mkdtemp(join(tmpdir(), 'nano-overlay-portage-'));
  try {
    return await job(configRoot);
  } finally {
    await rm(configRoot, { recursive: true, force: true });
  }
}

/**
 * The image of `pkg` under `profile`, resolved by Portage as build_image installs it: from binary
 * packages built with the profile's USE, into an empty ROOT, RDEPEND and PDEPEND only. Results are
 * kept under the content keys of the trees, so asking again for the same trees reads the answer.
 */
export async function resolveImage(trees: PortageTrees, pkg: string, profile: string, options: PortageOptions = {}): Promise<ImageSet> {
  const board = await boardForProfile(trees.scripts, profile);
  const key = answerKey(trees, ['image', pkg, profile, board], options);
  return cachedAnswer('images', key, async () => {
    const unreadable = await generateMetadata(trees, options);
    const runtime = await findPortage(options);
    const graph = await withConfigRoot((configRoot) =>
      callPortage<{ packages: (ImagePackage & { type: string })[]; edges: ImageEdge[] }>(runtime, {
        op: 'image',
        configRoot,
        imageRoot: join(configRoot, 'image'),
        package: pkg,
        ...portageSettings(trees, profile, board),
      }),
    );
    const image: ImageSet = { package: pkg, profile, board, packages: graph.packages.map(({ type: _type, ...rest }) => rest), edges: graph.edges, unreadable };
    return image;
  });
}

/** What every request about a profile tells Portage: the profile, ARCH and CHOST of its board, the repositories. */
export function portageSettings(trees: PortageTrees, profile: string, board: BoardSettings): Record<string, unknown> {
  return { profile, arch: board.arch, chost: board.chost, repos: trees.repos.map(({ name, location }) => ({ name, location })) };
}

/** The key of a Portage answer: the trees' content keys, the request, and the bridge module itself. */
export function answerKey(trees: PortageTrees, parts: unknown, options: PortageOptions): string {
  return createHash('sha256')
    .update(JSON.stringify([trees.repos.map((repo) => repo.key), parts, options.portageDir ?? '', options.bash ?? '', process.env.NANO_OVERLAY_PYTHON ?? '']))
    .update(bridgeModuleText())
    .digest('hex')
    .slice(0, 32);
}

/** The answer stored under `kind/key` in the cache, computed (and stored, atomically) when absent. */
export async function cachedAnswer<T>(kind: string, key: string, compute: () => Promise<T>): Promise<T> {
  const file = join(portageCacheDir(), kind, `${key}.json`);
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as T;
  const answer = await compute();
  await mkdir(join(portageCacheDir(), kind), { recursive: true });
  await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(answer));
  await rename(`${file}.${process.pid}.tmp`, file);
  return answer;
}

/** What differs between two images: packages only in one, and packages in both with another version or USE. */
export interface ImageDelta {
  readonly onlyLeft: readonly ImagePackage[];
  readonly onlyRight: readonly ImagePackage[];
  readonly changed: readonly { readonly left: ImagePackage; readonly right: ImagePackage }[];
}

function slotKey(pkg: ImagePackage): string {
  return `${pkg.cp}:${pkg.slot}`;
}

/** Compares two images package by package (by name and slot). */
export function compareImages(left: ImageSet, right: ImageSet): ImageDelta {
  const rightBySlot = new Map(right.packages.map((pkg) => [slotKey(pkg), pkg]));
  const leftBySlot = new Map(left.packages.map((pkg) => [slotKey(pkg), pkg]));
  const changed: { left: ImagePackage; right: ImagePackage }[] = [];
  for (const pkg of left.packages) {
    const other = rightBySlot.get(slotKey(pkg));
    if (other && (other.version !== pkg.version || other.use.join(' ') !== pkg.use.join(' '))) changed.push({ left: pkg, right: other });
  }
  return {
    onlyLeft: left.packages.filter((pkg) => !rightBySlot.has(slotKey(pkg))),
    onlyRight: right.packages.filter((pkg) => !leftBySlot.has(slotKey(pkg))),
    changed,
  };
}

/** One step of a why-chain: the package and the dependency of the previous step that pulled it in (absent for the base package). */
export interface ChainStep {
  readonly cpv: string;
  readonly via?: ImageEdge;
}

/** Whether `pkg` is what `atom` names: a category/package, a category/package-version, or its slot. */
function names(pkg: ImagePackage, atom: string): boolean {
  const [name, slot] = atom.split(':') as [string, string | undefined];
  return (name === pkg.cp || name === pkg.cpv) && (slot === undefined || slot === pkg.slot);
}

/**
 * The dependency chains that bring `atom` into the image: for each parent that depends on it, the
 * shortest chain from the base package through that parent, every edge with its dependency class
 * and the USE condition that admitted it. Empty when the image does not contain `atom`.
 */
export function whyChains(image: ImageSet, atom: string): ChainStep[][] {
  const parentsOf = new Map<string, ImageEdge[]>();
  for (const edge of image.edges) parentsOf.set(edge.child, [...(parentsOf.get(edge.child) ?? []), edge]);
  const chainTo = (cpv: string): ChainStep[] | undefined => {
    const seen = new Set([cpv]);
    let frontier: ChainStep[][] = [[{ cpv }]];
    while (frontier.length > 0) {
      const next: ChainStep[][] = [];
      for (const chain of frontier) {
        const head = chain[0]!;
        for (const edge of parentsOf.get(head.cpv) ?? []) {
          if (edge.parent === null) return chain;
          if (seen.has(edge.parent)) continue;
          seen.add(edge.parent);
          next.push([{ cpv: edge.parent }, { ...head, via: edge }, ...chain.slice(1)]);
        }
      }
      frontier = next;
    }
    return undefined;
  };
  const chains: ChainStep[][] = [];
  for (const target of image.packages.filter((pkg) => names(pkg, atom))) {
    const seenParents = new Set<string>();
    for (const edge of parentsOf.get(target.cpv) ?? []) {
      if (edge.parent === null) {
        chains.push([{ cpv: target.cpv }]);
        continue;
      }
      if (seenParents.has(edge.parent)) continue;
      seenParents.add(edge.parent);
      const upper = chainTo(edge.parent);
      if (upper) chains.push([...upper, { cpv: target.cpv, via: edge }]);
    }
  }
  return chains;
}
