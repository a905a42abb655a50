import { parseDepend, type DependNode } from './depend.js';

/**
 * REQUIRED_USE (PMS §7.3.5) checked against a package's USE: `flag` and `!flag` items, `flag? ( … )`
 * and `!flag? ( … )` conditions, `|| ( … )`, `^^ ( … )`, `?? ( … )` and `( … )` groups.
 */

/** The text of a node, as written, for messages. */
function formatNode(node: DependNode): string {
  if (node.kind === 'item') return node.text;
  const inner = node.children.map(formatNode).join(' ');
  if (node.kind === 'use') return `${node.negated ? '!' : ''}${node.flag}? ( ${inner} )`;
  const operator = { 'all-of': '', 'any-of': '|| ', 'exactly-one': '^^ ', 'at-most-one': '?? ' }[node.kind];
  return `${operator}( ${inner} )`;
}

/** Whether one node holds; a `flag?` group whose condition is false holds. */
function holds(node: DependNode, isEnabled: (flag: string) => boolean): boolean {
  if (node.kind === 'item') return node.text.startsWith('!') ? !isEnabled(node.text.slice(1)) : isEnabled(node.text);
  if (node.kind === 'use') return isEnabled(node.flag) === node.negated || node.children.every((child) => holds(child, isEnabled));
  const satisfied = node.children.filter((child) => holds(child, isEnabled)).length;
  if (node.kind === 'all-of') return satisfied === node.children.length;
  if (node.kind === 'any-of') return satisfied >= 1 || node.children.length === 0;
  if (node.kind === 'exactly-one') return satisfied === 1 || node.children.length === 0;
  return satisfied <= 1;
}

/**
 * The top-level clauses of `requiredUse` that the USE `isEnabled` describes does not satisfy (the
 * innermost failing clause of a satisfied condition), as written. Throws an InputError when the
 * value does not parse.
 */
export function unsatisfiedRequiredUse(requiredUse: string, isEnabled: (flag: string) => boolean): string[] {
  const failing: string[] = [];
  const visit = (nodes: readonly DependNode[]) => {
    for (const node of nodes) {
      if (holds(node, isEnabled)) continue;
      if (node.kind === 'use' || node.kind === 'all-of') visit(node.children);
      else failing.push(formatNode(node));
    }
  };
  visit(parseDepend(requiredUse));
  return failing;
}
