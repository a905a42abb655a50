import { CHECKS, type Check, type Finding } from '../checks/index.js';
import { appliedTo } from '../layers/apply.js';
import type { FlagSpec } from '../layers/manifest.js';
import { renderLayerSet } from '../layers/render.js';
import { formatPatch, type FilePatch, type Hunk } from '../patch/index.js';
import type { RootTrees } from '../tree/types.js';
import { locateUpstream, type Upstream } from '../upstream/locate.js';
import { applyRendered } from '../workflow/apply.js';
import { loadLayersFrom } from '../workflow/layer-set.js';
import { applyAndCheck } from '../workflow/validate.js';
import { guardMap, isBashPath } from './guards.js';
import { loadLayerSetAt } from './history.js';
import { layerChanges, type LayerChanges, type LayerFileChange } from './layer-diffs.js';
import { rangeDiff, type LayerRangeDiff } from './range-diff.js';
import { stockProfiles } from './stock-profiles.js';
import { imageSection, type ImageSection } from './image-section.js';
import type { PortageOptions } from '../portage/bridge.js';
import { tagBashHunk, type HunkTag } from './tags.js';
import { hunkBadge, layerStockSafety, STOCK_CHANGING_CODES, type HunkBadge, type StockSafety } from './verdict-badges.js';
import type { FileVerdict } from '../verdicts/index.js';

export interface ReviewRequest {
  readonly layersDir?: string;
  readonly upstream: string;
  readonly ref?: string;
  /** A revision of the layer set's own repository to compare the layers with. */
  readonly since?: string;
  readonly checks?: readonly Check[];
  /** Add the Image section, resolved by Portage (with these options). */
  readonly image?: PortageOptions;
}

/** One hunk of a layer's change, tagged, with the findings at its lines. */
export interface HunkReview {
  readonly header: string;
  readonly newStart: number;
  readonly newLines: number;
  readonly added: number;
  readonly removed: number;
  readonly tag: HunkTag;
  /** What the hunk does to stock, from its file's verdict, and why. */
  readonly badge: HunkBadge;
  /** The hunk as a `git diff` of its file. */
  readonly patch: string;
  readonly findings: readonly Finding[];
}

/** One file a layer changes. */
export interface FileReview {
  readonly path: string;
  readonly status: 'added' | 'modified' | 'deleted';
  /** The whole change of the file, as `git diff` text. */
  readonly patch: string;
  /** The file's stock-safety verdict and the rule that decided it. */
  readonly verdict?: Omit<FileVerdict, 'finding'>;
  readonly hunks: readonly HunkReview[];
  /** Findings on this file that no hunk holds. */
  readonly findings: readonly Finding[];
}

/** One layer: what it says about itself, what it changes and whether stock stays as it was. */
export interface LayerReview {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly root: 'overlay' | 'scripts';
  readonly status: string;
  readonly flags: readonly FlagSpec[];
  readonly files: readonly FileReview[];
  /** Findings of the layer that concern no file it changes. */
  readonly findings: readonly Finding[];
}

/** A line of the summary table. */
export interface SummaryRow {
  readonly layer: string;
  readonly files: number;
  readonly added: number;
  readonly removed: number;
  readonly flags: readonly { readonly name: string; readonly default: 'on' | 'off' }[];
  /** Hunks by tag kind. */
  readonly hunks: Readonly<Record<HunkTag['kind'], number>>;
  /** No error finding of the stock-safety codes and nothing unproven. */
  readonly stockSafe: boolean;
  /** `stock-safe`, `not proven` or `changes stock` (see layerStockSafety). */
  readonly stockSafety: StockSafety;
}

/** Everything `review` shows, in the shape `--format json` prints. */
export interface ReviewReport {
  readonly upstream: { readonly path: string; readonly ref: string; readonly commit: string; readonly overlayPrefix: string };
  readonly summary: { readonly rows: readonly SummaryRow[]; readonly total: Omit<SummaryRow, 'layer'> };
  readonly layers: readonly LayerReview[];
  /** Findings tied to no layer of the set. */
  readonly findings: readonly Finding[];
  readonly since?: { readonly rev: string; readonly commit: string; readonly layers: readonly LayerRangeDiff[] };
  /** Nano and stock images as Portage resolves them (with `image` in the request). */
  readonly image?: ImageSection;
}

