import { posix } from 'node:path';
import { layerOfLine } from '../checks/blame.js';
import { changedRegions, type CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { meaningfulContent } from '../checks/profile-lines.js';
import { stockProfiles } from '../checks/profiles.js';
import { addedIuseFlags } from '../checks/stock-use.js';
import { Packages } from '../checks/packages.js';
import { parseEbuildPath } from '../portage/ebuild-path.js';
import { compareReduced, type FlagState } from '../portage/reduce.js';
import { subtree } from '../tree/subtree.js';
import type { ReadableTree } from '../tree/types.js';
import { selectionChange } from './versions.js';
import { SCRIPTS_OVERLAY_PREFIX, SCRIPTS_PORTAGE_STABLE_PREFIX } from '../upstream/locate.js';
import { textOf, type ChangedPath, type Decision } from './types.js';

/** The boards stock Flatcar is built for; neither name holds `_`, so neither has a variant. */
export const STOCK_BOARDS = ['amd64-usr', 'arm64-usr'] as const;

/**
 * The values a stock build gives the variables the scripts keep a board in: the board itself (no
 * variant: `BOARD_VARIANT` is the board, `VARIANT` and `FLAGS_variant` are empty).
 */
export function stockBoardVariables(board: string): Map<string, string> {
  return new Map([
    ...['BOARD', 'FLAGS_board', 'board', 'BOARD_VARIANT', 'DEFAULT_BOARD'].map((name) => [name, board] as [string, string]),
    ['VARIANT', ''],
    ['FLAGS_variant', ''],
  ]);
}

const NO_FLAGS: FlagState = () => undefined;

/**
 * Files of the flatcar/scripts repository root that a `root: scripts` layer changes. Bash files
 * (`*.sh`, a `sh`/`bash` shebang: setup_board, build_image, build_library/…) are parsed and reduced
 * under each stock board (see stockBoardVariables): tests of `VARIANT` or `BOARD` are decided,
 * `${BOARD%%_*}` is the board itself. A difference is `stock-changing` (`ScriptsChangeStock`) at
 * its line; none is `guarded` ("scripts: Nano variant only") when the code changed, `neutral` when
 * only comments or blanks did. A deleted or re-moded script is `stock-changing`; a new one
 * `unproven` (nothing shows that no stock build runs it). Documentation and CI files are `neutral`.
 * Files of the overlay or portage-stable inside the repository: ebuilds and eclasses by the
 * reduction (flags the change adds to IUSE at their default, any other flag unknown, so code under
 * an existing flag counts), new and deleted ebuilds by version selection, profile files by whether a stock profile's chain reads their directory,
 * anything else is `unproven`.
 */
export async function judgeScriptsFile(context: CheckContext, change: ChangedPath): Promise<Decision | undefined> {
  if (change.root !== 'scripts') return undefined;
  const rule = 'scripts-reduction';
  const before = textOf(change.before);
  const after = textOf(change.after);
  const regions = changedRegions(before ?? '', after ?? '');
  const error = (line: number | null, message: string): Decision => ({
    verdict: 'stock-changing',
    rule,
    reason: message,
    finding: finding('ScriptsChangeStock', 'error', message, {
      layer: layerOfLine(context, { path: change.path, layers: change.layers, before }, line, 'scripts'),
      path: change.path,
      line,
    }),
  });
  if (/(^|\/)(README[^/]*|[^/]+\.md|LICENSE|CHANGELOG[^/]*)$/.test(change.path) || /^(\.github|changelog)\//.test(change.path)) {
    return { verdict: 'neutral', rule, reason: 'documentation or CI; no build reads it' };
  }
  const inRepository = [SCRIPTS_OVERLAY_PREFIX, SCRIPTS_PORTAGE_STABLE_PREFIX].find((prefix) => change.path.startsWith(`${prefix}/`));
  if (inRepository && change.path.startsWith(`${inRepository}/profiles/`)) {
    const inner = change.path.slice(inRepository.length + 1);
    const profiles = await stockProfiles(context, 'before');
    const stockRead = profiles.some(({ profile }) => {
      const overlay = profile.chain.at(-1)?.repo;
      return profile.chain.some((node) => (node.repo === overlay) === (inRepository === SCRIPTS_OVERLAY_PREFIX) && node.dir === posix.dirname(inner));
    });
    if (!stockRead) return { verdict: 'neutral', rule, reason: 'a profile directory no stock profile reads' };
    if (meaningfulContent(before ?? '') === meaningfulContent(after ?? '')) return { verdict: 'neutral', rule, reason: 'comments and blanks only' };
    return error(regions[0]?.line ?? null, `changes ${inner}, a file of a stock profile directory`);
  }
  const isCode = /\.(ebuild|eclass)$/.test(change.path) || (!inRepository && isBash(change.path, before ?? after ?? ''));
  if (!isCode) return { verdict: 'unproven', rule, reason: `no rule for ${change.path}${inRepository ? ' changed by a scripts layer' : ''}` };
  if (change.change === 're-moded') return error(null, `changes the file mode to ${change.after!.mode}`);
  const ebuild = inRepository && parseEbuildPath(change.path);
  if (ebuild && (before === undefined || after === undefined)) {
    const selection = await repositorySelection(context, inRepository, `${ebuild.category}/${ebuild.package}`);
    return selection.verdict === 'stock-changing' ? error(null, selection.reason) : { ...selection, rule: 'version-selection' };
  }
  if (change.change === 'deleted') return error(null, 'deletes a file stock builds use');
  if (before === undefined) {
    return inRepository
      ? { verdict: 'unproven', rule, reason: 'new eclass added by a scripts layer' }
      : { verdict: 'unproven', rule, reason: 'new script: nothing shows that no stock build runs it' };
  }
  const boards = inRepository ? [undefined] : STOCK_BOARDS;
  // Inside a repository, flags the change adds to IUSE take their default; every other flag is unknown.
  const added = inRepository ? await addedIuseFlags({ path: change.path, layers: change.layers, before, after, regions }) : new Map<string, boolean>();
  const isEnabled: FlagState = (flag) => added.get(flag);
  for (const board of boards) {
    const variables = board ? stockBoardVariables(board) : new Map<string, string>();
    const options = { variables, ignoreIuseFlags: [...added.keys()], upstreamSource: change.path, patchedSource: change.path };
    const difference = await compareReduced(before, after!, inRepository ? isEnabled : NO_FLAGS, options);
    if (!difference) continue;
    const line = regionLine(regions, difference.patchedLine);
    const first = (difference.patched || difference.upstream).split('\n')[0] ?? '';
    return error(line, `changes what a stock build${board ? ` of ${board}` : ''} runs: ${JSON.stringify(first.slice(0, 72))}`);
  }
  const loose = await compareReduced(before, after!, NO_FLAGS);
  if (!loose) return { verdict: 'neutral', rule, reason: 'comments and blanks only' };
  return { verdict: 'guarded', rule, reason: inRepository ? `guarded: ${[...added.keys()].join(', ')}` : 'scripts: Nano variant only' };
}

/** Version selection of `cp` with the repository trees as the scripts layers leave them (see versions.ts). */
async function repositorySelection(context: CheckContext, prefix: string, cp: string) {
  const scripts = context.input.result.scripts!;
  const view = (tree: ReadableTree, own: ReadableTree, other: ReadableTree | undefined) =>
    prefix === SCRIPTS_OVERLAY_PREFIX ? new Packages(subtree(tree, prefix), other) : new Packages(own, subtree(tree, prefix));
  const portageStable = context.input.upstream.portageStable;
  const before = view(scripts.base, context.before, portageStable);
  const after = view(scripts, context.after, portageStable);
  if (!(await before.exists(cp))) return { verdict: 'neutral' as const, reason: 'new package nothing stock builds' };
  return selectionChange(context, cp, before, after);
}

/** True for a shell script: `*.sh` or a `sh`/`bash` shebang. */
function isBash(path: string, text: string): boolean {
  return posix.extname(path) === '.sh' || /^#!\s*\S*\b(ba)?sh\b/.test(text) || /^#!\s*\/usr\/bin\/env\s+(ba)?sh\b/.test(text);
}

/** The line to report a difference first seen at patched line `line`: the changed region holding it, else the last one before it. */
function regionLine(regions: ReturnType<typeof changedRegions>, line: number | undefined): number | null {
  if (line === undefined) return regions.at(-1)?.line ?? null;
  const within = regions.find((region) => region.added.length > 0 && region.line <= line && line < region.line + region.added.length);
  if (within) return line;
  return regions.filter((region) => region.line <= line).at(-1)?.line ?? line;
}
