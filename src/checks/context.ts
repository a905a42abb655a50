import { diffLines } from 'diff/lib/diff/line.js';
import type { ApplyResult, LayerOutcome } from '../layers/apply.js';
import type { FlagSpec } from '../layers/manifest.js';
import type { LayerSet } from '../layers/load.js';
import type { RenderedLayer } from '../layers/render.js';
import type { MetadataProvider } from '../portage/metadata.js';
import type { ReadableTree } from '../tree/types.js';
import type { Finding } from './finding.js';

/** Which profiles a stock build reads, and which ones the Nano configuration reads. */
export interface ProfileConfig {
  readonly stock: readonly string[];
  readonly nano: readonly string[];
}

/** The stock profiles Flatcar's images are built with (see DOMAIN.md). */
export const DEFAULT_STOCK_PROFILES = ['coreos/amd64/generic/prod', 'coreos/arm64/generic/prod'] as const;

/** A line range of the patched file that a layer set added or changed, with the upstream lines it replaced. */
export interface ChangedRegion {
  /** First line in the patched file (1-based); for a pure deletion, the line after it. */
  readonly line: number;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Lines of the patched file just before and after the region (context for style checks). */
  readonly neighbours: readonly string[];
}

/** An upstream file the layer set changed or created, with the layers that touched it. */
export interface ChangedFile {
  readonly path: string;
  readonly layers: readonly string[];
  readonly before: string | undefined;
  readonly after: string | undefined;
  readonly regions: readonly ChangedRegion[];
}

/** What every check reads: the layer set, how it applied, and the trees before and after. */
export interface CheckInput {
  readonly set: LayerSet;
  readonly rendered: readonly RenderedLayer[];
  readonly result: ApplyResult;
  readonly upstream: { readonly overlay: ReadableTree; readonly portageStable?: ReadableTree | undefined };
  readonly profiles: ProfileConfig;
  /**
   * Ebuild metadata known from outside the static model (Portage's cache, say) for the upstream as
   * it is and for the tree after the layers, asked before reading ebuilds statically.
   */
  readonly metadata?: { readonly before?: MetadataProvider | undefined; readonly after?: MetadataProvider | undefined } | undefined;
}

/** A check: a small module that yields findings, in the style of pkgcheck. */
export interface Check {
  readonly name: string;
  /** The finding codes this check can yield. */
  readonly codes: readonly string[];
  run(context: CheckContext): Promise<Finding[]>;
}

/** The shared, lazily computed view of a validation that checks read from. */
export class CheckContext {
  private changed: Promise<ChangedFile[]> | undefined;

  constructor(readonly input: CheckInput) {}

  /** The upstream overlay. */
  get before(): ReadableTree {
    return this.input.upstream.overlay;
  }

  /** The overlay with every layer applied. */
  get after(): ReadableTree {
    return this.input.result.overlay;
  }

  /** Layer outcomes of layers whose root is the overlay. */
  get overlayLayers(): readonly LayerOutcome[] {
    return this.input.result.layers.filter((layer) => layer.root === 'overlay');
  }

  /** Every flag the layers introduce, with the layer that introduces it. */
  introducedFlags(): { readonly layer: string; readonly flag: FlagSpec }[] {
    return this.input.set.layers.flatMap((layer) => layer.manifest.flags.map((flag) => ({ layer: layer.name, flag })));
  }

  /** Overlay files the layers changed or created, with their text before and after and the changed regions. */
  changedFiles(): Promise<ChangedFile[]> {
    this.changed ??= this.computeChangedFiles();
    return this.changed;
  }

  private async computeChangedFiles(): Promise<ChangedFile[]> {
    const touchedBy = new Map<string, string[]>();
    for (const layer of this.overlayLayers) {
      for (const path of layer.changes.keys()) touchedBy.set(path, [...(touchedBy.get(path) ?? []), layer.name]);
    }
    const files: ChangedFile[] = [];
    for (const [path, layers] of [...touchedBy].sort(([a], [b]) => a.localeCompare(b))) {
      const [beforeEntry, afterEntry] = await Promise.all([this.before.read(path), this.after.read(path)]);
      const before = beforeEntry?.mode === '120000' ? undefined : beforeEntry?.data.toString('utf8');
      const after = afterEntry?.mode === '120000' ? undefined : afterEntry?.data.toString('utf8');
      files.push({ path, layers, before, after, regions: changedRegions(before ?? '', after ?? '') });
    }
    return files;
  }
}

/** The regions where `after` differs from `before`, by line. */
export function changedRegions(before: string, after: string): ChangedRegion[] {
  const afterLines = after.split('\n');
  const regions: ChangedRegion[] = [];
  let line = 1;
  let pending: { line: number; added: string[]; removed: string[] } | undefined;
  const flush = () => {
    if (!pending) return;
    const start = pending.line - 1;
    const end = start + pending.added.length;
    const neighbours = [afterLines[start - 1], afterLines[end]].filter((text): text is string => text !== undefined);
    regions.push({ ...pending, neighbours });
    pending = undefined;
  };
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (!part.added && !part.removed) {
      flush();
      line += part.count ?? lines.length;
      continue;
    }
    pending ??= { line, added: [], removed: [] };
    if (part.added) {
      pending.added.push(...lines);
      line += part.count ?? lines.length;
    } else {
      pending.removed.push(...lines);
    }
  }
  flush();
  return regions;
}
