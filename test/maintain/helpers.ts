import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { updateManifestText } from '../../src/maintain/manifest-write.js';
import { DiskTree } from '../../src/tree/disk.js';
import { makeTempDir } from '../helpers/git.js';

export const OVERLAY = 'sdk_container/src/third_party/coreos-overlay';
export const EXAMPLE_LAYERS = resolve('examples/layers');

/** A private copy of the example layer set with every layer's `base` set to `base`. */
export async function exampleLayersAt(base: string): Promise<string> {
  const dir = join(await makeTempDir('nano-overlay-maintain-'), 'layers');
  await cp(EXAMPLE_LAYERS, dir, { recursive: true, verbatimSymlinks: true });
  const tree = new DiskTree(dir);
  for (const file of (await tree.list('patches')).filter((path) => path.endsWith('/layer.yaml'))) {
    const path = join(dir, file);
    await writeFile(path, updateManifestText(await readFile(path, 'utf8'), file, { base }));
  }
  return dir;
}

/** Every file of a directory (symlinks as links, with modes), as one digest per path. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const tree = new DiskTree(dir);
  const files: Record<string, string> = {};
  for (const path of await tree.list()) {
    const entry = (await tree.read(path))!;
    files[path] = `${entry.mode} ${createHash('sha1').update(entry.data).digest('hex')}`;
  }
  return files;
}
