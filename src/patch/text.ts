/**
 * Byte strings and git's path quoting. Inside the patch engine, patch and file text are byte strings
 * (one character per byte, latin1) so that any content survives unchanged; Unicode strings are
 * converted through UTF-8 at the public edges, and paths are decoded from UTF-8.
 */

/** Turns text into a byte string: a Buffer byte for byte, a (Unicode) string through UTF-8. */
export function toByteString(input: string | Buffer): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : input).toString('latin1');
}

/** Turns a byte string back into Unicode text, decoding it as UTF-8. */
export function fromByteString(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Splits text into lines that keep their line feed; the last one lacks it when the text does not end with one. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) {
      lines.push(text.slice(start));
      break;
    }
    lines.push(text.slice(start, end + 1));
    start = end + 1;
  }
  return lines;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
const ESCAPE_OF = new Map(Object.entries(ESCAPES).map(([letter, code]) => [code, letter]));

/**
 * Reads a C-style quoted name (`"a/caf\303\251 x"`) from the start of `text`, as git writes names with
 * special characters. Returns the decoded path and the rest of the text after the closing quote, or
 * undefined when the quoting is malformed.
 */
export function unquoteCString(text: string): { path: string; rest: string } | undefined {
  const bytes: number[] = [];
  for (let i = 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') return { path: Buffer.from(bytes).toString('utf8'), rest: text.slice(i + 1) };
    if (char !== '\\') {
      bytes.push(char.charCodeAt(0));
      continue;
    }
    const next = text[++i];
    if (next === undefined) return undefined;
    if (next in ESCAPES) {
      bytes.push(ESCAPES[next]!);
    } else if (/^[0-3][0-7][0-7]$/.test(text.slice(i, i + 3))) {
      bytes.push(parseInt(text.slice(i, i + 3), 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Writes `prefix + path` as git does: verbatim, or C-quoted when it holds control characters, quotes, backslashes or non-ASCII bytes. The result is a byte string. */
export function quotePath(prefix: string, path: string): string {
  const bytes = Buffer.from(prefix + path, 'utf8');
  if (!bytes.some((byte) => byte < 0x20 || byte >= 0x7f || byte === 34 || byte === 92)) return bytes.toString('latin1');
  let quoted = '"';
  for (const byte of bytes) {
    const letter = ESCAPE_OF.get(byte);
    if (letter !== undefined) quoted += `\\${letter}`;
    else if (byte < 0x20 || byte >= 0x7f) quoted += `\\${byte.toString(8).padStart(3, '0')}`;
    else quoted += String.fromCharCode(byte);
  }
  return `${quoted}"`;
}
