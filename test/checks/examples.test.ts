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
});
