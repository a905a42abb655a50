import { InputError, locate } from '../errors.js';
import { parseFlat } from './bash-parser.js';
import { parseDepend, type DependNode } from './depend.js';
import { treeFromFlat, type SyntaxNode } from './syntax.js';

/**
 * Ebuilds read as bash with tree-sitter: top-level assignments, inherits, phase functions, the USE
 * flags the ebuild tests and the FILESDIR files it references. Lines are numbered from 1.
 */

/** Variables whose values are dependency specifications (`flag? ( … )` groups and all). */
export const DEPEND_VARIABLES: ReadonlySet<string> = new Set([
  'DEPEND',
  'RDEPEND',
  'BDEPEND',
  'PDEPEND',
  'IDEPEND',
  'REQUIRED_USE',
  'LICENSE',
  'SRC_URI',
  'RESTRICT',
  'PROPERTIES',
]);

/**
 * How much source text the cached trees may hold (in characters; a tree takes some hundred bytes a
 * character): the same ebuild and eclass texts are read by several checks and, across a range of
 * commits, again and again.
 */
const TREE_CACHE_TEXT = 2_000_000;
const treeCache = new Map<string, Promise<SyntaxNode>>();
let cachedText = 0;

/**
 * The plain syntax tree of `text` (see syntax.ts), from the cache when the same text was parsed
 * (or is being parsed) recently; `source` names the text in errors.
 */
export function parseBash(text: string, source?: string): Promise<SyntaxNode> {
  const cached = treeCache.get(text);
  if (cached) {
    treeCache.delete(text);
    treeCache.set(text, cached);
    return cached;
  }
  const root = parseFlat(text).then((parse) => {
    if (!parse) throw new InputError('bash parser returned no tree', source);
    return treeFromFlat(parse.flat, text, parse.names);
  });
  treeCache.set(text, root);
  cachedText += text.length;
  root.catch(() => {
    if (treeCache.get(text) !== root) return;
    treeCache.delete(text);
    cachedText -= text.length;
  });
  for (const oldest of treeCache.keys()) {
    if (cachedText <= TREE_CACHE_TEXT || oldest === text) break;
    treeCache.delete(oldest);
    cachedText -= oldest.length;
  }
  return root;
}

/**
 * Parses `text` as bash and passes the root node to `use`. Throws an InputError at the first syntax
 * error, naming `source`, unless `tolerant` is set: then the tree may hold `ERROR` nodes
 * (tree-sitter-bash rejects some valid bash, such as extglobs inside `[[ ]]`). Trees are cached by
 * text and shared: `use` must not change them.
 */
