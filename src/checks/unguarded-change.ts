import { compareReduced, reduceEbuildLines, type ReducedDifference } from '../portage/reduce.js';
import { implicitPhases as implicitPhasesOf } from '../portage/phases.js';
import { layerOfLine } from './blame.js';
import { packagesAfter } from './packages.js';
import type { Check, ChangedFile, CheckContext } from './context.js';
import { finding, type Finding } from './finding.js';
import { addedIuseFlags, hookedPackage, stockCodeKind, stockConfigurations, type StockConfiguration } from './stock-use.js';

/**
 * `UnguardedChange` (error): a layer's edit to an upstream ebuild, eclass or `coreos/config/env`
 * hook that changes what a stock build does. Both texts are reduced under every stock configuration
 * (see stock-use.ts), ignoring the flags the layers added to IUSE; the first place the reductions
 * differ is reported. The whole file counts: global scope (KEYWORDS, SLOT, SRC_URI, inherit, any
 * variable) and every phase, `pkg_*` included. Deleting an eclass or hook is unguarded too; a new
 * hook is judged against none (unless no repository has its package); new and deleted ebuilds are
 * judged by version selection.
 */
export const unguardedChangeCheck: Check = {
  name: 'unguarded-change',
  codes: ['UnguardedChange'],
  async run(context) {
    const findings: Finding[] = [];
    for (const file of await context.changedFiles()) {
      if (!stockCodeKind(file.path)) continue;
      const found = await stockCodeFinding(context, file);
      if (found) findings.push(found);
    }
    return findings;
  },
};

const judged = new WeakMap<CheckContext, Map<string, Promise<Finding | undefined>>>();

/**
 * The UnguardedChange finding for a changed ebuild, eclass or env hook, or undefined when stock
 * builds see no difference; judged once per validation. A new env hook is judged against no hook;
 * new and deleted ebuilds are left to version selection (see src/verdicts/versions.ts).
 */
export function stockCodeFinding(context: CheckContext, file: ChangedFile): Promise<Finding | undefined> {
  let byPath = judged.get(context);
  if (!byPath) judged.set(context, (byPath = new Map()));
  let found = byPath.get(file.path);
  if (!found) byPath.set(file.path, (found = judge(context, file)));
  return found;
}

async function judge(context: CheckContext, file: ChangedFile): Promise<Finding | undefined> {
  const report = (line: number | null, message: string) =>
    finding('UnguardedChange', 'error', message, { layer: layerOfLine(context, file, line), path: file.path, line });
  const kind = stockCodeKind(file.path);
  const before = file.before ?? (kind === 'env' ? '' : undefined);
  if (before === undefined || (kind === 'ebuild' && file.after === undefined)) return undefined;
  const hooked = kind === 'env' ? hookedPackage(file.path) : undefined;
  if (kind === 'env' && file.before === undefined && !(hooked && (await packagesAfter(context).exists(hooked)))) return undefined;
  if (file.after === undefined) return report(null, 'deletes a file stock builds use');
  const ignoreIuseFlags = [...(await addedIuseFlags(file)).keys()];
  const packages = packagesAfter(context);
  const implicitPhases = await implicitPhasesOf(file.after, (eclass) => packages.eclassText('overlay', eclass));
  for (const configuration of await stockConfigurations(context, file)) {
    let difference: ReducedDifference | undefined;
    try {
      difference = await compareReduced(before, file.after, configuration.isEnabled, {
        ignoreIuseFlags,
        implicitPhases,
        variables: configuration.variables,
        upstreamSource: file.path,
        patchedSource: file.path,
      });
    } catch (error) {
      return report(file.regions[0]?.line ?? null, `cannot be reduced, so it counts as changing stock builds: ${(error as Error).message}`);
    }
    if (difference) {
      const line = await hunkLine(file, difference.patchedLine, configuration, ignoreIuseFlags);
      return report(line, `changes what a stock build does (${configuration.description}): ${describe(difference)}`);
    }
  }
  return undefined;
}

/**
 * Where to report a difference first seen at the reduced line that starts on patched line `line`:
 * the first line a layer wrote within the statement that reduced line comes from (it may span
 * lines, as a dependency variable does), otherwise the start of the last changed region before it
 * (where the patched text dropped something), otherwise the line itself.
 */
async function hunkLine(file: ChangedFile, line: number | undefined, configuration: StockConfiguration, ignoreIuseFlags: string[]): Promise<number | null> {
  const regions = file.regions.filter((region) => region.added.length > 0 || region.removed.length > 0);
  if (line === undefined) return regions.at(-1)?.line ?? null;
  const { isEnabled, variables } = configuration;
  const reduced = await reduceEbuildLines(file.after ?? '', isEnabled, { ignoreIuseFlags, variables });
  const end = reduced.find((entry) => entry.line > line)?.line ?? Infinity;
  const within = regions.find((region) => region.added.length > 0 && region.line + region.added.length > line && region.line < end);
  if (within) return Math.max(within.line, line);
  return regions.filter((region) => region.line <= line).at(-1)?.line ?? line;
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
