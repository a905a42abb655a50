import { posix } from 'node:path';
import type { EbuildPath } from '../portage/ebuild-path.js';
import { filesdirRefs } from '../portage/ebuild.js';
import type { ReadableTree } from '../tree/types.js';
import { addedLines, layerOfLine } from './blame.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';
import { loadingNames, versionOf } from './packages.js';
import { stockCodeKind } from './stock-use.js';

/**
 * `MissingFilesdirFile` (error): a patched or new ebuild references `${FILESDIR}/…` that is not in
 * its package's `files/` once the layers applied, for some name the ebuild is loaded as (revision
 * symlinks give the body other `${P}`/`${PF}` values). `${PN}`, `${P}`, `${PV}`, `${PR}`, `${PVR}`
 * and `${PF}` are expanded; references holding other expansions or globs are skipped. A reference
 * on a line no layer touched is reported only when the layers removed its file.
 */
export const missingFilesdirFileCheck: Check = {
  name: 'missing-filesdir-file',
  codes: ['MissingFilesdirFile'],
  async run(context) {
    const findings: Finding[] = [];
    for (const file of await context.changedFiles()) {
      if (stockCodeKind(file.path) !== 'ebuild' || file.after === undefined) continue;
      const names = await loadingNames(context.after, file.path);
      const added = addedLines(file);
      const filesDir = `${posix.dirname(file.path)}/files`;
      for (const ref of await filesdirRefs(file.after, file.path)) {
        const missingFor: string[] = [];
        for (const name of names) {
          const relative = expand(ref.path, name);
          if (relative === undefined) continue;
          const path = posix.join(filesDir, relative);
          if (await exists(context.after, path)) continue;
          if (added.has(ref.line) || (await exists(context.before, path))) missingFor.push(relative === ref.path ? relative : `${relative} (as ${name.cpv})`);
        }
        if (missingFor.length === 0) continue;
        findings.push(
          finding('MissingFilesdirFile', 'error', `\${FILESDIR}/${ref.path}: no ${[...new Set(missingFor)].join(', ')} in ${filesDir}/`, {
            layer: layerOfLine(context, file, ref.line),
            path: file.path,
            line: ref.line,
          }),
        );
      }
    }
    return findings;
  },
};

/** The path with the ebuild's name variables expanded, or undefined when it holds anything else to expand, or a glob. */
function expand(path: string, name: EbuildPath): string | undefined {
  const pvr = versionOf(name);
  const values: Record<string, string> = {
    PN: name.package,
    PV: name.version,
    PR: `r${name.revision}`,
    PVR: pvr,
    P: `${name.package}-${name.version}`,
    PF: `${name.package}-${pvr}`,
  };
  const expanded = path.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => values[braced ?? bare ?? ''] ?? whole);
  if (expanded === '' || /[$*?[\]{}]/.test(expanded)) return undefined;
  return expanded.replace(/\/+$/, '');
}

/** A file, or a directory holding files, at `path`. */
async function exists(tree: ReadableTree, path: string): Promise<boolean> {
  return (await tree.read(path)) !== undefined || (await tree.list(path)).length > 0;
}
