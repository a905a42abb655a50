/** Index of the first character of the line holding `index`. */
export function lineStart(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/** Index of the newline ending the line holding `index`, or the text's length on the last line. */
export function lineEnd(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end === -1 ? text.length : end;
}

/** `text` with `[from, to)` replaced by `insert`. */
export function splice(text: string, from: number, to: number, insert: string): string {
  return text.slice(0, from) + insert + text.slice(to);
}

/** Collapses every whitespace run to one space, for whitespace-insensitive comparison. */
export function squashWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
