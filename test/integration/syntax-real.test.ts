import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ObjectReader } from '../../src/git/objects.js';
import { GitTree } from '../../src/git/tree.js';
import { describedBothWays } from '../helpers/syntax.js';

/**
 * Plain syntax trees against tree-sitter's own nodes on every eclass of a real flatcar/scripts
 * (FLATCAR_SCRIPTS) main and its build scripts: the real inputs hold the grammar's corners
 * (inherited fields, error recovery) that small fixtures miss.
 */
const scripts = process.env['FLATCAR_SCRIPTS'];

describe.skipIf(!scripts || !existsSync(scripts))('plain syntax trees on flatcar/scripts', () => {
  it('answer as tree-sitter does for every eclass and build script', async () => {
    const reader = new ObjectReader(scripts!);
    try {
      const tree = await GitTree.open(reader, 'main');
      const paths = (await tree.list()).filter((path) => /\.eclass$|^build_library\/.*\.sh$|^setup_board$|^build_image$/.test(path));
      expect(paths.length).toBeGreaterThan(100);
      for (const path of paths) {
        const [expected, actual] = await describedBothWays((await tree.read(path))!.data.toString('utf8'));
        expect(actual, path).toEqual(expected);
      }
    } finally {
      await reader.close();
    }
  }, 120_000);
});
