import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageUse, type VersionUse } from '../checks/package-use.js';
import { Packages } from '../checks/packages.js';
import { InputError } from '../errors.js';
import { atomKey, atomMatches, parseAtom } from '../portage/atoms.js';
import { parseEbuildPath } from '../portage/ebuild-path.js';
import { loadProfile } from '../portage/profiles.js';
import { portageCacheProvider } from '../portage/metadata-cache.js';
import { repositorySources } from '../portage/portage-trees.js';
import type { ReadableTree } from '../tree/types.js';
import { locateUpstream } from '../upstream/locate.js';
import { applyRendered } from './apply.js';
import { loadLayersFrom } from './layer-set.js';

/**
 * `nano-overlay use`: the static model's answer for packages under a profile, like `equery uses`
 * with the reason for each flag, on the overlay after the layers when there is a layer set and on
 * the upstream as it is otherwise.
 */

export interface UseRequest {
  readonly upstream: string;
  readonly ref?: string;
  /** The layer set's directory; used when it holds a layer set (`patches/series`). */
  readonly layersDir?: string;
  /** The profile, relative to the overlay's `profiles/` (`coreos/amd64/generic`). */
  readonly profile: string;
  /** Atoms to report; every package of both repositories when `all` is set. */
  readonly atoms: readonly string[];
  readonly all?: boolean;
}

/** One version in the report, in the shape `--json` prints. */
export interface UseVersion {
  readonly cpv: string;
  readonly repository: string;
  readonly path: string;
  readonly slot: string;
  readonly keywords: readonly string[];
  readonly visible: boolean;
  readonly stable: boolean;
  readonly maskedBy?: string;
  readonly missingKeywords?: readonly string[];
  /** True when this is the version the profile selects for its slot. */
  readonly selected: boolean;
  readonly iuse: Readonly<Record<string, boolean>>;
  readonly flags: readonly { readonly flag: string; readonly enabled: boolean; readonly source: string; readonly forced: boolean; readonly masked: boolean }[];
  readonly requiredUse: string;
  readonly notUnderstood: readonly { readonly variable: string; readonly reason: string }[];
}

export interface UseReport {
  readonly profile: string;
  /** Whether the layers were applied first. */
  readonly tree: 'patched' | 'upstream';
  readonly commit: string;
  readonly versions: readonly UseVersion[];
}

function reportVersion(version: VersionUse): UseVersion {
  const { ebuild, visibility } = version;
  return {
    cpv: ebuild.cpv,
    repository: ebuild.repository,
    path: ebuild.path,
    slot: ebuild.slot,
    keywords: ebuild.keywords,
    visible: visibility.visible,
    stable: visibility.stable,
    ...(visibility.maskedBy ? { maskedBy: visibility.maskedBy } : {}),
    ...(visibility.missingKeywords ? { missingKeywords: visibility.missingKeywords } : {}),
    selected: version.selected,
    iuse: Object.fromEntries(ebuild.metadata.iuse),
    flags: [...version.use].map(([flag, decision]) => ({ flag, ...decision })),
    requiredUse: ebuild.metadata.requiredUse,
    notUnderstood: version.notUnderstood,
  };
}

/** Every `category/package` with an ebuild in either tree. */
async function allPackages(trees: readonly ReadableTree[]): Promise<string[]> {
  const packages = new Set<string>();
  for (const tree of trees) {
    for (const path of await tree.list()) {
      const parts = path.split('/');
      if (parts.length === 3 && parseEbuildPath(path)) packages.add(`${parts[0]}/${parts[1]}`);
    }
  }
  return [...packages].sort();
}

/** Runs the static model for the request (see the module comment). Throws an InputError for a bad atom or profile. */
export async function useReport(request: UseRequest): Promise<UseReport> {
  if (!request.all && request.atoms.length === 0) throw new InputError('name at least one atom, or --all');
  const atoms = request.atoms.map((text) => parseAtom(text, 'command line'));
  const upstream = await locateUpstream(request.upstream, request.ref ?? 'HEAD');
  try {
    const layersDir = resolve(request.layersDir ?? '.');
    const patched = existsSync(join(layersDir, 'patches', 'series'));
    const applied = patched ? await applyRendered(upstream, (await loadLayersFrom(layersDir)).rendered) : undefined;
    const overlay = applied ? applied.overlay : await upstream.openTree('overlay');
    const portageStable = upstream.portageStablePrefix ? await upstream.openTree('portage-stable') : undefined;
    const profile = await loadProfile(overlay, `profiles/${request.profile}`, portageStable ? { masters: portageStable } : {});
    // Portage's own metadata where the bridge generated it for this content; the static reading otherwise.
    const provider = portageStable ? portageCacheProvider(await repositorySources(upstream, applied)) : undefined;
    const packages = new Packages(overlay, portageStable, provider);
    const names = request.all ? await allPackages([overlay, ...(portageStable ? [portageStable] : [])]) : [...new Set(atoms.map(atomKey))];
    const versions: UseVersion[] = [];
    for (const cp of names) {
      for (const version of await packageUse(packages, profile, cp)) {
        const candidate = { cpv: version.ebuild.cpv, slot: version.ebuild.slot, repo: version.ebuild.repository };
        if (request.all || atoms.some((atom) => atomMatches(atom, candidate))) versions.push(reportVersion(version));
      }
    }
    return { profile: request.profile, tree: patched ? 'patched' : 'upstream', commit: upstream.commit, versions };
  } finally {
    await upstream.close();
  }
}
