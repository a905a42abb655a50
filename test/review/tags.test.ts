import { describe, expect, it } from 'vitest';
import { createFilePatches } from '../../src/patch/index.js';
import { guardMap } from '../../src/review/guards.js';
import { tagBashHunk } from '../../src/review/tags.js';

/** The tags of every hunk between two versions of an ebuild. */
async function tags(before: string, after: string) {
  const [patch] = createFilePatches('x.ebuild', 'x.ebuild', { mode: '100644', data: Buffer.from(before) }, { mode: '100644', data: Buffer.from(after) });
  const guards = { before: await guardMap(before), after: await guardMap(after) };
  return patch!.hunks.map((hunk) => tagBashHunk(hunk, guards));
}

const EBUILD = 'EAPI=8\nIUSE="doc"\nRDEPEND="a/b"\n\nsrc_install() {\n\tdefault\n\tdoins x\n}\n';

describe('hunk tags', () => {
  it('counts an atom wrapped in a flag group on its own line as guarded', async () => {
    expect(await tags(EBUILD, EBUILD.replace('RDEPEND="a/b"', 'RDEPEND="f? ( a/b )"'))).toEqual([{ kind: 'guarded', flags: ['f'] }]);
    expect(await tags(EBUILD, EBUILD.replace('RDEPEND="a/b"', 'RDEPEND=""'))).toEqual([{ kind: 'unguarded' }]);
  });

  it('counts code wrapped in if use, added under if ! use, and IUSE additions as guarded', async () => {
    expect(await tags(EBUILD, EBUILD.replace('\tdoins x\n', '\tif use f; then\n\t\tdoins x\n\tfi\n'))).toEqual([{ kind: 'guarded', flags: ['f'] }]);
    expect(await tags(EBUILD, EBUILD.replace('\tdoins x\n', '\tdoins x\n\tuse f || rm y\n'))).toEqual([{ kind: 'guarded', flags: ['!f'] }]);
    expect(await tags(EBUILD, EBUILD.replace('IUSE="doc"', 'IUSE="doc +f"'))).toEqual([{ kind: 'guarded', flags: ['f'] }]);
    expect(await tags(EBUILD, EBUILD.replace('IUSE="doc"', 'IUSE="+f"'))).toEqual([{ kind: 'unguarded' }]);
    expect(await tags(EBUILD, EBUILD.replace('\tdoins x\n', '\tdoins y\n'))).toEqual([{ kind: 'unguarded' }]);
  });
});
