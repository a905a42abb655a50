import { spawnSync } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseManifest } from '../../src/layers/manifest.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { makeTempDir, removeTempDirs } from '../helpers/git.js';

const cli = resolve('dist/src/cli.js');
const EXAMPLE_LAYERS = resolve('examples/layers');
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

afterAll(removeTempDirs);

/** YAML whose aliases expand to 9^10 strings. */
function aliasBomb(): string {
  let text = 'summary: &a ["x","x","x","x","x","x","x","x","x"]\n';
  let previous = 'a';
  for (let level = 0; level < 9; level++) {
    text += `l${level}: &l${level} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
    previous = `l${level}`;
  }
  return text;
}

describe('bad input gives one line and exit 2', () => {
  it('refuses a layer.yaml alias bomb as invalid YAML', () => {
    expect(() => parseManifest(aliasBomb(), 'patches/x/layer.yaml')).toThrow(InputError);
    expect(() => parseManifest(aliasBomb(), 'patches/x/layer.yaml')).toThrow(/^patches\/x\/layer\.yaml: invalid YAML: Excessive alias count/);
  });

  it('reports a layer.yaml alias bomb from apply in one line', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const layers = join(await makeTempDir(), 'layers');
    await cp(EXAMPLE_LAYERS, layers, { recursive: true, verbatimSymlinks: true });
    await writeFile(join(layers, 'patches/demo-lean-package/layer.yaml'), aliasBomb());
    const outcome = run(['apply', '--upstream', fixture.dir, '--layers', layers, '--dry-run']);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
    expect(outcome.stderr).toMatch(/invalid YAML.*layer\.yaml/);
  });

  it('refuses review --out into a missing directory', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const out = join(await makeTempDir(), 'missing', 'review.md');
    const outcome = run(['review', '--upstream', fixture.dir, '--layers', EXAMPLE_LAYERS, '--out', out]);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toBe(`nano-overlay: cannot write the review: no such directory (${out})\n`);
  });
});