/**
 * Reviews the layer set in `layersDir` against the upstream at `ref`: applies it in memory, runs
 * every check, and describes each layer's change hunk by hunk with tags and findings. With `since`,
 * also applies the layer set as it was at that revision of its own repository to the same upstream
 * and compares each layer's change. Nothing is written.
 */
export async function reviewLayers(request: ReviewRequest): Promise<ReviewReport> {
  const loaded = await loadLayersFrom(request.layersDir);
  const upstream = await locateUpstream(request.upstream, request.ref ?? 'HEAD');
  try {
    const { result, findings, verdicts } = await applyAndCheck(upstream, loaded, request.checks ?? CHECKS);
    const trees = appliedTo(result);
    const changes = await layerChanges(result, trees);
    const masters = upstream.portageStablePrefix ? await upstream.openTree('portage-stable') : undefined;
    const stockReads = (await stockProfiles(loaded.set, result.overlay, masters)).files;
    const layers: LayerReview[] = [];
    for (const [index, layer] of changes.entries()) {
      const manifest = loaded.set.layers[index]!.manifest;
      layers.push(await reviewLayer(layer, manifest, findings.filter((entry) => entry.layer === layer.name), stockReads, verdicts));
    }
    const rows = layers.map((layer) => summaryRow(layer, findings));
    const names = new Set(layers.map((layer) => layer.name));
    return {
      upstream: { path: upstream.repoDir, ref: upstream.ref, commit: upstream.commit, overlayPrefix: upstream.overlayPrefix },
      summary: { rows, total: totalRow(rows) },
      layers,
      findings: findings.filter((entry) => entry.layer === null || !names.has(entry.layer)),
      ...(request.since ? { since: await compareSince(request.layersDir ?? '.', request.since, upstream, trees, changes) } : {}),
      ...(request.image ? { image: await imageSection(upstream, loaded, request.since, request.image) } : {}),
    };
  } finally {
    await upstream.close();
  }
}

async function compareSince(
  layersDir: string,
  rev: string,
  upstream: Upstream,
  trees: RootTrees,
  current: readonly LayerChanges[],
): Promise<NonNullable<ReviewReport['since']>> {
  const old = await loadLayerSetAt(layersDir, rev);
  const oldResult = await applyRendered(upstream, renderLayerSet(old.set));
  return { rev, commit: old.commit, layers: rangeDiff(await layerChanges(oldResult, trees), current) };
}

async function reviewLayer(
  layer: LayerChanges,
  manifest: { summary: string; description: string; flags: readonly FlagSpec[] },
  findings: readonly Finding[],
  stockReads: ReadonlySet<string>,
  verdicts: readonly FileVerdict[],
): Promise<LayerReview> {
  const claimed = new Set<Finding>();
  const files: FileReview[] = [];
  for (const file of layer.files) {
    const onFile = findings.filter((entry) => entry.path === file.path);
    onFile.forEach((entry) => claimed.add(entry));
    const verdict = verdicts.find((entry) => entry.root === layer.root && entry.path === file.path);
    files.push(await reviewFile(file, layer.root, onFile, stockReads, verdict));
  }
  return {
    name: layer.name,
    summary: manifest.summary,
    description: manifest.description,
    root: layer.root,
    status: layer.outcome.status,
    flags: manifest.flags,
    files,
    findings: findings.filter((entry) => !claimed.has(entry)),
  };
}

