import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPatch } from '../../src/patch/index.js';
import { git, makeTempDir, writeFiles, type FileSpec } from '../helpers/git.js';

/** A layer set in a git repository of its own, to review and to compare across revisions. */
export interface LayerSetRepo {
  readonly dir: string;
  /** Writes `files` (paths relative to the layer set) and commits them; returns the commit. */
  commit(message: string, files: Record<string, FileSpec>): Promise<string>;
}

/** A new layer set repository holding `files`, committed once. */
export async function createLayerSetRepo(files: Record<string, FileSpec>): Promise<LayerSetRepo & { readonly first: string }> {
  const dir = join(await makeTempDir('nano-overlay-layers-'), 'layers');
  git(join(dir, '..'), 'init', '-q', '-b', 'main', dir);
  const repo: LayerSetRepo = {
    dir,
    async commit(message, changed) {
      await writeFiles(dir, changed);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
  };
  return { ...repo, first: await repo.commit('Layer set', files) };
}

/** A patch from the file at `path` of the checked-out overlay in `overlayDir` to `edit(text)`. */
export async function patchOf(overlayDir: string, path: string, edit: (text: string) => string): Promise<string> {
  const text = await readFile(join(overlayDir, path), 'utf8');
  const edited = edit(text);
  if (edited === text) throw new Error(`the edit leaves ${path} unchanged`);
  return createPatch(path, path, { mode: '100644', data: Buffer.from(text) }, { mode: '100644', data: Buffer.from(edited) });
}

/** values.yaml naming the example's stock and lean profiles. */
export const EXAMPLE_VALUES = 'profiles:\n  stock: [coreos/amd64/generic/prod]\n  nano: [coreos/amd64/lean/prod]\n';
