import type { ChangedFile, CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { judgeBoardConfig } from './board-config.js';
import { changedPaths } from './changes.js';
import { judgeFilesdir } from './filesdir.js';
import { judgeProfile } from './profiles.js';
import { judgeRepositoryFile } from './repository-files.js';
import { judgeScriptsFile } from './scripts.js';
import { judgeStockCode } from './stock-code.js';
import type { ChangedPath, Decision, FileVerdict } from './types.js';
import { judgeVersions } from './versions.js';

/** A rule: decides a changed path of its kind, or returns undefined for paths of other kinds. */
type Rule = (context: CheckContext, change: ChangedPath, file: ChangedFile | undefined) => Promise<Decision | undefined> | Decision | undefined;

/** The rules in the order they are asked; the first that decides wins. */
const RULES: readonly Rule[] = [judgeScriptsFile, judgeVersions, judgeStockCode, judgeFilesdir, judgeProfile, judgeRepositoryFile, judgeBoardConfig];

const computed = new WeakMap<CheckContext, Promise<FileVerdict[]>>();

/**
 * One verdict for every path the layers add, change, delete or re-mode (default deny: a path no
 * rule decides is `unproven`), computed once per validation. An `unproven` verdict carries a
 * `StockSafetyUnproven` finding, a `stock-changing` one the error that reports it.
 */
export function fileVerdicts(context: CheckContext): Promise<FileVerdict[]> {
  let verdicts = computed.get(context);
  if (!verdicts) computed.set(context, (verdicts = judgeAll(context)));
  return verdicts;
}

async function judgeAll(context: CheckContext): Promise<FileVerdict[]> {
  const files = new Map((await context.changedFiles()).map((file) => [file.path, file]));
  // Paths are judged at once: their rules wait mostly on reads and parses, which then overlap.
  const changes = await changedPaths(context);
  return Promise.all(
    changes.map((change) => judge(context, change, change.root === 'overlay' ? files.get(change.path) : undefined)),
  );
}

/** The verdict of the first rule that decides `change`, `unproven` when none does. */
async function judge(context: CheckContext, change: ChangedPath, file: ChangedFile | undefined): Promise<FileVerdict> {
  let decision: Decision | undefined;
  for (const rule of RULES) {
    decision = await rule(context, change, file);
    if (decision) break;
  }
  decision ??= { verdict: 'unproven', rule: 'none', reason: `no rule judges ${change.path}` };
  if (decision.verdict === 'unproven' && !decision.finding) {
    const message = `cannot prove that stock builds stay unchanged: ${decision.reason}`;
    const where = { layer: change.layers.at(-1) ?? null, path: change.path, line: file?.regions[0]?.line ?? null };
    decision = { ...decision, finding: finding('StockSafetyUnproven', 'warning', message, where) };
  }
  return { root: change.root, path: change.path, change: change.change, layers: change.layers, ...decision };
}

export type { FileVerdict, Verdict } from './types.js';
