import { compareReduced, type ReducedDifference } from '../portage/reduce.js';
import { layerOfLine } from './blame.js';
import type { Check, ChangedFile, CheckContext } from './context.js';
import { finding, type Finding } from './finding.js';
import { addedIuseFlags, stockCodeKind, stockConfigurations } from './stock-use.js';

/**
 * `UnguardedChange` (error): a layer's edit to an upstream ebuild, eclass or `coreos/config/env`
 * hook that changes what a stock build does. Both texts are reduced under every stock configuration
 * (see stock-use.ts), ignoring the flags the layers added to IUSE; the first place the reductions
 * differ is reported. Deleting such a file is unguarded too; new files are not judged here.
 */
export const unguardedChangeCheck: Check = {
  name: 'unguarded-change',
  codes: ['UnguardedChange'],
  async run(context) {
    const findings: Finding[] = [];
    for (const file of await context.changedFiles()) {
      if (!stockCodeKind(file.path)) continue;
      const found = await judge(context, file);
      if (found) findings.push(found);
    }
    return findings;
  },
};

async function judge(context: CheckContext, file: ChangedFile): Promise<Finding | undefined> {
  const report = (line: number | null, message: string) =>
    finding('UnguardedChange', 'error', message, { layer: layerOfLine(context, file, line), path: file.path, line });
  if (file.before === undefined) return undefined;
  if (file.after === undefined) return report(null, 'deletes a file stock builds use');
  const before = file.before;
  const ignoreIuseFlags = [...(await addedIuseFlags(file)).keys()];
  for (const configuration of await stockConfigurations(context, file)) {
    let difference: ReducedDifference | undefined;
    try {
      difference = await compareReduced(before, file.after, configuration.isEnabled, { ignoreIuseFlags, upstreamSource: file.path, patchedSource: file.path });
    } catch (error) {
      return report(file.regions[0]?.line ?? null, `cannot be reduced, so it counts as changing stock builds: ${(error as Error).message}`);
    }
    if (difference) {
      const line = difference.patchedLine ?? file.regions.at(-1)?.line ?? null;
      return report(line, `changes what a stock build does (${configuration.description}): ${describe(difference)}`);
    }
  }
  return undefined;
}

const SNIPPET_LENGTH = 72;

function snippet(text: string): string {
  const first = text.split('\n')[0] ?? '';
  return JSON.stringify(first.length > SNIPPET_LENGTH ? `${first.slice(0, SNIPPET_LENGTH - 1)}…` : first);
}

/** "adds …", "drops …" or "… becomes …", judged from the few reduced lines each side shows. */
function describe(difference: ReducedDifference): string {
  const upstream = difference.upstream.split('\n');
  const patched = difference.patched.split('\n');
  if (!difference.upstream || (upstream[0] !== undefined && upstream[0] === patched[1])) return `adds ${snippet(difference.patched)}`;
  if (!difference.patched || (patched[0] !== undefined && patched[0] === upstream[1])) return `drops ${snippet(difference.upstream)}`;
  return `${snippet(difference.upstream)} becomes ${snippet(difference.patched)}`;
}
