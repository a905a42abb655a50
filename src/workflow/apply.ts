import { InputError } from '../errors.js';
import { resolveRef } from '../git/tree.js';
import { dirtyPaths } from '../git/worktree.js';
import { recoverWrites, writeChanges } from '../tree/disk.js';
import { commitTree, createBranch, signOffIdentity, writeTree } from '../git/write.js';
import { applyLayers, type ApplyResult, type LayerOutcome } from '../layers/apply.js';
import type { RenderedLayer } from '../layers/render.js';
import { findLayerWriteProblems } from '../layers/write-safety.js';
import { describeFollow } from '../layers/targets.js';
import { readerBlobSource } from '../patch/index.js';
import type { ChangeSet } from '../tree/types.js';
import { locateUpstream, openRootTrees, type Upstream, type UpstreamTrees } from '../upstream/locate.js';
import { loadLayersFrom } from './layer-set.js';

/** Where `apply` writes: a new branch, the checked-out work tree, or nowhere. */
export type ApplyDestination =
  | { readonly branch: string; readonly force?: boolean; readonly signoff?: boolean }
  | { readonly worktree: true }
  | { readonly dryRun: true };

export interface ApplyRequest {
  readonly layersDir?: string;
  readonly upstream: string;
  readonly ref?: string;
  readonly destination: ApplyDestination;
  readonly fuzz?: number;
}

/** What `apply` did, in the shape `--json` prints. */
export interface ApplyReport {
  readonly ok: boolean;
  readonly upstream: { readonly path: string; readonly ref: string; readonly commit: string };
  readonly destination: { readonly branch: string; readonly head: string } | { readonly worktree: string } | { readonly dryRun: true };
  readonly written: boolean;
  readonly layers: readonly {
    readonly name: string;
    readonly status: LayerOutcome['status'];
    readonly commit?: string;
    readonly message?: string;
    readonly files: readonly {
      readonly path: string;
      readonly resolvedPath: string;
      readonly status: string;
      readonly follows: readonly string[];
      readonly detail?: string;
      readonly message?: string;
    }[];
  }[];
}

/**
 * Applies the layer set in `layersDir` to the upstream at `ref` and writes the result: as branch
 * NAME (one commit a layer, built with plumbing so the upstream's work tree, index and HEAD stay
 * untouched), into the checked-out work tree (refusing paths with uncommitted changes), or nowhere
 * (dry run). All or nothing: when any layer fails, nothing is written.
 */
export async function applyToUpstream(request: ApplyRequest): Promise<ApplyReport> {
  const layers = await loadLayersFrom(request.layersDir);
  const upstream = await locateUpstream(request.upstream, request.ref ?? 'HEAD');
  try {
    if (!upstream.bare) recoverWrites(upstream.repoDir);
    const result = await applyRendered(upstream, layers.rendered, { fuzz: request.fuzz ?? 2 });
    await refuseUnsafeWrites(result);
    const commits = new Map<string, string>();
    let destination: ApplyReport['destination'] = { dryRun: true };
    if (result.ok && 'branch' in request.destination) {
      const signedOffBy = request.destination.signoff ? await signOffIdentity(upstream.repoDir) : undefined;
      const head = await commitLayers(upstream, result, layers.rendered, commits, signedOffBy);
      await createBranch(upstream.repoDir, request.destination.branch, head, { force: request.destination.force ?? false });
      destination = { branch: request.destination.branch, head };
    } else if (result.ok && 'worktree' in request.destination) {
      await writeWorkTree(upstream, result);
      destination = { worktree: upstream.repoDir };
    } else if ('branch' in request.destination) {
      destination = { branch: request.destination.branch, head: upstream.commit };
    } else if ('worktree' in request.destination) {
      destination = { worktree: upstream.repoDir };
    }
    const written = result.ok && !('dryRun' in request.destination);
    return {
      ok: result.ok,
      upstream: { path: upstream.repoDir, ref: upstream.ref, commit: upstream.commit },
      destination,
      written,
      layers: result.layers.map((layer) => ({
        name: layer.name,
        status: layer.status,
        ...(commits.has(layer.name) ? { commit: commits.get(layer.name)! } : {}),
        ...(layer.message ? { message: layer.message } : {}),
        files: layer.files.map((file) => ({
          path: file.path,
          resolvedPath: file.resolvedPath,
          status: file.status,
          follows: file.follows.map(describeFollow),
          ...(file.detail ? { detail: file.detail } : {}),
          ...(file.message ? { message: file.message } : {}),
        })),
      })),
    };
  } finally {
    await upstream.close();
  }
}

