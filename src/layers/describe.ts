import type { RenderedLayer } from './render.js';

/** What `list` shows of a layer. */
export interface LayerDescription {
  readonly name: string;
  readonly summary: string;
  readonly root: 'overlay' | 'scripts';
  readonly base: string | null;
  readonly flags: readonly { readonly name: string; readonly default: 'on' | 'off'; readonly packages: readonly string[] }[];
  /** Upstream paths or packages the layer changes or creates, relative to its root. */
  readonly targets: readonly string[];
  /** The layer set's own files that make up the layer. */
  readonly files: readonly string[];
}

/** Describes rendered layers in series order: summary, flags, targets and files. */
export function describeLayers(layers: readonly RenderedLayer[]): LayerDescription[] {
  return layers.map(({ layer, patches, edits, files }) => {
    const targets = new Set<string>();
    for (const { patches: filePatches } of patches) {
      for (const patch of filePatches) targets.add(patch.newPath ?? patch.oldPath ?? '');
    }
    for (const { target } of edits) targets.add('file' in target ? target.file : target.package);
    for (const { path } of files) targets.add(path);
    return {
      name: layer.name,
      summary: layer.manifest.summary,
      root: layer.manifest.root,
      base: layer.manifest.base ?? null,
      flags: layer.manifest.flags.map(({ name, default: stockDefault, packages }) => ({ name, default: stockDefault, packages })),
      targets: [...targets].filter((target) => target !== '').sort(),
      files: [layer.manifestFile, ...layer.patchFiles.map((file) => file.file), ...layer.overlayFiles.map((file) => file.file)],
    };
  });
}

/** The human form of `list`: a block per layer. */
export function formatLayerList(descriptions: readonly LayerDescription[]): string {
  const lines: string[] = [];
  descriptions.forEach((layer, index) => {
    lines.push(`${index + 1}. ${layer.name} — ${layer.summary}${layer.root === 'scripts' ? ' [scripts repository]' : ''}`);
    for (const flag of layer.flags) {
      lines.push(`   flag ${flag.name} (stock default ${flag.default})${flag.packages.length ? `: ${flag.packages.join(', ')}` : ''}`);
    }
    for (const target of layer.targets) lines.push(`   target ${target}`);
    for (const file of layer.files) lines.push(`   file   ${file}`);
  });
  return lines.join('\n');
}
