/**
 * The indentation of the code lines in `[from, to)` of a masked shell text (`scanShell`). Lines
 * inside strings and heredocs are masked from their first column, so they have none and are left
 * out, as are blank lines.
 */
export function codeIndents(mask: string, from = 0, to = mask.length): string[] {
  const indents: string[] = [];
  for (const line of mask.slice(from, to).split('\n')) {
    const indent = /^[ \t]*/.exec(line)![0];
    if (indent !== '' && indent.length < line.length) indents.push(indent);
  }
  return indents;
}

/**
 * The file's indent unit: a tab when most indented code lines start with one, else the smallest
 * run of spaces; a tab when nothing is indented (Gentoo's style).
 */
export function dominantIndentUnit(mask: string): string {
  const indents = codeIndents(mask);
  const spaced = indents.filter((indent) => indent.startsWith(' '));
  if (spaced.length * 2 <= indents.length) return '\t';
  return ' '.repeat(Math.min(...spaced.map((indent) => /^ */.exec(indent)![0].length)));
}

/**
 * Removes the common leading whitespace of `body`'s lines and the blank lines around them, and
 * prefixes every non-blank line with `indent`. Relative indentation inside the body is kept.
 */
export function indentBody(body: string, indent: string): string[] {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const common = lines
    .filter((line) => line.trim() !== '')
    .map((line) => /^[ \t]*/.exec(line)![0])
    .reduce<string | undefined>((prefix, lead) => (prefix === undefined ? lead : commonPrefix(prefix, lead)), undefined);
  const cut = common?.length ?? 0;
  return lines.map((line) => (line.trim() === '' ? '' : indent + line.slice(cut).trimEnd()));
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}
