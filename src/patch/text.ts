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

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** A byte that is not part of valid UTF-8, kept as a lone low surrogate (U+DC80 to U+DCFF). */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/**
 * Decodes a file name's bytes (a byte string) from UTF-8 without losing any: a byte that is not part of
 * valid UTF-8 becomes a lone surrogate U+DC80 + (byte - 0x80), as Python's `surrogateescape` does, so
 * that pathBytes() gives back exactly the bytes git has.
 */
export function decodePath(bytes: string): string {
  const buffer = Buffer.from(bytes, 'latin1');
  const decoded = buffer.toString('utf8');
  if (!decoded.includes('\uFFFD')) return decoded;
  let path = '';
  for (let index = 0; index < buffer.length; ) {
    const byte = buffer[index]!;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    const sequence = length && index + length <= buffer.length ? strictUtf8(buffer.subarray(index, index + length)) : undefined;
    if (sequence === undefined) {
      path += String.fromCharCode(byte < 0x80 ? byte : 0xdc00 + byte);
      index++;
    } else {
      path += sequence;
      index += length;
    }
  }
  return path;
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** True when a path holds bytes that are not UTF-8 (escaped by decodePath()). */
export function hasEscapedBytes(path: string): boolean {
  return ESCAPED_BYTE.test(path);
}

/** The bytes of a path as decodePath() read them: UTF-8, escaped bytes restored. */
export function pathBytes(path: string): Buffer {
  if (!hasEscapedBytes(path)) return Buffer.from(path, 'utf8');
  const parts = path.split(new RegExp(`(${ESCAPED_BYTE.source})`));
  return Buffer.concat(parts.map((part, index) => (index % 2 ? Buffer.of(part.charCodeAt(0) - 0xdc00) : Buffer.from(part, 'utf8'))));
}

/**
 * Input text as an error message may show it: control characters, DEL and bytes that are not UTF-8 are
 * written as C escapes (`\033`, `\t`), so that a hostile patch cannot drive the user's terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]|(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g, (char) => {
    const code = char.charCodeAt(0);
    const letter = ESCAPE_OF.get(code);
    if (letter !== undefined) return `\\${letter}`;
    const bytes = code >= 0xdc80 ? [code - 0xdc00] : [...Buffer.from(char, 'utf8')];
    return bytes.map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
  });
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
    if (char === '"') return { path: decodePath(Buffer.from(bytes).toString('latin1')), rest: text.slice(i + 1) };
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
  const bytes = pathBytes(prefix + path);
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