async function reviewFile(
  file: LayerFileChange,
  root: 'overlay' | 'scripts',
  findings: readonly Finding[],
  stockReads: ReadonlySet<string>,
  verdict: FileVerdict | undefined,
): Promise<FileReview> {
  const tagOf = await hunkTagger(file, root, stockReads);
  const claimed = new Set<Finding>();
  const hunks = file.patches.flatMap((patch) =>
    patch.hunks.map((hunk): HunkReview => {
      const last = hunk.newStart + Math.max(hunk.newLines, 1) - 1;
      const here = findings.filter((entry) => entry.line !== null && entry.line >= hunk.newStart && entry.line <= last && !claimed.has(entry));
      here.forEach((entry) => claimed.add(entry));
      const text = formatPatch([onlyHunk(patch, hunk)]);
      const tag = tagOf(patch, hunk);
      const holdsFinding = here.some((entry) => entry.level === 'error' && STOCK_CHANGING_CODES.has(entry.code));
      return {
        header: /^@@ .* @@/m.exec(text)?.[0] ?? '@@',
        newStart: hunk.newStart,
        newLines: hunk.newLines,
        added: hunk.lines.filter((line) => line.kind === '+').length,
        removed: hunk.lines.filter((line) => line.kind === '-').length,
        tag,
        badge: hunkBadge(verdict, tag, holdsFinding),
        patch: text,
        findings: here,
      };
    }),
  );
  return {
    path: file.path,
    status: !file.before ? 'added' : !file.after ? 'deleted' : 'modified',
    patch: formatPatch(file.patches),
    ...(verdict ? { verdict: withoutFinding(verdict) } : {}),
    hunks,
    findings: findings.filter((entry) => !claimed.has(entry)),
  };
}

/** The tagger for a file's hunks: new files, profile files, then USE guards in bash files. */
async function hunkTagger(file: LayerFileChange, root: 'overlay' | 'scripts', stockReads: ReadonlySet<string>): Promise<(patch: FilePatch, hunk: Hunk) => HunkTag> {
  if (root === 'overlay' && file.path.startsWith('profiles/')) {
    const tag: HunkTag = { kind: 'profile', stockReads: stockReads.has(file.path) };
    return () => tag;
  }
  const text = (entry: LayerFileChange['before']) => (entry && entry.mode !== '120000' ? entry.data.toString('utf8') : undefined);
  const [before, after] = [text(file.before), text(file.after)];
  const bash = root === 'overlay' && isBashPath(file.path);
  const guards = {
    before: bash && before !== undefined ? await guardMap(before, file.path) : undefined,
    after: bash && after !== undefined ? await guardMap(after, file.path) : undefined,
  };
  return (patch, hunk) => (patch.isNew ? { kind: 'new file' } : tagBashHunk(hunk, guards));
}

function withoutFinding({ finding: _finding, ...verdict }: FileVerdict): Omit<FileVerdict, 'finding'> {
  return verdict;
}

function onlyHunk(patch: FilePatch, hunk: Hunk): FilePatch {
  return { ...patch, hunks: [hunk] };
}

function countTags(layer: LayerReview): Record<HunkTag['kind'], number> {
  const counts: Record<HunkTag['kind'], number> = { 'new file': 0, guarded: 0, profile: 0, unguarded: 0 };
  for (const file of layer.files) for (const hunk of file.hunks) counts[hunk.tag.kind]++;
  return counts;
}

function summaryRow(layer: LayerReview, findings: readonly Finding[]): SummaryRow {
  const hunks = layer.files.flatMap((file) => file.hunks);
  return {
    layer: layer.name,
    files: layer.files.length,
    added: hunks.reduce((sum, hunk) => sum + hunk.added, 0),
    removed: hunks.reduce((sum, hunk) => sum + hunk.removed, 0),
    flags: layer.flags.map((flag) => ({ name: flag.name, default: flag.default })),
    hunks: countTags(layer),
    stockSafe: layerStockSafety(layer.name, findings) === 'stock-safe',
    stockSafety: layerStockSafety(layer.name, findings),
  };
}

function totalRow(rows: readonly SummaryRow[]): ReviewReport['summary']['total'] {
  const sum = (pick: (row: SummaryRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    files: sum((row) => row.files),
    added: sum((row) => row.added),
    removed: sum((row) => row.removed),
    // A flag several layers introduce (openssh in three packages) is one flag.
    flags: [...new Map(rows.flatMap((row) => row.flags).map((flag) => [`${flag.name}:${flag.default}`, flag])).values()],
    hunks: {
      'new file': sum((row) => row.hunks['new file']),
      guarded: sum((row) => row.hunks.guarded),
      profile: sum((row) => row.hunks.profile),
      unguarded: sum((row) => row.hunks.unguarded),
    },
    stockSafe: rows.every((row) => row.stockSafe),
    stockSafety: rows.some((row) => row.stockSafety === 'changes stock') ? 'changes stock' : rows.some((row) => row.stockSafety === 'not proven') ? 'not proven' : 'stock-safe',
  };
}