/** Applies rendered layers to the located upstream's trees (at `commit`, the located one by default), in memory. */
export async function applyRendered(
  upstream: UpstreamTrees,
  rendered: readonly RenderedLayer[],
  options: { fuzz?: number; threeWay?: boolean; commit?: string } = {},
): Promise<ApplyResult> {
  return applyLayers(rendered, { ...(await openRootTrees(upstream, options.commit)), blobs: readerBlobSource(upstream.reader) }, options);
}

/** Refuses, in every mode, a set whose writes any writer would refuse (a path through a link, a clash, `.git`). */
async function refuseUnsafeWrites(result: ApplyResult): Promise<void> {
  const [first] = await findLayerWriteProblems(result);
  if (first) throw new InputError(`${first.layer ? `layer '${first.layer}': ` : ''}${first.problem.message}; nothing was written`);
}

/**
 * The commit message of a layer: its summary, its description and a trailer naming it, followed by
 * a `Signed-off-by` trailer when `signedOffBy` names someone (as `git commit --signoff` adds it).
 */
function layerCommitMessage(name: string, summary: string, description: string, signedOffBy?: string): string {
  const body = description.startsWith(summary) ? description.slice(summary.length).replace(/^\n+/, '') : description;
  const signOff = signedOffBy ? `Signed-off-by: ${signedOffBy}\n` : '';
  return `${summary}\n\n${body ? `${body.trimEnd()}\n\n` : ''}Nano-Layer: ${name}\n${signOff}`;
}

async function commitLayers(
  upstream: Upstream,
  result: ApplyResult,
  rendered: readonly RenderedLayer[],
  commits: Map<string, string>,
  signedOffBy: string | undefined,
): Promise<string> {
  const manifests = new Map(rendered.map(({ layer }) => [layer.name, layer.manifest]));
  let head = upstream.commit;
  let tree = `${upstream.commit}^{tree}`;
  for (const layer of result.layers) {
    if (layer.changes.size === 0) continue;
    const prefix = layer.root === 'overlay' ? upstream.overlayPrefix : '';
    tree = await writeTree(upstream.repoDir, tree, layer.changes as ChangeSet, prefix, upstream.reader);
    const manifest = manifests.get(layer.name)!;
    head = await commitTree(upstream.repoDir, tree, [head], layerCommitMessage(layer.name, manifest.summary, manifest.description, signedOffBy));
    commits.set(layer.name, head);
  }
  return head;
}

async function writeWorkTree(upstream: Upstream, result: ApplyResult): Promise<void> {
  if (upstream.bare) throw new InputError(`--worktree needs a checked-out repository; ${upstream.repoDir} is bare`);
  if ((await resolveRef(upstream.repoDir, 'HEAD')) !== upstream.commit) {
    throw new InputError(`--worktree writes onto the checked-out HEAD, but --ref ${upstream.ref} is another commit; use --branch for other revisions`);
  }
  const changes: ChangeSet = new Map();
  for (const layer of result.layers) {
    const prefix = layer.root === 'overlay' && upstream.overlayPrefix ? `${upstream.overlayPrefix}/` : '';
    for (const [path, entry] of layer.changes) changes.set(prefix + path, entry);
  }
  const dirty = await dirtyPaths(upstream.repoDir, [...changes.keys()]);
  if (dirty.length > 0) {
    throw new InputError(`uncommitted changes in ${dirty.length} path${dirty.length === 1 ? '' : 's'} the layers would write: ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}`);
  }
  await writeChanges(upstream.repoDir, changes);
}
