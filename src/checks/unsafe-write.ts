import { findLayerWriteProblems } from '../layers/write-safety.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';

/**
 * Writes no writer would make: `WriteThroughLink` (error) for a file placed below a symbolic link
 * (one the upstream has or one a layer places), `PathClash` (error) for a file where a directory
 * with files stays, or below a file, naming both paths, and `UnwritablePath` (error) for a path
 * inside a `.git` directory or with a name that cannot be written. `apply` refuses the same sets
 * in every mode.
 */
export const unsafeWriteCheck: Check = {
  name: 'unsafe-write',
  codes: ['WriteThroughLink', 'PathClash', 'UnwritablePath'],
  async run(context) {
    const findings: Finding[] = [];
    for (const { layer, problem } of await findLayerWriteProblems(context.input.result)) {
      const code = problem.kind === 'through-link' ? 'WriteThroughLink' : problem.kind === 'git-directory' || problem.kind === 'bad-name' ? 'UnwritablePath' : 'PathClash';
      findings.push(finding(code, 'error', problem.message, { layer, path: problem.path }));
    }
    return findings;
  },
};
