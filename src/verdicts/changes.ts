import type { CheckContext } from '../checks/context.js';
import type { ReadableTree } from '../tree/types.js';
import type { ChangedPath, ChangeKind } from './types.js';

/**
 * Every path the layers add, change, delete or re-mode, in the overlay and in the scripts
 * repository root, compared between the upstream trees and the trees with every layer applied (a
 * path a layer changed and a later layer restored is no change).
 */
export async function changedPaths(context: CheckContext): Promise<ChangedPath[]> {
  const scripts = context.input.result.scripts;
  const roots = [
    { root: 'overlay' as const, before: context.before, after: context.after },
    ...(scripts ? [{ root: 'scripts' as const, before: scripts.base, after: scripts as ReadableTree }] : []),
  ];
  const paths: ChangedPath[] = [];
  for (const { root, before, after } of roots) {
    const touchedBy = new Map<string, string[]>();
    for (const layer of context.input.result.layers) {
      if (layer.root !== root) continue;
      for (const path of layer.changes.keys()) touchedBy.set(path, [...(touchedBy.get(path) ?? []), layer.name]);
    }
    for (const [path, layers] of [...touchedBy].sort(([a], [b]) => a.localeCompare(b))) {
      const [was, is] = await Promise.all([before.read(path), after.read(path)]);
      const change = changeKind(was, is);
      if (change) paths.push({ root, path, change, layers, before: was, after: is });
    }
  }
  return paths;
}

function changeKind(before: ChangedPath['before'], after: ChangedPath['after']): ChangeKind | undefined {
  if (!before && !after) return undefined;
  if (!before) return 'added';
  if (!after) return 'deleted';
  if (before.data.equals(after.data)) return before.mode === after.mode ? undefined : 're-moded';
  return 'modified';
}
