import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobCache, blobId, trimCache } from '../../src/cache/blob-cache.js';
import { scanEbuild } from '../../src/checks/ebuild-scan.js';
import { portageCacheDir } from '../../src/portage/portage-trees.js';
import { reduceEbuildLines } from '../../src/portage/reduce.js';
import { freshCacheHomes } from '../helpers/cache-home.js';
import { gitWithInput, makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

const cacheHome = freshCacheHomes();

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  return found;
}

describe('the blob cache', () => {
  it('keys entries by git blob id, parameters and code, so a changed text, parameter or code misses', async () => {
    const text = 'EAPI=8\nIUSE="a"\n';
    expect(blobId(text)).toBe(gitWithInput(await makeTempDir(), text, 'hash-object', '--stdin').trim());
    let derived = 0;
    const derive = async () => ({ n: ++derived });
    const cache = new BlobCache<{ n: number }>('test', 'code-1');
    expect(await cache.through(text, 'p', derive)).toEqual({ n: 1 });
    expect(await new BlobCache<{ n: number }>('test', 'code-1').through(text, 'p', derive)).toEqual({ n: 1 });
    expect(await cache.through(`${text}#\n`, 'p', derive)).toEqual({ n: 2 });
    expect(await cache.through(text, 'q', derive)).toEqual({ n: 3 });
    expect(await new BlobCache<{ n: number }>('test', 'code-2').through(text, 'p', derive)).toEqual({ n: 4 });
    expect(await files(cacheHome())).toHaveLength(4);
  });

  it('never shows a partial entry to concurrent readers and writers', async () => {
    const cache = new BlobCache<string[]>('test', 'code');
    const value = Array.from({ length: 20_000 }, (_, index) => `line ${index}`);
    await cache.set('text', value);
    const reads = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 ? cache.set('text', value).then(() => cache.get('text')) : cache.get('text'))));
    for (const read of reads) expect(read).toEqual(value);
    expect((await files(cacheHome())).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });

  it('stays within its size bound, dropping the oldest entries', async () => {
    const cache = new BlobCache<string>('test', 'code', 40_000);
    for (let index = 0; index < 30; index++) await new BlobCache<string>('test', 'code', 40_000).set(`text ${index}`, 'x'.repeat(4_000));
    await trimCache(join(cacheHome(), 'v1'), 40_000);
    const sizes = await Promise.all((await files(cacheHome())).map(async (file) => (await stat(file)).size));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(40_000);
    expect(await cache.get('text 29')).toBe('x'.repeat(4_000));
  });

  it('trims only its own directory: the Portage work beside it in the cache home stays, however old', async () => {
    const eclass = join(cacheHome(), 'portage', 'trees', 'portage-stable-0', 'eclass', 'multilib.eclass');
    await mkdir(dirname(eclass), { recursive: true });
    await writeFile(eclass, 'x'.repeat(100_000));
    await utimes(eclass, new Date(2000, 0, 1), new Date(2000, 0, 1));
    for (let index = 0; index < 30; index++) await new BlobCache<string>('test', 'code', 40_000).set(`text ${index}`, 'x'.repeat(4_000));
    expect((await stat(eclass)).size).toBe(100_000);
    const sizes = await Promise.all((await files(join(cacheHome(), 'v1'))).map(async (file) => (await stat(file)).size));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(40_000);
    expect(portageCacheDir()).toBe(join(cacheHome(), 'portage'));
  });

  it('does nothing with NANO_OVERLAY_CACHE=off', async () => {
    process.env.NANO_OVERLAY_CACHE = 'off';
    const cache = new BlobCache<number>('test', 'code');
    await cache.set('text', 1);
    expect(await cache.get('text')).toBeUndefined();
    expect(await files(cacheHome())).toEqual([]);
  });

  it('gives ebuild scans and reductions read back from disk equal to fresh ones', async () => {
    const ebuild = 'EAPI=8\nIUSE="+ssh test"\nRDEPEND="ssh? ( net-misc/openssh )"\nsrc_install() {\n\tif use ssh; then\n\t\tdoins a\n\tfi\n}\n';
    const fresh = await scanEbuild(ebuild);
    expect((await files(cacheHome())).some((file) => file.includes('ebuild-scan'))).toBe(true);
    const stored = await new BlobCache('ebuild-scan', 'unused').get(ebuild);
    expect(stored).toBeUndefined();
    const on = (flag: string) => flag === 'ssh';
    const lines = await reduceEbuildLines(ebuild, on);
    const onDisk = (await files(cacheHome())).filter((file) => file.includes('ebuild-reduction'));
    expect(onDisk).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(fresh))).toEqual(fresh);
    expect(lines.map((line) => line.text).join('\n')).toContain('doins a');
  });
});
