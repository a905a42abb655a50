import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { materializeExample } from '../../src/upstream/example.js';
import { loadLayersFrom } from '../../src/workflow/layer-set.js';
import { validateLayers } from '../../src/workflow/validate.js';
import { makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

describe('the bundled example layer set', () => {
  it('validates against the example upstream without errors or warnings', async () => {
    const upstream = await materializeExample(join(await makeTempDir(), 'upstream'), 'scripts');
    const report = await validateLayers({ layersDir: 'examples/layers', upstream: upstream.dir });
    expect(report.findings.filter((entry) => entry.level === 'error' || entry.level === 'warning')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('records the example upstream commit as every layer\'s base, so that rebase can start from it', async () => {
    const upstream = await materializeExample(join(await makeTempDir(), 'upstream'), 'scripts');
    const { set } = await loadLayersFrom('examples/layers');
    for (const layer of set.layers) expect(layer.manifest.base, `${layer.manifestFile} (examples/upstream changed?)`).toBe(upstream.commit);
  });

  it('reports a typo in a block helper of a template as a TemplateError naming the file, line and path', async () => {
    const upstream = await materializeExample(join(await makeTempDir(), 'upstream'), 'scripts');
    const layers = join(await makeTempDir(), 'layers');
    await cp('examples/layers', layers, { recursive: true });
    const template = 'overlay/demo-lean-package/coreos-base/demo-lean/demo-lean-0.0.1.ebuild.hbs';
    const text = await readFile(join(layers, template), 'utf8');
    const line = text.split('\n').findIndex((entry) => entry.includes('{{#each package_set.drop}}')) + 1;
    expect(line).toBeGreaterThan(0);
    await writeFile(join(layers, template), text.replace('{{#each package_set.drop}}', '{{#each package_set.drp}}'));
    const report = await validateLayers({ layersDir: layers, upstream: upstream.dir });
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'TemplateError', level: 'error', path: template, line, message: `template variable 'package_set.drp' is not defined` }),
    ]);
  });
});
