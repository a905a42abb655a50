/**
 * npm packs no symbolic links, but the layer sets (revision symlinks such as
 * `demo-lean-0.0.1-r1.ebuild -> demo-lean-0.0.1.ebuild`) and the example upstream need them.
 * `record` (run before packing) lists every symlink under the packaged data directories in
 * `symlinks.json`; `restore` (run after installing) recreates those that are missing. In a checkout,
 * where the links exist, `restore` changes nothing.
 */
import { lstat, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA_DIRS = ['patches', 'templates', 'overlay', 'examples'];
const RECORD = join(ROOT, 'symlinks.json');

async function symlinksBelow(dir: string): Promise<[string, string][]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const links: [string, string][] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) links.push([relative(ROOT, path), await readlink(path)]);
    else if (entry.isDirectory()) links.push(...(await symlinksBelow(path)));
  }
  return links;
}

async function record(): Promise<void> {
  const links = (await Promise.all(DATA_DIRS.map((dir) => symlinksBelow(join(ROOT, dir))))).flat().sort(([a], [b]) => a.localeCompare(b));
  await writeFile(RECORD, `${JSON.stringify(Object.fromEntries(links), null, 2)}\n`);
}

async function restore(): Promise<void> {
  const text = await readFile(RECORD, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  for (const [path, target] of Object.entries(JSON.parse(text) as Record<string, string>)) {
    const full = join(ROOT, path);
    if (relative(ROOT, full).startsWith('..')) continue;
    const present = await lstat(full).then(() => true, () => false);
    if (!present) await symlink(target, full);
  }
}

const mode = process.argv[2];
if (mode === 'record') await record();
else if (mode === 'restore') await restore();
else {
  process.stderr.write('usage: package-symlinks record|restore\n');
  process.exitCode = 2;
}
