import { atomKey, parseAtom, type Atom } from '../portage/atoms.js';
import { addedLines, layerOfLine } from './blame.js';
import type { ChangedFile, Check } from './context.js';
import { scanEbuild } from './ebuild-scan.js';
import { finding, type Finding } from './finding.js';
import { packagesAfter } from './packages.js';
import { ATOM_LINE_FILES, contentWords, lineAtom, profileFileName } from './profile-lines.js';
import { stockCodeKind } from './stock-use.js';

/**
 * `UnknownPackage` (error): a profile line or an ebuild dependency atom a layer added names a
 * package (virtuals included) that has no ebuild in the patched overlay nor in portage-stable.
 * Blockers and atoms holding expansions are not judged. Without portage-stable, packages missing
 * from the overlay cannot be judged and one `UnknownPackageUnchecked` (info) says so.
 */
export const unknownPackageCheck: Check = {
  name: 'unknown-package',
  codes: ['UnknownPackage', 'UnknownPackageUnchecked'],
  async run(context) {
    const packages = packagesAfter(context);
    const findings: Finding[] = [];
    const unchecked = new Set<string>();
    for (const file of await context.changedFiles()) {
      for (const { atom, line } of await addedAtoms(file)) {
        if (await packages.exists(atomKey(atom))) continue;
        if (!packages.portageStable) {
          unchecked.add(atomKey(atom));
          continue;
        }
        findings.push(
          finding('UnknownPackage', 'error', `${atomKey(atom)} exists in neither the overlay nor portage-stable`, {
            layer: layerOfLine(context, file, line),
            path: file.path,
            line,
          }),
        );
      }
    }
    if (unchecked.size) {
      findings.push(
        finding('UnknownPackageUnchecked', 'info', `no portage-stable in this upstream: ${[...unchecked].sort().join(', ')} not found in the overlay and not checked further`),
      );
    }
    return findings;
  },
};

/** Atoms on the lines a layer added: profile lines of atom-line files, and ebuild dependency items. */
async function addedAtoms(file: ChangedFile): Promise<{ atom: Atom; line: number }[]> {
  if (file.after === undefined) return [];
  const name = profileFileName(file.path);
  if (name && ATOM_LINE_FILES.has(name)) {
    return file.regions.flatMap((region) =>
      region.added.flatMap((text, offset) => {
        const atom = lineAtom(name, contentWords(text));
        return atom ? [{ atom, line: region.line + offset }] : [];
      }),
    );
  }
  if (stockCodeKind(file.path) !== 'ebuild') return [];
  const added = addedLines(file);
  const atoms: { atom: Atom; line: number }[] = [];
  for (const item of (await scanEbuild(file.after, file.path)).dependencies) {
    if (!added.has(item.line) || item.text.includes('$') || item.text.startsWith('!')) continue;
    try {
      atoms.push({ atom: parseAtom(item.text), line: item.line });
    } catch {
      // not an atom (a malformed item is for other tools to report)
    }
  }
  return atoms;
}
