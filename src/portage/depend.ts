import { InputError } from '../errors.js';

/**
 * Dependency specifications (PMS §8.2) as used by DEPEND, RDEPEND, BDEPEND, PDEPEND, IDEPEND,
 * LICENSE, SRC_URI and REQUIRED_USE: items, `flag? ( … )`, `!flag? ( … )`, `|| ( … )`, `^^ ( … )`,
 * `?? ( … )` and plain `( … )` groups. Items are kept as text (atoms, flags or `${VAR}` references).
 */

export type GroupKind = 'all-of' | 'any-of' | 'exactly-one' | 'at-most-one';

export type DependNode =
  | { readonly kind: 'item'; readonly text: string; readonly line: number }
  | { readonly kind: 'use'; readonly flag: string; readonly negated: boolean; readonly children: DependNode[]; readonly line: number }
  | { readonly kind: GroupKind; readonly children: DependNode[]; readonly line: number };

const GROUP_OPERATORS: Record<string, GroupKind> = { '||': 'any-of', '^^': 'exactly-one', '??': 'at-most-one' };
const USE_CONDITIONAL_RE = /^(!?)([A-Za-z0-9][A-Za-z0-9+_@-]*)\?$/;

interface Token {
  readonly text: string;
  readonly line: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  text.split('\n').forEach((lineText, index) => {
    for (const word of lineText.split(/\s+/)) if (word) tokens.push({ text: word, line: index + 1 });
  });
  return tokens;
}

/**
 * Parses a dependency specification. Lines are numbered from 1 within `text`; `source` names the
 * file for errors, which are InputErrors for unbalanced or misplaced parentheses.
 */
export function parseDepend(text: string, source?: string): DependNode[] {
  const tokens = tokenize(text);
  let position = 0;
  const fail = (why: string, line: number): never => {
    throw new InputError(`invalid dependency specification: ${why} (line ${line} of the value)`, source);
  };

  /** The nodes up to the `)` closing a group whose `(` was just consumed. */
  const groupBody = (): DependNode[] => {
    const children = parseList(true);
    position++;
    return children;
  };

  /** `opener` (an operator or `flag?`) must be followed by a group. */
  const operandGroup = (opener: Token): DependNode[] => {
    if (tokens[position]?.text !== '(') fail(`'${opener.text}' must be followed by '('`, opener.line);
    position++;
    return groupBody();
  };

  const parseList = (nested: boolean): DependNode[] => {
    const nodes: DependNode[] = [];
    while (position < tokens.length) {
      const token = tokens[position]!;
      if (token.text === ')') {
        if (!nested) fail("unmatched ')'", token.line);
        return nodes;
      }
      position++;
      const useMatch = USE_CONDITIONAL_RE.exec(token.text);
      const operator = GROUP_OPERATORS[token.text];
      if (token.text === '(') {
        nodes.push({ kind: 'all-of', children: groupBody(), line: token.line });
      } else if (operator) {
        nodes.push({ kind: operator, children: operandGroup(token), line: token.line });
      } else if (useMatch) {
        nodes.push({ kind: 'use', flag: useMatch[2]!, negated: useMatch[1] === '!', children: operandGroup(token), line: token.line });
      } else if (/[()]/.test(token.text.replace(/\[[^\]]*\]/g, ''))) {
        fail(`unexpected '${token.text}'`, token.line);
      } else {
        nodes.push({ kind: 'item', text: token.text, line: token.line });
      }
    }
    if (nested) fail("missing ')'", tokens[tokens.length - 1]?.line ?? 1);
    return nodes;
  };

  return parseList(false);
}

/**
 * Resolves USE conditionals: a group whose flag (or negation) is on is unwrapped into its parent,
 * one that is off is dropped, and one whose flag `isEnabled` does not know (undefined) is kept.
 */
export function resolveConditionals(nodes: readonly DependNode[], isEnabled: (flag: string) => boolean | undefined): DependNode[] {
  return nodes.flatMap((node): DependNode[] => {
    if (node.kind === 'item') return [node];
    const children = resolveConditionals(node.children, isEnabled);
    if (node.kind !== 'use') return [{ ...node, children }];
    const enabled = isEnabled(node.flag);
    if (enabled === undefined) return [{ ...node, children }];
    return enabled !== node.negated ? children : [];
  });
}

/** Every item text in document order, including all alternatives of `||`, `^^` and `??` groups. */
export function flattenDepend(nodes: readonly DependNode[]): string[] {
  return nodes.flatMap((node) => (node.kind === 'item' ? [node.text] : flattenDepend(node.children)));
}

/** The items a configuration pulls in: conditionals resolved with `useEnabled`, then flattened. */
export function reduceDepend(nodes: readonly DependNode[], useEnabled: (flag: string) => boolean): string[] {
  return flattenDepend(resolveConditionals(nodes, useEnabled));
}

/** Every flag that a USE conditional in the tree tests. */
export function flagsUsed(nodes: readonly DependNode[]): Set<string> {
  const flags = new Set<string>();
  const visit = (list: readonly DependNode[]): void => {
    for (const node of list) {
      if (node.kind === 'item') continue;
      if (node.kind === 'use') flags.add(node.flag);
      visit(node.children);
    }
  };
  visit(nodes);
  return flags;
}

const GROUP_PREFIX: Record<GroupKind, string> = { 'all-of': '', 'any-of': '|| ', 'exactly-one': '^^ ', 'at-most-one': '?? ' };

/** Formats a tree on one line with single spaces, so equal trees format equally. */
export function formatDepend(nodes: readonly DependNode[]): string {
  return nodes
    .map((node) => {
      if (node.kind === 'item') return node.text;
      const prefix = node.kind === 'use' ? `${node.negated ? '!' : ''}${node.flag}? ` : GROUP_PREFIX[node.kind];
      return `${prefix}( ${formatDepend(node.children)} )`.replace('(  )', '( )');
    })
    .join(' ');
}
