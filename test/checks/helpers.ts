import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createPatch } from '../../src/patch/index.js';
import type { FileEntry } from '../../src/tree/types.js';
import type { Finding } from '../../src/checks/index.js';
import { validateLayers, type ValidationReport } from '../../src/workflow/validate.js';
import { createOverlayFixture, type FixtureChange } from '../helpers/fixture-overlay.js';
import { makeTempDir, writeFiles, type FileSpec } from '../helpers/git.js';

/** One layer of a test layer set. */
export interface TestLayer {
  readonly name: string;
  readonly flags?: readonly { name: string; default?: 'on' | 'off'; packages: string[] }[];
  /** Overlay files the layer patches: the upstream text (after earlier layers) to the patched text. */
  readonly modify?: Readonly<Record<string, (text: string) => string>>;
  /** Overlay files the layer deletes. */
  readonly remove?: readonly string[];
  /** New overlay files the layer places (`{ link }` for a symlink). */
  readonly add?: Readonly<Record<string, string | { link: string }>>;
  /** The tree the layer's paths are relative to: the overlay (default) or the scripts repository root. */
  readonly root?: 'overlay' | 'scripts';
  /** Structured edits, as written in a manifest. */
  readonly edits?: readonly Record<string, unknown>[];
  /** The manifest's `base`. */
  readonly base?: string;
}

export interface TestRun {
  readonly layers: readonly TestLayer[];
  /** values.yaml; by default only the example's stock profile. */
  readonly values?: string;
  /** Changes committed to the example upstream first. */
  readonly upstream?: FixtureChange[];
  readonly layout?: 'scripts' | 'overlay';
}

export const STOCK_ONLY_VALUES = 'profiles:\n  stock: [coreos/amd64/generic/prod]\n  nano: []\n';

/** Replaces `from` by `to` in `text`, failing when `from` is not there (so a broken fixture cannot pass quietly). */
export function replace(from: string, to: string): (text: string) => string {
  return (text) => {
    if (!text.includes(from)) throw new Error(`fixture text lacks ${JSON.stringify(from)}`);
    return text.replace(from, to);
  };
}

const plainFixtures = new Map<string, ReturnType<typeof createOverlayFixture>>();

/** The example upstream without further changes, built once per layout: validation only reads it. */
function plainFixture(layout: 'scripts' | 'overlay'): ReturnType<typeof createOverlayFixture> {
  let fixture = plainFixtures.get(layout);
  if (!fixture) plainFixtures.set(layout, (fixture = createOverlayFixture({ layout })));
  return fixture;
}

/** Builds the example upstream and the layer set in temporary directories and validates the set against it. */
export async function validateTestSet(run: TestRun): Promise<ValidationReport> {
  const { layersDir, upstream } = await writeTestSet(run);
  return validateLayers({ layersDir, upstream });
}

/** Builds the example upstream and the layer set in temporary directories. */
export async function writeTestSet(run: TestRun): Promise<{ layersDir: string; upstream: string }> {
  const fixture = run.upstream ? await createOverlayFixture({ layout: run.layout ?? 'scripts', changes: run.upstream }) : await plainFixture(run.layout ?? 'scripts');
  const overlayDir = join(fixture.dir, fixture.overlayPrefix);
  const current = new Map<string, string>();
  const textOf = async (path: string, root: 'overlay' | 'scripts' = 'overlay') =>
    current.get(`${root}:${path}`) ?? (await readFile(join(root === 'overlay' ? overlayDir : fixture.dir, path), 'utf8'));
  /** The file as the layer finds it: a symlink as a link, a regular file with its mode. */
  const entryOf = async (path: string, root: 'overlay' | 'scripts'): Promise<FileEntry> => {
    const full = join(root === 'overlay' ? overlayDir : fixture.dir, path);
    const info = await lstat(full);
    if (info.isSymbolicLink()) return { mode: '120000', data: Buffer.from(await readlink(full)) };
    return { mode: info.mode & 0o100 ? '100755' : '100644', data: Buffer.from(await textOf(path, root)) };
  };
  const files: Record<string, FileSpec> = {
    'patches/series': `${run.layers.map((layer) => layer.name).join('\n')}\n`,
    'values.yaml': run.values ?? STOCK_ONLY_VALUES,
  };
  for (const layer of run.layers) {
    const root = layer.root ?? 'overlay';
    const manifest = {
      summary: `test layer ${layer.name}`, description: 'A layer of a check test.', ...(layer.base ? { base: layer.base } : {}),
      root, flags: layer.flags ?? [], edits: layer.edits ?? [],
    };
    files[`patches/${layer.name}/layer.yaml`] = JSON.stringify(manifest, null, 2);
    const patches: string[] = [];
    for (const [path, change] of Object.entries(layer.modify ?? {})) {
      const before = await entryOf(path, root);
      const after = change(before.data.toString('utf8'));
      current.set(`${root}:${path}`, after);
      patches.push(createPatch(path, path, before, { mode: before.mode, data: Buffer.from(after) }));
    }
    for (const path of layer.remove ?? []) {
      patches.push(createPatch(path, path, await entryOf(path, root), undefined));
    }
    if (patches.length) files[`patches/${layer.name}/0001-change.patch`] = patches.join('');
    for (const [path, text] of Object.entries(layer.add ?? {})) files[`overlay/${layer.name}/${path}`] = text;
  }
  const layersDir = await makeTempDir('nano-overlay-layers-');
  await writeFiles(layersDir, files);
  return { layersDir, upstream: fixture.dir };
}

/** The findings with `code`, as `path:line` strings, for compact assertions. */
export function locations(report: ValidationReport, code: string): string[] {
  return report.findings.filter((entry) => entry.code === code).map((entry) => `${entry.path}:${entry.line}`);
}

/** The findings with `code`. */
export function withCode(report: ValidationReport, code: string): Finding[] {
  return report.findings.filter((entry) => entry.code === code);
}

/** Error findings of any code, for "stays quiet" assertions with a readable failure. */
export function errors(report: ValidationReport): string[] {
  return report.findings.filter((entry) => entry.level === 'error').map((entry) => `${entry.code} ${entry.path}:${entry.line} ${entry.message}`);
}
