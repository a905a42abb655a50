import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';

/**
 * `IndentStyle` (style): lines a layer added whose indentation uses spaces where the lines around
 * them use tabs, or tabs among space-indented lines, as Gentoo's style checks flag; reported once per
 * changed hunk, at its first such line, with the number of lines.
 */
export const indentStyleCheck: Check = {
  name: 'indent-style',
  codes: ['IndentStyle'],
  async run(context) {
    const findings: Finding[] = [];
    for (const file of await context.changedFiles()) {
      if (file.before === undefined) continue;
      const fileStyle = dominantIndent(file.before.split('\n'));
      for (const region of file.regions) {
        const expected = dominantIndent(region.neighbours) ?? fileStyle;
        if (!expected) continue;
        const offending = region.added.flatMap((text, offset) => {
          const style = indentOf(text);
          return style && style !== expected ? [{ style, offset }] : [];
        });
        const first = offending[0];
        if (!first) continue;
        const count = offending.length === 1 ? 'an added line' : `${offending.length} added lines`;
        findings.push(
          finding('IndentStyle', 'style', `${count} indented with ${first.style === 'tab' ? 'tabs' : 'spaces'} among lines indented with ${expected === 'tab' ? 'tabs' : 'spaces'}`, {
            layer: file.layers[0] ?? null,
            path: file.path,
            line: region.line + first.offset,
          }),
        );
      }
    }
    return findings;
  },
};

type IndentKind = 'tab' | 'space';

function indentOf(line: string): IndentKind | undefined {
  if (line.startsWith('\t')) return 'tab';
  if (/^ {2,}\S/.test(line)) return 'space';
  return undefined;
}

function dominantIndent(lines: readonly string[]): IndentKind | undefined {
  let tabs = 0;
  let spaces = 0;
  for (const line of lines) {
    const kind = indentOf(line);
    if (kind === 'tab') tabs++;
    else if (kind === 'space') spaces++;
  }
  if (tabs === spaces) return undefined;
  return tabs > spaces ? 'tab' : 'space';
}
