import type { Check } from './context.js';
import { finding } from './finding.js';

/**
 * `MissingBase` (warning): a layer whose manifest records no `base`, the upstream commit its patches
 * were written against. Without it `rebase` cannot tell the layer's old side from the new upstream;
 * `new`, `import`, `rebase`, `refresh` and `conditionalize` write it.
 */
export const missingBaseCheck: Check = {
  name: 'missing-base',
  codes: ['MissingBase'],
  async run(context) {
    return context.input.set.layers
      .filter((layer) => layer.manifest.base === undefined)
      .map((layer) =>
        finding('MissingBase', 'warning', `${layer.manifestFile} records no 'base': add the upstream commit its patches were made against`, { layer: layer.name }),
      );
  },
};
