import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobCache, blobId, writeAllPending } from '../../src/cache/blob-cache.js';
import { scanEbuild } from '../../src/checks/ebuild-scan.js';
import { portageCacheDir } from '../../src/portage/portage-trees.js';
import { reduceEbuildLines } from '../../src/portage/reduce.js';
import { freshCacheHomes } from '../helpers/cache-home.js';
import { gitWithInput, makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

const cacheHome = freshCacheHomes();
/** The built module, for reads by another process (the test command builds first). */
const BUILT = new URL('../../dist/src/cache/blob-cache.js', import.meta.url).href;

/** Runs `code` (an ES module body that has BlobCache) in another process on the same cache home; its standard output. */
function inAnotherProcess(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', `import { BlobCache } from ${JSON.stringify(BUILT)};\n${code}`], {
    env: { ...process.env, NANO_OVERLAY_CACHE: cacheHome() },
    encoding: 'utf8',
  }).trim();
}

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
    writeAllPending();
    expect(await files(cacheHome())).toEqual([join(cacheHome(), 'v2', 'test.log')]);
    expect((await readFile(join(cacheHome(), 'v2', 'test.log'), 'utf8')).split('\n')).toHaveLength(5);
  });

  it('never shows a partial entry to concurrent readers and writers', async () => {
    const cache = new BlobCache<string[]>('test', 'code');
    const value = Array.from({ length: 20_000 }, (_, index) => `line ${index}`);
    await cache.set('text', value);
    const reads = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 ? cache.set('text', value).then(() => cache.get('text')) : cache.get('text'))));
    for (const read of reads) expect(read).toEqual(value);
    expect((await files(cacheHome())).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });

  it('reads back only whole entries: a line a killed run cut short misses, the rest still hit', async () => {
    const log = join(cacheHome(), 'v2', 'test.log');
    await new BlobCache<number[]>('test', 'code').set('a', [1, 2]);
    await new BlobCache<number>('test', 'code').set('b', 12345);
    const text = await readFile(log, 'utf8');
    // Cut where what is left of the value still parses: 123.
    await writeFile(log, text.slice(0, -3));
    // Another process reads the log afresh.
    const read = (name: string) => inAnotherProcess(`console.log(JSON.stringify(await new BlobCache('test', 'code').get(${JSON.stringify(name)}) ?? null))`);
    expect(read('a')).toBe('[1,2]');
    expect(read('b')).toBe('null');
    await writeFile(log, text);
    expect(read('b')).toBe('12345');
  });

  it('sees what another run appended since it read the log, and what it rewrote', async () => {
    const cache = new BlobCache<number>('test', 'code');
    await cache.set('mine', 1);
    expect(await cache.get('theirs')).toBeUndefined();
    inAnotherProcess(`await new BlobCache('test', 'code').set('theirs', 2)`);
    expect(await cache.get('theirs')).toBe(2);
    expect(await cache.get('mine')).toBe(1);
    // A rewritten log (a trim) is a new file, read anew.
    inAnotherProcess(`const small = new BlobCache('test', 'code', 200); for (let n = 0; n < 8; n++) await small.set('t' + n, 'x'.repeat(30))`);
    expect(await cache.get('mine')).toBeUndefined();
    expect(await cache.get('t7')).toBe('x'.repeat(30));
  });

  it('writes entries stored for later when the process exits, and after a short delay while it runs', async () => {
    const cache = new BlobCache<number>('test', 'code');
    inAnotherProcess(`new BlobCache('test', 'code').store('at exit', 1)`);
    expect(await cache.get('at exit')).toBe(1);
    new BlobCache<number>('test', 'code').store('soon', 2);
    expect(inAnotherProcess(`console.log(await new BlobCache('test', 'code').get('soon') ?? null)`)).toBe('null');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(inAnotherProcess(`console.log(await new BlobCache('test', 'code').get('soon') ?? null)`)).toBe('2');
  });

  it('stays within its size bound, dropping the oldest entries', async () => {
    const cache = new BlobCache<string>('test', 'code', 40_000);
    for (let index = 0; index < 30; index++) await new BlobCache<string>('test', 'code', 40_000).set(`text ${index}`, 'x'.repeat(4_000));
    expect(await cache.get('text 0')).toBeUndefined();
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
    const sizes = await Promise.all((await files(join(cacheHome(), 'v2'))).map(async (file) => (await stat(file)).size));
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

  it('removes the directory of the former file-per-entry layout when it first writes', async () => {
    const former = join(cacheHome(), 'v1', 'ebuild-scan', 'ab', 'cdef.json');
    await mkdir(dirname(former), { recursive: true });
    await writeFile(former, '{}');
    await new BlobCache<number>('test', 'code').set('text', 1);
    expect(await files(cacheHome())).toEqual([join(cacheHome(), 'v2', 'test.log')]);
  });

  it('gives ebuild scans and reductions read back from disk equal to fresh ones', async () => {
    const ebuild = 'EAPI=8\nIUSE="+ssh test"\nRDEPEND="ssh? ( net-misc/openssh )"\nsrc_install() {\n\tif use ssh; then\n\t\tdoins a\n\tfi\n}\n';
    const fresh = await scanEbuild(ebuild);
    writeAllPending();
    expect((await files(cacheHome())).some((file) => file.includes('ebuild-scan'))).toBe(true);
    const stored = await new BlobCache('ebuild-scan', 'unused').get(ebuild);
    expect(stored).toBeUndefined();
    const on = (flag: string) => flag === 'ssh';
    const lines = await reduceEbuildLines(ebuild, on);
    writeAllPending();
    const onDisk = (await files(cacheHome())).filter((file) => file.includes('ebuild-reduction'));
    expect(onDisk).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(fresh))).toEqual(fresh);
    expect(lines.map((line) => line.text).join('\n')).toContain('doins a');
  });
});