export async function withBashTree<T>(text: string, source: string | undefined, use: (root: SyntaxNode) => T, tolerant = false): Promise<T> {
  const root = await parseBash(text, source);
  if (!tolerant && root.hasError) {
    const error = firstError(root);
    throw new InputError('not valid bash', locate(source ?? 'ebuild', (error?.startPosition.row ?? 0) + 1));
  }
  return use(root);
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (const child of node.children) {
    const found = child.hasError ? firstError(child) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The node's children, named and anonymous. */
export function childrenOf(node: SyntaxNode): readonly SyntaxNode[] {
  return node.children;
}

/** 1-based line of a node's start. */
export function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/** The text a word, string (`"…"`), raw string (`'…'`) or array (`( … )`) holds, without its quotes or parentheses. */
export function unquoted(node: SyntaxNode): string {
  const text = node.text;
  if (node.type === 'string' || node.type === 'raw_string' || node.type === 'array') return text.slice(1, -1);
  return text;
}

export interface EbuildAssignment {
  readonly name: string;
  readonly operator: '=' | '+=';
  /** The value without its quotes (or an array's parentheses); expansions are kept as written. */
  readonly value: string;
  readonly isArray: boolean;
  readonly line: number;
  readonly endLine: number;
}

export interface EbuildFunction {
  readonly name: string;
  readonly line: number;
  readonly endLine: number;
}

export interface EbuildInherit {
  readonly eclasses: readonly string[];
  readonly line: number;
}

export interface EbuildModel {
  readonly eapi: string | undefined;
  /** Assignments at the top level of the file (not inside functions or conditionals), in order. */
  readonly assignments: readonly EbuildAssignment[];
  readonly inherits: readonly EbuildInherit[];
  readonly functions: readonly EbuildFunction[];
}

function assignmentOf(node: SyntaxNode): EbuildAssignment | undefined {
  const name = node.childForFieldName('name');
  const value = node.childForFieldName('value');
  const operator = childrenOf(node).find((child) => child.type === '=' || child.type === '+=');
  if (!name || !operator) return undefined;
  return {
    name: name.text,
    operator: operator.type as '=' | '+=',
    value: value ? unquoted(value) : '',
    isArray: value?.type === 'array',
    line: lineOf(node),
    endLine: node.endPosition.row + 1,
  };
}

/** Parses an ebuild's top-level structure. Throws an InputError naming `source` when it is not valid bash. */
export function parseEbuild(text: string, source?: string): Promise<EbuildModel> {
  return withBashTree(text, source, (root) => {
    const assignments: EbuildAssignment[] = [];
    const inherits: EbuildInherit[] = [];
    const functions: EbuildFunction[] = [];
    for (const node of childrenOf(root)) {
      if (node.type === 'variable_assignment') {
        const assignment = assignmentOf(node);
        if (assignment) assignments.push(assignment);
      } else if (node.type === 'command' && node.childForFieldName('name')?.text === 'inherit') {
        const eclasses = node.childrenForFieldName('argument').flatMap((arg) => (arg ? [unquoted(arg)] : []));
        inherits.push({ eclasses, line: lineOf(node) });
      } else if (node.type === 'function_definition') {
        const name = node.childForFieldName('name')?.text;
        if (name) functions.push({ name, line: lineOf(node), endLine: node.endPosition.row + 1 });
      }
    }
    const eapi = assignments.filter((a) => a.name === 'EAPI').at(-1)?.value;
    return { eapi, assignments, inherits, functions };
  });
}

/** How an ebuild tests a flag. */
export type FlagUseKind = 'use' | 'usex' | 'usev' | 'use_enable' | 'use_with' | 'in_iuse' | 'conditional' | 'required_use';

export interface FlagUse {
  readonly flag: string;
  readonly kind: FlagUseKind;
  readonly line: number;
}

const FLAG_COMMANDS: ReadonlySet<string> = new Set(['use', 'usex', 'usev', 'use_enable', 'use_with', 'in_iuse']);

function walk(node: SyntaxNode, visit: (node: SyntaxNode) => void): void {
  visit(node);
  for (const child of childrenOf(node)) walk(child, visit);
}

function dependFlagUses(nodes: readonly DependNode[], firstLine: number, requiredUse: boolean): FlagUse[] {
  return nodes.flatMap((node): FlagUse[] => {
    const line = firstLine + node.line - 1;
    if (node.kind === 'item') return requiredUse ? [{ flag: node.text.replace(/^!/, ''), kind: 'required_use', line }] : [];
    const own: FlagUse[] = node.kind === 'use' ? [{ flag: node.flag, kind: 'conditional', line }] : [];
    return [...own, ...dependFlagUses(node.children, firstLine, requiredUse)];
  });
}

/**
 * Every place the ebuild tests a USE flag (parts tree-sitter-bash cannot parse are searched as far
 * as it got): `use`, `usex`, `usev`, `use_enable`, `use_with` and
 * `in_iuse` commands, `flag? (` groups in dependency variables and the flags REQUIRED_USE names.
 */
export function usedFlags(text: string, source?: string): Promise<FlagUse[]> {
  return withBashTree(text, source, (root) => {
    const uses: FlagUse[] = [];
    walk(root, (node) => {
      if (node.type === 'command') {
        const command = node.childForFieldName('name')?.text ?? '';
        const first = node.childrenForFieldName('argument')[0];
        if (FLAG_COMMANDS.has(command) && first) {
          uses.push({ flag: unquoted(first).replace(/^!/, ''), kind: command as FlagUseKind, line: lineOf(first) });
        }
      } else if (node.type === 'variable_assignment') {
        const assignment = assignmentOf(node);
        const value = node.childForFieldName('value');
        if (!assignment || !value || !DEPEND_VARIABLES.has(assignment.name)) return;
        let tree: DependNode[];
        try {
          tree = parseDepend(assignment.value);
        } catch {
          return; // not a literal dependency string (e.g. built by a command substitution)
        }
        uses.push(...dependFlagUses(tree, lineOf(value), assignment.name === 'REQUIRED_USE'));
      }
    });
    return uses.sort((a, b) => a.line - b.line);
  }, true);
}

export interface FilesdirRef {
  /** The path below FILESDIR as written (may hold expansions such as `${PN}`). */
  readonly path: string;
  readonly line: number;
}

const FILESDIR_RE = /\$(?:\{FILESDIR\}|FILESDIR\b)/g;

/**
 * The rest of the shell word that `${FILESDIR}` at `index` of `text` starts, quotes removed:
 * `"${FILESDIR}/${PN}"-1.31.patch` gives `/${PN}-1.31.patch`. A word ends at a blank or shell
 * operator outside quotes; whether `index` is inside double quotes is told by the quotes before it
 * on its line.
 */
export function filesdirWordAt(text: string, index: number): string {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let quote: string | undefined = (text.slice(lineStart, index).match(/(?<!\\)"/g)?.length ?? 0) % 2 ? '"' : undefined;
  const start = text.indexOf('}', index) === index + '${FILESDIR'.length ? index + '${FILESDIR}'.length : index + '$FILESDIR'.length;
  let word = '';
  for (let i = start; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") quote = char;
    else if (/[\s;|&()<>`]/.test(char)) break;
    else word += char;
  }
  return word;
}

/** Every `${FILESDIR}/…` reference outside comments, with its line. */
export function filesdirRefs(text: string, source?: string): Promise<FilesdirRef[]> {
  return withBashTree(text, source, (root) => {
    const comments: [number, number][] = [];
    walk(root, (node) => {
      if (node.type === 'comment') comments.push([node.startIndex, node.endIndex]);
    });
    const refs: FilesdirRef[] = [];
    for (const match of text.matchAll(FILESDIR_RE)) {
      if (comments.some(([start, end]) => match.index >= start && match.index < end)) continue;
      const line = text.slice(0, match.index).split('\n').length;
      refs.push({ path: filesdirWordAt(text, match.index).replace(/^\//, ''), line });
    }
    return refs;
  }, true);
}
