import { describe, expect, it } from 'vitest';
import { validateTestSet } from './helpers.js';

describe('MissingBase', () => {
  it('warns for a layer whose manifest records no base, and only for it', async () => {
    const report = await validateTestSet({
      layers: [
        { name: 'no-base', add: { 'app-misc/x/metadata.xml': '<pkgmetadata/>\n' } },
        { name: 'with-base', base: 'HEAD', add: { 'app-misc/y/metadata.xml': '<pkgmetadata/>\n' } },
      ],
    });
    expect(report.findings.filter((entry) => entry.code === 'MissingBase')).toEqual([
      expect.objectContaining({ level: 'warning', layer: 'no-base', message: expect.stringContaining("patches/no-base/layer.yaml records no 'base'") }),
    ]);
  });
});
