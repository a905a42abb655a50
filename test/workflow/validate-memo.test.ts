import { cp, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedMetadataTrees } from '../../src/portage/metadata-cache.js';
import { portageCacheDir } from '../../src/portage/portage-trees.js';
import { validateLayersMemoized } from '../../src/workflow/validate-memo.js';
import { validateLayers } from '../../src/workflow/validate.js';
import { freshCacheHomes } from '../helpers/cache-home.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

const cacheHome = freshCacheHomes('nano-overlay-memo-cache-');

const reportLog = () => join(cacheHome(), 'v2', 'validate-report.log');

/** The stored reports: the lines of the memo's log. */
async function storedEntries(): Promise<string[]> {
  return (await readFile(reportLog(), 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** Marks the stored reports so that a hit is told from a recomputation. */
async function markStored(): Promise<void> {
  const marked = (await storedEntries()).map((line) => {
    const entry = JSON.parse(line.slice(41));
    entry.value.upstream.path = 'from the memo';
    return `${line.slice(0, 41)}${JSON.stringify(entry)}\n`;
  });
  // As the cache rewrites a log: a new file renamed into place (it otherwise only ever appends).
  await writeFile(`${reportLog()}.tmp`, marked.join(''));
  await rename(`${reportLog()}.tmp`, reportLog());
}

describe('the validate report memo', () => {
  it('returns the stored report only while the layer set, the commit and the bridge metadata are what it was computed from', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const layers = join(await makeTempDir(), 'layers');
    await cp(resolve('examples/layers'), layers, { recursive: true, verbatimSymlinks: true });
    const request = { upstream: fixture.dir, layersDir: layers };

    const first = await validateLayersMemoized(request);
    expect(first).toEqual(await validateLayers(request));
    expect(first.ok).toBe(true);
    expect(await storedEntries()).toHaveLength(1);
    await markStored();
    expect((await validateLayersMemoized(request)).upstream.path).toBe('from the memo');

    // An edited patch is a miss, and the new report sees the edit.
    const patch = join(layers, 'patches/demo-files-motd-optional/0001-motd-optional.patch');
    const original = await readFile(patch, 'utf8');
    await writeFile(patch, original.replace('IUSE="containers +motd"', 'IUSE="containers motd"'));
    const edited = await validateLayersMemoized(request);
    expect(edited.upstream.path).toBe(fixture.dir);
    expect(edited.findings.map((found) => found.code)).toContain('FlagDefaultChangesStock');
    await writeFile(patch, original);
    await markStored();
    expect((await validateLayersMemoized(request)).ok).toBe(true);

    // A new file in a listed directory is a miss.
    await writeFile(join(layers, 'overlay', 'stray.txt'), 'x\n');
    expect((await validateLayersMemoized(request)).upstream.path).toBe(fixture.dir);

    // So is another commit, and metadata the bridge generated since.
    await markStored();
    git(fixture.dir, 'commit', '-q', '--allow-empty', '-m', 'empty');
    expect((await validateLayersMemoized(request)).upstream.path).toBe(fixture.dir);
    await markStored();
    const generated = join(portageCacheDir(), 'trees', 'coreos-overlay-0123', 'metadata');
    await mkdir(generated, { recursive: true });
    await writeFile(join(generated, '.nano-overlay-regen-stamp'), '');
    expect(generatedMetadataTrees()).toEqual(['coreos-overlay-0123']);
    expect((await validateLayersMemoized(request)).upstream.path).toBe(fixture.dir);
  });

});
