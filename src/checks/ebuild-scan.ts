import type { SyntaxNode as Node } from '../portage/syntax.js';
import { childrenOf, lineOf, unquoted, withBashTree } from '../portage/ebuild.js';
import { parseDepend, type DependNode } from '../portage/depend.js';
import { BlobCache, codeFingerprint, derivationCode } from '../cache/blob-cache.js';

/**
 * What the checks read from an ebuild or eclass beyond its top-level structure: every IUSE and
 * dependency assignment and every `inherit`, wherever they sit (inside `if` blocks and eclass
 * include guards too, but not inside functions), with lines numbered from 1.
 */

/** One word of an IUSE assignment: a flag with its default, or an expansion the scan cannot resolve. */
export type IuseWord = { readonly flag: string; readonly enabled: boolean; readonly line: number } | { readonly unresolved: string; readonly line: number };

/** One item of a dependency variable (an atom, a `${VAR}` reference, …) and its line. */
export interface DependencyItem {
  readonly variable: string;
  readonly text: string;
  readonly line: number;
}

export interface EbuildScan {
  readonly iuse: readonly IuseWord[];
  readonly inherits: readonly string[];
  /** Items of every dependency variable, all conditional groups flattened; values that do not parse are left out. */
  readonly dependencies: readonly DependencyItem[];
  /** The SLOT value, without a subslot, when it is a literal. */
  readonly slot: string | undefined;
}

/** The variables whose items are package atoms. */
export const PACKAGE_DEPENDENCY_VARIABLES: ReadonlySet<string> = new Set(['DEPEND', 'RDEPEND', 'BDEPEND', 'PDEPEND', 'IDEPEND']);

const IUSE_WORD_RE = /^([+-]?)([A-Za-z0-9][A-Za-z0-9+_@-]*)$/;

function flattenWithLines(nodes: readonly DependNode[], variable: string, firstLine: number): DependencyItem[] {
  return nodes.flatMap((node) =>
    node.kind === 'item' ? [{ variable, text: node.text, line: firstLine + node.line - 1 }] : flattenWithLines(node.children, variable, firstLine),
  );
}

function visitOutsideFunctions(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const child of childrenOf(node)) if (child.type !== 'function_definition') visitOutsideFunctions(child, visit);
}

/** Scans already made, by text: the same ebuilds and eclasses are scanned for every check and, over a range, at every commit. */
const scans = new Map<string, Promise<EbuildScan>>();
const SCANS_KEPT = 512;

let persisted: BlobCache<EbuildScan> | undefined;

/** Scans an ebuild or eclass (tolerating bash the grammar cannot parse); kept in the blob cache across runs. */
export function scanEbuild(text: string, source?: string): Promise<EbuildScan> {
  let scan = scans.get(text);
  if (!scan) {
    persisted ??= new BlobCache<EbuildScan>('ebuild-scan', codeFingerprint(derivationCode(import.meta.url)));
    scan = persisted.through(text, '', () => scanText(text, source));
    scans.set(text, scan);
    if (scans.size > SCANS_KEPT) scans.delete(scans.keys().next().value!);
  }
  return scan;
}

function scanText(text: string, source: string | undefined): Promise<EbuildScan> {
  return withBashTree(
    text,
    source,
    (root) => {
      const iuse: IuseWord[] = [];
      const inherits: string[] = [];
      const dependencies: DependencyItem[] = [];
      let slot: string | undefined;
      visitOutsideFunctions(root, (node) => {
        if (node.type === 'command' && node.childForFieldName('name')?.text === 'inherit') {
          for (const arg of node.childrenForFieldName('argument')) if (arg) inherits.push(unquoted(arg));
          return;
        }
        if (node.type !== 'variable_assignment') return;
        const name = node.childForFieldName('name')?.text ?? '';
        const value = node.childForFieldName('value');
        const valueText = value ? unquoted(value) : '';
        const firstLine = value ? lineOf(value) : lineOf(node);
        if (name === 'IUSE') {
          valueText.split('\n').forEach((lineText, offset) => {
            for (const word of lineText.split(/\s+/).filter(Boolean)) {
              const match = IUSE_WORD_RE.exec(word);
              iuse.push(match ? { flag: match[2]!, enabled: match[1] === '+', line: firstLine + offset } : { unresolved: word, line: firstLine + offset });
            }
          });
        } else if (name === 'SLOT' && !valueText.split('/')[0]!.includes('$')) {
          slot = valueText.split('/')[0];
        } else if (PACKAGE_DEPENDENCY_VARIABLES.has(name)) {
          try {
            dependencies.push(...flattenWithLines(parseDepend(valueText), name, firstLine));
          } catch {
            // not a literal dependency string (built by a command substitution, say)
          }
        }
      });
      return { iuse, inherits, dependencies, slot };
    },
    true,
  );
}

/** IUSE words as a flag → default map, later declarations winning. */
export function iuseDefaults(words: readonly IuseWord[]): Map<string, boolean> {
  const flags = new Map<string, boolean>();
  for (const word of words) if ('flag' in word) flags.set(word.flag, word.enabled);
  return flags;
}
