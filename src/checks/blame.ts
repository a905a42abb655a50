import { diffLines } from 'diff/lib/diff/line.js';
import type { ChangedFile, CheckContext } from './context.js';

/** Which layer wrote each line of a changed file, so findings name the layer that is to blame. */

const cache = new WeakMap<CheckContext, Map<string, (string | null)[]>>();

/** The lines of `file`'s patched text that the layers added or changed (1-based). */
export function addedLines(file: ChangedFile): Set<number> {
  const lines = new Set<number>();
  for (const region of file.regions) region.added.forEach((_, offset) => lines.add(region.line + offset));
  return lines;
}

/**
 * The layer that last wrote line `line` of the patched file (following each layer's version of the
 * file in order), or, for a line no layer wrote, the last layer that touched the file.
 */
export function layerOfLine(
  context: CheckContext,
  file: Pick<ChangedFile, 'path' | 'layers' | 'before'>,
  line: number | null,
  root: 'overlay' | 'scripts' = 'overlay',
): string | null {
  const owners = lineOwners(context, file, root);
  return (line !== null ? owners[line - 1] : undefined) ?? file.layers.at(-1) ?? null;
}

function lineOwners(context: CheckContext, file: Pick<ChangedFile, 'path' | 'before'>, root: 'overlay' | 'scripts'): (string | null)[] {
  let byPath = cache.get(context);
  if (!byPath) {
    byPath = new Map();
    cache.set(context, byPath);
  }
  let owners = byPath.get(`${root}:${file.path}`);
  if (!owners) {
    owners = computeOwners(context, file, root);
    byPath.set(`${root}:${file.path}`, owners);
  }
  return owners;
}

function computeOwners(context: CheckContext, file: Pick<ChangedFile, 'path' | 'before'>, root: 'overlay' | 'scripts'): (string | null)[] {
  let text = file.before ?? '';
  let owners: (string | null)[] = text.split('\n').map(() => null);
  for (const layer of context.input.result.layers.filter((entry) => entry.root === root)) {
    if (!layer.changes.has(file.path)) continue;
    const entry = layer.changes.get(file.path);
    const next = entry && entry.mode !== '120000' ? entry.data.toString('utf8') : '';
    const carried: (string | null)[] = [];
    let position = 0;
    for (const part of diffLines(text, next)) {
      const count = part.count ?? 0;
      if (part.removed) position += count;
      else if (part.added) carried.push(...Array<string>(count).fill(layer.name));
      else {
        carried.push(...owners.slice(position, position + count));
        position += count;
      }
    }
    text = next;
    owners = carried;
  }
  return owners;
}
