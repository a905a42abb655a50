import type { SyntaxNode as Node } from '../portage/syntax.js';
import { DEPEND_VARIABLES, childrenOf, unquoted, withBashTree } from '../portage/ebuild.js';

/**
 * Where a bash file (an ebuild, an eclass, an env hook) depends on USE flags: the lines each
 * `if use …` block, `use flag && …` list and `flag? ( … )` dependency group spans, and the lines of
 * its IUSE assignments. Lines are numbered from 1.
 */
export interface GuardMap {
  /** The guards around each line, as written: `flag` or `!flag`. Lines without a guard are absent. */
  readonly guards: ReadonlyMap<number, readonly string[]>;
  /** Lines that belong to an IUSE assignment. */
  readonly iuseLines: ReadonlySet<number>;
}

/** Paths (relative to the overlay) whose content is bash that Portage runs with USE available. */
export function isBashPath(path: string): boolean {
  return path.endsWith('.ebuild') || path.endsWith('.eclass') || path.startsWith('coreos/config/env/');
}

/** Reads the USE guards of a bash text. Parts the grammar cannot parse have no guards. */
export function guardMap(text: string, source?: string): Promise<GuardMap> {
  return withBashTree(
    text,
    source,
    (root) => {
      const guards = new Map<number, string[]>();
      const iuseLines = new Set<number>();
      const mark = (from: number, to: number, flags: readonly string[]): void => {
        for (let line = from; line <= to; line++) guards.set(line, [...(guards.get(line) ?? []), ...flags]);
      };
      const visit = (node: Node): void => {
        const first = node.startPosition.row + 1;
        const last = node.endPosition.row + 1;
        if (node.type === 'if_statement') {
          const flags = ifCondition(node);
          if (flags) mark(first, last, flags);
        } else if (node.type === 'list') {
          const flags = listCondition(node);
          if (flags) mark(first, last, flags);
        } else if (node.type === 'variable_assignment') {
          const name = node.childForFieldName('name')?.text ?? '';
          const value = node.childForFieldName('value');
          if (name === 'IUSE') for (let line = first; line <= last; line++) iuseLines.add(line);
          if (value && DEPEND_VARIABLES.has(name)) {
            for (const group of dependGroups(unquoted(value))) mark(first + group.from - 1, first + group.to - 1, [group.flag]);
          }
        }
        for (const child of childrenOf(node)) visit(child);
      };
      visit(root);
      return { guards, iuseLines };
    },
    true,
  );
}

/** The flags a `use` test names (`use flag`, `use !flag`, `! use flag`), or undefined for anything else. */
function useTest(node: Node): string[] | undefined {
  if (node.type === 'command') {
    const args = node.childrenForFieldName('argument');
    if (node.childForFieldName('name')?.text !== 'use' || args.length !== 1 || !args[0]) return undefined;
    return [unquoted(args[0])];
  }
  if (node.type === 'negated_command') {
    const inner = childrenOf(node).filter((child) => child.type !== '!');
    const flags = inner.length === 1 ? useTest(inner[0]!) : undefined;
    return flags?.map((flag) => (flag.startsWith('!') ? flag.slice(1) : `!${flag}`));
  }
  if (node.type === 'list') {
    const [left, operator, right] = childrenOf(node);
    if (!left || !right || (operator?.type !== '&&' && operator?.type !== '||')) return undefined;
    const a = useTest(left);
    const b = useTest(right);
    return a && b ? [...a, ...b] : undefined;
  }
  return undefined;
}

/** The flags an `if` statement's condition tests, when it tests nothing but USE flags. */
function ifCondition(node: Node): string[] | undefined {
  const parts = childrenOf(node);
  const then = parts.findIndex((child) => child.type === 'then');
  const condition = parts.slice(1, then).filter((child) => child.isNamed && child.type !== 'comment');
  return condition.length === 1 ? useTest(condition[0]!) : undefined;
}

/** `use flag && cmd` runs cmd with the flag on, `use flag || cmd` with it off. */
function listCondition(node: Node): string[] | undefined {
  const [left, operator, right] = childrenOf(node);
  if (!left || !right || (operator?.type !== '&&' && operator?.type !== '||')) return undefined;
  if (useTest(right)) return undefined;
  const flags = useTest(left);
  if (!flags) return undefined;
  return operator.type === '&&' ? flags : flags.map((flag) => (flag.startsWith('!') ? flag.slice(1) : `!${flag}`));
}

/** The `flag? ( … )` groups of a dependency value: their flag and first and last line within the value. */
function dependGroups(value: string): { flag: string; from: number; to: number }[] {
  const groups: { flag: string; from: number; to: number }[] = [];
  const open: ({ flag: string; line: number } | undefined)[] = [];
  let previous: { text: string; line: number } | undefined;
  value.split('\n').forEach((text, index) => {
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const line = index + 1;
      if (word === '(') {
        const conditional = previous && /^!?[A-Za-z0-9][A-Za-z0-9+_@-]*\?$/.test(previous.text);
        open.push(conditional ? { flag: previous!.text.slice(0, -1), line: previous!.line } : undefined);
      } else if (word === ')') {
        const group = open.pop();
        if (group) groups.push({ flag: group.flag, from: group.line, to: line });
      }
      previous = { text: word, line };
    }
  });
  return groups;
}
