import { spawnSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { makeTempDir, removeTempDirs } from '../helpers/git.js';

const cli = resolve('dist/src/cli.js');
const EXAMPLE_LAYERS = resolve('examples/layers');
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

afterAll(removeTempDirs);

describe('nano-overlay validate', () => {
  it('exits 0 on a clean layer set, 1 with an error finding, 2 for bad input', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const clean = run(['validate', '--upstream', fixture.dir, '--layers', EXAMPLE_LAYERS, '--json']);
    expect(clean.status).toBe(0);
    const report = JSON.parse(clean.stdout);
    expect(report).toMatchObject({ ok: true, upstream: { ref: 'HEAD', commit: fixture.head } });
    expect(report.layers.map((layer: { name: string; status: string }) => [layer.name, layer.status])).toEqual([
      ['demo-lean-package', 'applied'],
      ['demo-init-agent-optional', 'applied'],
      ['demo-files-motd-optional', 'applied'],
      ['demo-lean-profile', 'applied'],
    ]);

    const layers = join(await makeTempDir(), 'layers');
    await cp(EXAMPLE_LAYERS, layers, { recursive: true, verbatimSymlinks: true });
    await writeFile(join(layers, 'patches/demo-files-motd-optional/layer.yaml'), 'summary: "a: b"\ndescription: c\nflags:\n  - name: motd\n    default: on\n    packages: [app-misc/demo-files]\n');
    await writeFile(join(layers, 'patches/demo-files-motd-optional/0001-motd-optional.patch'), (await readFile(join(EXAMPLE_LAYERS, 'patches/demo-files-motd-optional/0001-motd-optional.patch'), 'utf8')).replace('IUSE="containers +motd"', 'IUSE="containers motd"'));
    const unsafe = run(['validate', '--upstream', fixture.dir, '--layers', layers]);
    expect(unsafe.status).toBe(1);
    expect(unsafe.stdout).toMatch(/error FlagDefaultChangesStock: app-misc\/demo-files\/demo-files-0-r3\.ebuild:13: /);
    expect(unsafe.stdout.trim().split('\n').at(-1)).toMatch(/^validate: 4 layers \(4 applied\); [1-9]\d* errors?, /);

    for (const args of [
      ['validate', '--upstream', fixture.dir, '--layers', await makeTempDir()],
      ['validate', '--upstream', fixture.dir, '--layers', EXAMPLE_LAYERS, '--ref', 'nope'],
      ['validate', '--upstream', fixture.dir, '--layers', EXAMPLE_LAYERS, '--format', 'xml'],
    ]) {
      const bad = run(args);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
