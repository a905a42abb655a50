import { InputError } from '../errors.js';
import type { LayerSet } from '../layers/load.js';
import { compareImages, portageTrees, resolveImage, whyChains, type ChainStep, type ImageDelta, type ImageSet } from '../portage/image.js';
import type { PortageOptions } from '../portage/bridge.js';
import { locateUpstream } from '../upstream/locate.js';
import { loadLayersFrom } from './layer-set.js';
import { profileConfig } from './validate.js';

/** What `image` and `why` resolve: an upstream revision with the layer set applied, one base package under one profile. */
export interface ImageRequest extends PortageOptions {
  readonly upstream: string;
  readonly ref?: string;
  readonly layersDir?: string;
  /** The profile (default: the first Nano profile of values.yaml). */
  readonly profile?: string;
  /** The base package (default: values.yaml's package_set.package). */
  readonly package?: string;
  /** Also resolve stock: values.yaml's package_set.stock under the stock profile of the same architecture. */
  readonly vsStock?: boolean;
}

/** The result of `image`: the set, and with --vs stock the stock set and the delta (left: stock, right: the image). */
export interface ImageReport {
  readonly upstream: { readonly path: string; readonly ref: string; readonly commit: string };
  readonly image: ImageSet;
  readonly stock?: ImageSet;
  readonly delta?: ImageDelta;
}

/** The base packages and profiles values.yaml names for the Nano and the stock image. */
export function imageDefaults(set: LayerSet): { nanoPackage?: string; stockPackage?: string; nano: string[]; stock: string[] } {
  const packageSet = (set.values.package_set ?? {}) as { package?: unknown; stock?: unknown };
  const profiles = profileConfig(set);
  return {
    ...(typeof packageSet.package === 'string' ? { nanoPackage: packageSet.package } : {}),
    ...(typeof packageSet.stock === 'string' ? { stockPackage: packageSet.stock } : {}),
    nano: [...profiles.nano],
    stock: [...profiles.stock],
  };
}

/** The profile of `candidates` for the same architecture directory (coreos/<arch>/…) as `profile`. */
export function sameArchProfile(candidates: readonly string[], profile: string): string | undefined {
  const arch = profile.split('/')[1];
  return candidates.find((candidate) => candidate.split('/')[1] === arch);
}

/** Resolves the image (and with `vsStock` stock beside it) with real Portage at the upstream revision with the layers applied. */
export async function imageReport(request: ImageRequest): Promise<ImageReport> {
  const upstream = await locateUpstream(request.upstream, request.ref ?? 'HEAD');
  try {
    const layers = await loadLayersFrom(request.layersDir);
    const defaults = imageDefaults(layers.set);
    const profile = request.profile ?? defaults.nano[0];
    const pkg = request.package ?? defaults.nanoPackage;
    if (!profile) throw new InputError('no profile: pass --profile or list profiles.nano in values.yaml');
    if (!pkg) throw new InputError('no base package: pass --package or set package_set.package in values.yaml');
    const trees = await portageTrees(upstream, layers);
    const image = await resolveImage(trees, pkg, profile, request);
    const info = { path: upstream.repoDir, ref: upstream.ref, commit: upstream.commit };
    if (!request.vsStock) return { upstream: info, image };
    const stockProfile = sameArchProfile(defaults.stock, profile);
    if (!stockProfile || !defaults.stockPackage) throw new InputError(`--vs stock: values.yaml names no stock base package or stock profile for ${profile}`);
    const stock = await resolveImage(trees, defaults.stockPackage, stockProfile, request);
    return { upstream: info, image, stock, delta: compareImages(stock, image) };
  } finally {
    await upstream.close();
  }
}

/** The result of `why`: the chains that bring the atom into the image. */
export interface WhyReport {
  readonly atom: string;
  readonly image: Pick<ImageSet, 'package' | 'profile'>;
  readonly chains: readonly ChainStep[][];
}

/** Resolves the image and returns the dependency chains that bring `atom` into it. */
export async function whyReport(request: ImageRequest & { readonly atom: string }): Promise<WhyReport> {
  const { image } = await imageReport({ ...request, vsStock: false });
  return { atom: request.atom, image: { package: image.package, profile: image.profile }, chains: whyChains(image, request.atom) };
}
