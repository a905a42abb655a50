import { parse as parseYaml } from 'yaml';
import { InputError, LayerDefinitionError, type DefinitionCode } from '../errors.js';
import type { FileEntry, ReadableTree } from '../tree/types.js';
import { parseManifest, type LayerManifest } from './manifest.js';
import { parseSeries } from './series.js';
import type { TemplateSource } from './templates.js';

/** A file of the layer set: its path in the layer set and its content. */
export interface LayerFile {
  readonly file: string;
  readonly entry: FileEntry;
}

/** A file the layer places into the target tree as it is, or rendered when its name ends in `.hbs`. */
export interface OverlayFile extends LayerFile {
  /** Where the file goes, relative to the layer's root (the overlay, or the scripts repository). */
  readonly path: string;
  readonly template: boolean;
}

/** One layer: its manifest, patch files in order and the overlay files it owns. */
export interface Layer {
  readonly name: string;
  readonly manifestFile: string;
  readonly manifest: LayerManifest;
  readonly patchFiles: readonly LayerFile[];
  readonly overlayFiles: readonly OverlayFile[];
}

/** A whole layer set, as read from a directory or from a git revision of one. */
export interface LayerSet {
  readonly layers: readonly Layer[];
  /** Shared values (flag names, package lists) from `values.yaml`, read by every template. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Partials under `templates/`, registered by their path without `.hbs`. */
  readonly templates: readonly TemplateSource[];
}

export const SERIES_FILE = 'patches/series';
export const VALUES_FILE = 'values.yaml';
export const MANIFEST_NAMES = ['layer.yaml', 'layer.yml', 'layer.json'] as const;

/**
 * Reads a layer set from `tree` (a directory on disk or a git tree): `patches/series`, each layer's
 * manifest and patches, `templates/`, `overlay/<layer>/` and `values.yaml`. Problems in the
 * definition are LayerDefinitionErrors naming the file and, where known, the line; `where` names the
 * layer set in the error for a tree without one.
 */
export async function loadLayerSet(tree: ReadableTree, where = 'here'): Promise<LayerSet> {
  const seriesEntry = await tree.read(SERIES_FILE);
  if (!seriesEntry) throw new InputError(`no layer set ${where}: ${SERIES_FILE} is missing (use --layers DIR)`);
  const series = guard('BadSeries', undefined, () => parseSeries(seriesEntry.data.toString('utf8'), SERIES_FILE));
  const names = new Set(series.map((entry) => entry.name));

  const [patchPaths, overlayPaths, templatePaths] = await Promise.all([tree.list('patches'), tree.list('overlay'), tree.list('templates')]);
  const layers: Layer[] = [];
  for (const { name } of series) {
    layers.push(await loadLayer(tree, name, patchPaths, overlayPaths));
  }
  checkStrayDirectories(patchPaths, 'patches', names, true);
  checkStrayDirectories(overlayPaths, 'overlay', names, false);
  checkOverlayOwnership(layers);

  const templates: TemplateSource[] = [];
  for (const file of templatePaths.filter((path) => path.endsWith('.hbs'))) {
    const entry = await tree.read(file);
    if (entry) templates.push({ name: file.slice('templates/'.length, -'.hbs'.length), file, text: entry.data.toString('utf8') });
  }
  return { layers, values: await loadValues(tree), templates };
}

async function loadLayer(tree: ReadableTree, name: string, patchPaths: string[], overlayPaths: string[]): Promise<Layer> {
  const dir = `patches/${name}`;
  const manifestFile = MANIFEST_NAMES.map((file) => `${dir}/${file}`).find((file) => patchPaths.includes(file));
  if (!manifestFile) {
    throw new LayerDefinitionError('MissingLayer', name, new InputError(`layer '${name}' has no manifest (${dir}/layer.yaml)`, 'patches/series'));
  }
  const manifestEntry = await tree.read(manifestFile);
  const manifest = guard('BadManifest', name, () => parseManifest(manifestEntry?.data.toString('utf8') ?? '', manifestFile));

  const available = patchPaths.filter((path) => path.startsWith(`${dir}/`) && /\.patch(\.hbs)?$/.test(path));
  const ordered = manifest.patches ? manifest.patches.map((file) => `${dir}/${file}`) : [...available].sort();
  const patchFiles: LayerFile[] = [];
  for (const file of ordered) {
    const entry = available.includes(file) ? await tree.read(file) : undefined;
    if (!entry) throw new LayerDefinitionError('BadManifest', name, new InputError(`patch '${file}' listed in the manifest does not exist`, manifestFile));
    patchFiles.push({ file, entry });
  }

  const overlayDir = `overlay/${name}/`;
  const overlayFiles: OverlayFile[] = [];
  for (const file of overlayPaths.filter((path) => path.startsWith(overlayDir))) {
    const entry = await tree.read(file);
    if (!entry) continue;
    const template = entry.mode !== '120000' && file.endsWith('.hbs');
    const path = file.slice(overlayDir.length, template ? -'.hbs'.length : undefined);
    overlayFiles.push({ file, entry, path, template });
  }
  return { name, manifestFile, manifest, patchFiles, overlayFiles };
}

async function loadValues(tree: ReadableTree): Promise<Record<string, unknown>> {
  const entry = await tree.read(VALUES_FILE);
  if (!entry) return {};
  const values = guard('BadManifest', undefined, () => {
    try {
      return parseYaml(entry.data.toString('utf8')) as unknown;
    } catch (error) {
      throw new InputError(`invalid YAML: ${(error as Error).message.split('\n')[0]}`, VALUES_FILE);
    }
  });
  if (values === null || values === undefined) return {};
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new LayerDefinitionError('BadManifest', undefined, new InputError('must be a mapping of names to values', VALUES_FILE));
  }
  return values as Record<string, unknown>;
}

/** A directory under patches/ or overlay/ that no series entry names is a mistake worth stopping for. */
function checkStrayDirectories(paths: string[], top: string, names: Set<string>, allowTopFiles: boolean): void {
  for (const path of paths) {
    const parts = path.split('/');
    if (parts.length === 2 && allowTopFiles) continue;
    const layer = parts[1] ?? '';
    if (!names.has(layer)) {
      throw new LayerDefinitionError(
        'MissingLayer',
        layer,
        new InputError(`'${top}/${layer}/' belongs to no layer listed in ${SERIES_FILE}`, path),
      );
    }
  }
}

/** Two layers placing the same path would make the result depend on order: refuse it. */
function checkOverlayOwnership(layers: Layer[]): void {
  const owners = new Map<string, { layer: string; file: string }>();
  for (const layer of layers) {
    for (const file of layer.overlayFiles) {
      const key = `${layer.manifest.root}:${file.path}`;
      const owner = owners.get(key);
      if (owner) {
        throw new LayerDefinitionError(
          'OverlayFileOwnedTwice',
          layer.name,
          new InputError(`'${file.path}' is already placed by layer '${owner.layer}' (${owner.file})`, file.file),
        );
      }
      owners.set(key, { layer: layer.name, file: file.file });
    }
  }
}

function guard<T>(code: DefinitionCode, layer: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError && !(error instanceof LayerDefinitionError)) throw new LayerDefinitionError(code, layer, error);
    throw error;
  }
}

