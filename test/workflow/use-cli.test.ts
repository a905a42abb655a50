import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { makeTempDir, removeTempDirs } from '../helpers/git.js';

const cli = resolve('dist/src/cli.js');
const EXAMPLE_LAYERS = resolve('examples/layers');
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

afterAll(removeTempDirs);

describe('nano-overlay use', () => {
  it('answers for a version: IUSE, effective USE with the deciding line, selection; after the layers when there is a layer set', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const upstream = run(['use', 'coreos-base/demo-init', '--upstream', fixture.dir, '--layers', await makeTempDir(), '--profile', 'coreos/amd64/generic', '--json']);
    expect(upstream.status).toBe(0);
    const plain = JSON.parse(upstream.stdout);
    expect(plain).toMatchObject({ profile: 'coreos/amd64/generic', tree: 'upstream', commit: fixture.head });
    const versions = plain.versions.map((version: { cpv: string; selected: boolean; visible: boolean }) => [version.cpv, version.visible, version.selected]);
    expect(versions).toEqual([
      ['coreos-base/demo-init-0.0.1-r12', true, true],
      ['coreos-base/demo-init-9999', false, false],
    ]);
    const released = plain.versions[0];
    expect(released.iuse).toEqual({ 'symlink-usr': true, selinux: false, test: false });
    expect(released.flags).toContainEqual({ flag: 'selinux', enabled: true, source: 'profiles/coreos/targets/generic/package.use.force:1', forced: true, masked: false });

    const patched = run(['use', 'coreos-base/demo-init', '--upstream', fixture.dir, '--layers', EXAMPLE_LAYERS, '--profile', 'coreos/amd64/lean']);
    expect(patched.status).toBe(0);
    expect(patched.stdout).toContain('after the layers');
    expect(patched.stdout).toContain('coreos-base/demo-init-0.0.1-r12::coreos-overlay slot 0: stable, selected');
    expect(patched.stdout).toContain('-agent  profiles/coreos/amd64/lean/package.use:2');

    expect(run(['use', '--upstream', fixture.dir, '--profile', 'coreos/amd64/generic']).status).toBe(2);
    expect(run(['use', 'not an atom', '--upstream', fixture.dir, '--profile', 'coreos/amd64/generic']).status).toBe(2);
  });
});
