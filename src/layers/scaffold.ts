import { access, appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import { SERIES_FILE } from './load.js';
import { isLayerName, parseSeries } from './series.js';

/** What `new` creates. */
export interface ScaffoldRequest {
  readonly dir: string;
  readonly name: string;
  readonly summary?: string;
  /** Insert after this layer instead of at the end of the series. */
  readonly after?: string;
  /** The upstream commit the layer is written against; default: the base most layers of the set record. */
  readonly base?: string;
}

/**
 * Creates a new layer in the layer set at `dir`: `patches/<name>/layer.yaml` with a manifest to
 * fill in, and the series entry (at the end, or after `after`). Creates `patches/series` when the
 * layer set is new. The manifest records `base` (or the set's usual base; none in a new set).
 * Refuses a name that exists or is not a valid layer name.
 */
export async function scaffoldLayer(request: ScaffoldRequest): Promise<string[]> {
  const { dir, name } = request;
  if (!isLayerName(name)) throw new InputError(`'${name}' is not a valid layer name (lower-case letters, digits, '.', '_', '-')`);
  const seriesPath = join(dir, SERIES_FILE);
  const seriesText = await readFile(seriesPath, 'utf8').catch(() => '');
  const entries = parseSeries(seriesText, SERIES_FILE);
  if (entries.some((entry) => entry.name === name)) throw new InputError(`layer '${name}' is already in the series`, SERIES_FILE);
  const layerDir = join(dir, 'patches', name);
  if (await access(layerDir).then(() => true, () => false)) throw new InputError(`patches/${name}/ already exists`);

  const anchor = request.after === undefined ? undefined : entries.find((entry) => entry.name === request.after);
  if (request.after !== undefined && !anchor) throw new InputError(`layer '${request.after}' is not in the series`, SERIES_FILE);

  const base = request.base ?? (await usualBase(dir, entries.map((entry) => entry.name)));
  await mkdir(layerDir, { recursive: true });
  await writeFile(join(layerDir, 'layer.yaml'), manifestTemplate(request.summary ?? `category/package: what this layer changes`, base));
  if (anchor) {
    const lines = seriesText.split('\n');
    lines.splice(anchor.line, 0, name);
    await writeFile(seriesPath, lines.join('\n'));
  } else {
    await appendFile(seriesPath, `${seriesText === '' || seriesText.endsWith('\n') ? '' : '\n'}${name}\n`);
  }
  return [`patches/${name}/layer.yaml`, SERIES_FILE];
}

/** The `base` most of the named layers' manifests record (the first such among equals), if any does. */
async function usualBase(dir: string, names: readonly string[]): Promise<string | undefined> {
  const counts = new Map<string, number>();
  for (const name of names) {
    const text = await readFile(join(dir, 'patches', name, 'layer.yaml'), 'utf8').catch(() => readFile(join(dir, 'patches', name, 'layer.json'), 'utf8').catch(() => ''));
    let base: unknown;
    try {
      base = (parseYaml(text) as { base?: unknown } | null)?.base;
    } catch {
      continue;
    }
    if (typeof base === 'string' && base.trim() !== '') counts.set(base, (counts.get(base) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function manifestTemplate(summary: string, base: string | undefined): string {
  return `# The subject line of the layer's commit, coreos-overlay style: "category/package: what".
summary: ${JSON.stringify(summary)}
# The commit message body: what changes, why, and how stock Flatcar stays as it is.
description: |
  ${summary}

  Say what the layer changes and why, as a coreos-overlay commit message
  would, with before/after figures where there are any.
# The upstream commit the patches were last written against (set by rebase/refresh).
${base === undefined ? '# base: 0000000000000000000000000000000000000000' : `base: ${base}`}
# USE flags the layer introduces, with the default that keeps stock behaviour.
flags: []
#  - name: openssh
#    default: on
#    packages: [coreos-base/coreos-init]
#    description: Install the OpenSSH server and its units.
# Template variables for this layer (shared values live in values.yaml).
variables: {}
# Structured edits, re-done against whatever the upstream file holds.
edits: []
#  - package: coreos-base/coreos-init
#    type: iuse-add
#    flag: openssh
#    default: on
`;
}
