import { CHECKS, CheckContext, DEFAULT_STOCK_PROFILES, finding, sortFindings, type Check, type Finding, type ProfileConfig } from '../checks/index.js';
import { LayerDefinitionError } from '../errors.js';
import type { LayerSet } from '../layers/load.js';
import type { ApplyResult } from '../layers/apply.js';
import { locateUpstream, type ResolvedUpstream, type UpstreamTrees } from '../upstream/locate.js';
import { fileVerdicts, type FileVerdict } from '../verdicts/index.js';
import { applyRendered } from './apply.js';
import { loadLayersFrom, type LoadedLayers } from './layer-set.js';
import { portageCacheProvider } from '../portage/metadata-cache.js';
import type { MetadataProvider } from '../portage/metadata.js';
import { repositorySources } from '../portage/portage-trees.js';
import type { ReadableTree } from '../tree/types.js';

export interface ValidateRequest {
  readonly layersDir?: string;
  readonly upstream: string;
  readonly ref?: string;
  readonly checks?: readonly Check[];
  /** Wraps the layer set's directory before it is read (to record the reads, say). */
  readonly wrapLayers?: (tree: ReadableTree) => ReadableTree;
  /** The upstream and the commit of `ref`, when the caller resolved them already. */
  readonly resolved?: ResolvedUpstream;
}

/** The result of `validate`, in the shape `--json` prints. */
export interface ValidationReport {
  readonly ok: boolean;
  readonly upstream: { readonly path: string; readonly ref: string; readonly commit: string; readonly overlayPrefix: string };
  readonly layers: readonly {
    readonly name: string;
    /** The layer's manifest, relative to the layer set. */
    readonly manifest: string;
    readonly status: string;
    readonly files: readonly { readonly path: string; readonly resolvedPath: string; readonly status: string }[];
  }[];
  readonly findings: readonly Finding[];
  /** One verdict per upstream path the layers change, with the rule that decided it (see src/verdicts). */
  readonly verdicts: readonly FileVerdictReport[];
}

/** A file's verdict as `--json` prints it. */
export type FileVerdictReport = Omit<FileVerdict, 'finding'> & { readonly code?: string; readonly line?: number | null };

/**
 * Validates the layer set in `layersDir` against the upstream at `ref`: applies it in memory
 * (nothing is written anywhere) and runs every check. Problems in the layer set's own definition
 * become error findings with their own codes; a bad upstream or ref is an InputError.
 */
export async function validateLayers(request: ValidateRequest): Promise<ValidationReport> {
  const upstream = await locateUpstream(request.upstream, request.ref ?? 'HEAD', request.resolved);
  try {
    const upstreamInfo = { path: upstream.repoDir, ref: upstream.ref, commit: upstream.commit, overlayPrefix: upstream.overlayPrefix };
    let loaded;
    try {
      loaded = await loadLayersFrom(request.layersDir, request.wrapLayers);
    } catch (error) {
      if (!(error instanceof LayerDefinitionError)) throw error;
      const problem = finding(error.code, 'error', error.what, { layer: error.layer ?? null, path: error.location?.replace(/:\d+$/, '') ?? null, line: lineOf(error.location) });
      return { ok: false, upstream: upstreamInfo, layers: [], findings: [problem], verdicts: [] };
    }
    const { result, findings, verdicts } = await applyAndCheck(upstream, loaded, request.checks ?? CHECKS);
    return {
      ok: !findings.some((entry) => entry.level === 'error'),
      upstream: upstreamInfo,
      layers: result.layers.map((layer, index) => ({
        name: layer.name,
        manifest: loaded.rendered[index]!.layer.manifestFile,
        status: layer.status,
        files: layer.files.map((file) => ({ path: file.path, resolvedPath: file.resolvedPath, status: file.status })),
      })),
      findings,
      verdicts: verdicts.map(({ finding: found, ...verdict }) => ({ ...verdict, ...(found ? { code: found.code, line: found.line } : {}) })),
    };
  } finally {
    await upstream.close();
  }
}

/**
 * Applies the layers in memory to the upstream at `commit` (the located one by default) and runs
 * `checks` over the result: how every layer applied, and the findings sorted by layer, path and line.
 */
export async function applyAndCheck(
  upstream: UpstreamTrees,
  { set, rendered }: LoadedLayers,
  checks: readonly Check[] = CHECKS,
  commit = upstream.commit,
): Promise<{ result: ApplyResult; findings: Finding[]; verdicts: FileVerdict[] }> {
  const result = await applyRendered(upstream, rendered, { commit });
  const portageStable = upstream.portageStablePrefix ? await upstream.openTree('portage-stable', commit) : undefined;
  const context = new CheckContext({
    set,
    rendered,
    result,
    upstream: { overlay: result.overlay.base, portageStable },
    profiles: profileConfig(set),
    ...(portageStable ? { metadata: await portageMetadataSides(upstream, result, commit) } : {}),
  });
  const findings = (await Promise.all(checks.map((check) => check.run(context)))).flat();
  const verdicts = await fileVerdicts(context);
  return { result, findings: sortFindings(findings, set.layers.map((layer) => layer.name)), verdicts };
}

/**
 * Portage's own metadata for the upstream and for the tree after the layers, where the Portage bridge
 * generated it for exactly this content (`image` or `validate --deep` ran on it); the static reading
 * fills in the rest.
 */
async function portageMetadataSides(upstream: UpstreamTrees, result: ApplyResult, commit: string): Promise<{ before: MetadataProvider; after: MetadataProvider }> {
  return {
    before: portageCacheProvider(await repositorySources(upstream, undefined, commit)),
    after: portageCacheProvider(await repositorySources(upstream, result, commit)),
  };
}

/** The profiles to judge stock and Nano USE by: `profiles.stock` and `profiles.nano` in values.yaml. */
export function profileConfig(set: LayerSet): ProfileConfig {
  const profiles = (set.values.profiles ?? {}) as { stock?: unknown; nano?: unknown };
  const list = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);
  return { stock: list(profiles.stock) ?? [...DEFAULT_STOCK_PROFILES], nano: list(profiles.nano) ?? [] };
}

function lineOf(location: string | undefined): number | null {
  const match = location ? /:(\d+)$/.exec(location) : null;
  return match ? Number(match[1]) : null;
}
