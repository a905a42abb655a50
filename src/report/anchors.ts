import type { Finding } from '../checks/finding.js';
import type { RenderedLayer } from '../layers/render.js';
import type { FilePatch } from '../patch/types.js';
import { loadLayersFrom } from '../workflow/layer-set.js';

/** Where a layer's finding points in the layer set's own files, when it can be told. */
export type AnchorFinder = (finding: Finding) => Anchor | undefined;

/** A place in the layer set's own files: what a pull-request annotation points at. */
export interface Anchor {
  readonly file: string;
  readonly line: number | null;
}

/**
 * Finds where in the layer set a finding about an overlay file and line comes from: the line of a
 * layer's patch that adds or keeps it, the line of a new file the layer places, or the structured edit
 * of the manifest that targets the file's package (the manifest, without a line: edits follow bumped
 * ebuilds). Undefined when the layer does not touch the path.
 */
export function anchorIn(rendered: RenderedLayer, finding: Finding): Anchor | undefined {
  if (finding.path === null) return undefined;
  const path = finding.path;
  const placed = rendered.files.find((file) => file.path === path);
  if (placed) return { file: placed.file, line: finding.line };
  for (const source of rendered.patches) {
    for (const patch of source.patches) {
      if (patch.newPath !== path && patch.oldPath !== path) continue;
      return { file: source.file, line: finding.line === null ? patch.sourceLine : patchLineOf(patch, finding.line) };
    }
  }
  const packageDir = path.split('/').slice(0, 2).join('/');
  const edit = rendered.edits.find(({ target }) => ('file' in target ? target.file : target.package).startsWith(`${packageDir}/`) || ('package' in target && target.package === packageDir));
  return edit ? { file: rendered.layer.manifestFile, line: null } : undefined;
}

/** The line of the patch text holding the new file's `line`, or the header of the nearest hunk. */
function patchLineOf(patch: FilePatch, line: number): number {
  let nearest = patch.sourceLine;
  for (const hunk of patch.hunks) {
    if (hunk.newStart > line) break;
    nearest = hunk.sourceLine;
    let newLine = hunk.newStart;
    for (const [index, hunkLine] of hunk.lines.entries()) {
      if (hunkLine.kind === '-') continue;
      if (newLine === line) return hunk.sourceLine + 1 + index;
      newLine++;
    }
  }
  return nearest;
}

/** An AnchorFinder over the layer set in `layersDir`, rendered once. */
export async function layerSetAnchors(layersDir: string): Promise<AnchorFinder> {
  const { rendered } = await loadLayersFrom(layersDir);
  const byName = new Map(rendered.map((layer) => [layer.layer.name, layer]));
  return (finding) => {
    const layer = finding.layer === null ? undefined : byName.get(finding.layer);
    return layer ? anchorIn(layer, finding) : undefined;
  };
}
