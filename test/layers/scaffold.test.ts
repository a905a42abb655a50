import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLayerSet } from '../../src/layers/load.js';
import { scaffoldLayer } from '../../src/layers/scaffold.js';
import { DiskTree } from '../../src/tree/disk.js';
import { makeTempDir, removeTempDirs, writeFiles } from '../helpers/git.js';

afterAll(removeTempDirs);

describe('scaffoldLayer', () => {
  it('creates a manifest that loads and a series entry, at the end or after a layer', async () => {
    const dir = await makeTempDir();
    expect(await scaffoldLayer({ dir, name: 'first', summary: 'coreos-base/x: first' })).toEqual(['patches/first/layer.yaml', 'patches/series']);
    await scaffoldLayer({ dir, name: 'third' });
    await scaffoldLayer({ dir, name: 'second', after: 'first' });
    expect(await readFile(join(dir, 'patches/series'), 'utf8')).toBe('first\nsecond\nthird\n');
    const set = await loadLayerSet(new DiskTree(dir));
    expect(set.layers.map((layer) => [layer.name, layer.manifest.summary, layer.manifest.flags.length, layer.manifest.edits.length])).toEqual([
      ['first', 'coreos-base/x: first', 0, 0],
      ['second', 'category/package: what this layer changes', 0, 0],
      ['third', 'category/package: what this layer changes', 0, 0],
    ]);
  });

  it("records the given base, or else the base most of the set's layers record", async () => {
    const dir = await makeTempDir();
    const [a, b] = ['a'.repeat(40), 'b'.repeat(40)];
    await writeFiles(dir, {
      'patches/series': 'one\ntwo\nthree\n',
      'patches/one/layer.yaml': `summary: "a: b"\ndescription: c\nbase: ${a}\n`,
      'patches/two/layer.yaml': `summary: "a: b"\ndescription: c\nbase: ${b}\n`,
      'patches/three/layer.yaml': `summary: "a: b"\ndescription: c\nbase: ${b}\n`,
    });
    await scaffoldLayer({ dir, name: 'usual' });
    await scaffoldLayer({ dir, name: 'given', base: a });
    const set = await loadLayerSet(new DiskTree(dir));
    expect(set.layers.map((layer) => [layer.name, layer.manifest.base])).toEqual([
      ['one', a],
      ['two', b],
      ['three', b],
      ['usual', b],
      ['given', a],
    ]);
    const empty = await makeTempDir();
    await scaffoldLayer({ dir: empty, name: 'first' });
    expect((await loadLayerSet(new DiskTree(empty))).layers[0]!.manifest.base).toBeUndefined();
  });

  it('refuses a bad name, a layer that exists and an unknown anchor, writing nothing', async () => {
    const dir = await makeTempDir();
    await writeFiles(dir, { 'patches/series': 'one\n', 'patches/one/layer.yaml': 'summary: "a: b"\ndescription: c\n' });
    await expect(scaffoldLayer({ dir, name: 'Bad Name' })).rejects.toThrow(/not a valid layer name/);
    await expect(scaffoldLayer({ dir, name: 'one' })).rejects.toThrow("patches/series: layer 'one' is already in the series");
    await expect(scaffoldLayer({ dir, name: 'two', after: 'zero' })).rejects.toThrow("patches/series: layer 'zero' is not in the series");
    expect(await readFile(join(dir, 'patches/series'), 'utf8')).toBe('one\n');
    expect(await new DiskTree(dir).list('patches')).toEqual(['patches/one/layer.yaml', 'patches/series']);
  });
});
