import { renderLayerSet } from '../layers/render.js';
import type { PortageOptions } from '../portage/bridge.js';
import { compareImages, portageTrees, resolveImage, whyChains } from '../portage/image.js';
import { formatChain } from '../report/image.js';
import type { Upstream } from '../upstream/locate.js';
import { imageDefaults } from '../workflow/image.js';
import type { LoadedLayers } from '../workflow/layer-set.js';
import { loadLayerSetAt } from './history.js';

/** An image's size as Portage resolves it. */
export interface ImageCount {
  readonly package: string;
  readonly profile: string;
  readonly count: number;
}

/** What the change does to the Nano image under one profile since the earlier layer set. */
export interface ImageChangeSince {
  readonly profile: string;
  /** Packages the change brings in, each with the chains that bring it. */
  readonly added: readonly { readonly cpv: string; readonly chains: readonly string[] }[];
  readonly removed: readonly string[];
}

/** The review's Image section: Nano and stock package counts, and with --since what the change adds or removes. */
export interface ImageSection {
  readonly nano: readonly ImageCount[];
  readonly stock: readonly ImageCount[];
  readonly since?: { readonly rev: string; readonly commit: string; readonly profiles: readonly ImageChangeSince[] };
}

/**
 * Resolves the Nano and stock images with Portage at the upstream revision with the layers, and
 * with `since` the Nano images with the layer set as it was at that revision of its repository.
 */
export async function imageSection(upstream: Upstream, loaded: LoadedLayers, since: string | undefined, options: PortageOptions = {}): Promise<ImageSection> {
  const defaults = imageDefaults(loaded.set);
  const trees = await portageTrees(upstream, loaded);
  const count = async (pkg: string | undefined, profiles: readonly string[]): Promise<ImageCount[]> =>
    pkg ? Promise.all(profiles.map(async (profile) => ({ package: pkg, profile, count: (await resolveImage(trees, pkg, profile, options)).packages.length }))) : [];
  const section = { nano: await count(defaults.nanoPackage, defaults.nano), stock: await count(defaults.stockPackage, defaults.stock) };
  if (since === undefined || !defaults.nanoPackage) return section;
  const old = await loadLayerSetAt(loaded.dir, since);
  const oldTrees = await portageTrees(upstream, { dir: loaded.dir, set: old.set, rendered: renderLayerSet(old.set) });
  const profiles: ImageChangeSince[] = [];
  for (const profile of defaults.nano) {
    const now = await resolveImage(trees, defaults.nanoPackage, profile, options);
    const delta = compareImages(await resolveImage(oldTrees, defaults.nanoPackage, profile, options), now);
    profiles.push({
      profile,
      added: delta.onlyRight.map((pkg) => ({ cpv: pkg.cpv, chains: whyChains(now, `${pkg.cp}:${pkg.slot}`).map(formatChain) })),
      removed: delta.onlyLeft.map((pkg) => pkg.cpv),
    });
  }
  return { ...section, since: { rev: since, commit: old.commit, profiles } };
}

function countLines(section: ImageSection): string[] {
  return [...section.nano, ...section.stock].map((image) => `${image.package} under ${image.profile}: ${image.count} packages`);
}

/** The Image section as Markdown. */
export function formatImageSectionMarkdown(section: ImageSection): string {
  const out = ['### Image', '', 'Resolved by Portage from binary packages, as build_image installs the image.', '', ...countLines(section).map((line) => `- ${line}`), ''];
  if (section.since) {
    out.push(`Since \`${section.since.rev}\` (${section.since.commit.slice(0, 12)}):`, '');
    for (const change of section.since.profiles) {
      if (change.added.length === 0 && change.removed.length === 0) out.push(`- ${change.profile}: no package added or removed`);
      for (const pkg of change.added) out.push(`- ${change.profile}: adds \`${pkg.cpv}\``, ...pkg.chains.map((chain) => `  - ${chain}`));
      for (const cpv of change.removed) out.push(`- ${change.profile}: removes \`${cpv}\``);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The Image section's HTML, for the page's section of that name; `escape` is the page's HTML escaping. */
export function formatImageSectionHtml(section: ImageSection, escape: (text: string) => string): string {
  const body = [`<p class="muted">Resolved by Portage from binary packages, as build_image installs the image.</p>`];
  body.push(`<ul>${countLines(section).map((line) => `<li>${escape(line)}</li>`).join('')}</ul>`);
  if (section.since) {
    body.push(`<h3>Since ${escape(section.since.rev)} <span class="muted">(${section.since.commit.slice(0, 12)})</span></h3><ul>`);
    for (const change of section.since.profiles) {
      if (change.added.length === 0 && change.removed.length === 0) body.push(`<li>${escape(change.profile)}: no package added or removed</li>`);
      for (const pkg of change.added) {
        body.push(`<li>${escape(change.profile)}: adds <code>${escape(pkg.cpv)}</code><ul>${pkg.chains.map((chain) => `<li>${escape(chain)}</li>`).join('')}</ul></li>`);
      }
      for (const cpv of change.removed) body.push(`<li>${escape(change.profile)}: removes <code>${escape(cpv)}</code></li>`);
    }
    body.push('</ul>');
  }
  return body.join('');
}
