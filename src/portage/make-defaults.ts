import { InputError, locate } from '../errors.js';

/**
 * `make.defaults` files: shell-style `KEY="value"` assignments (double, single or no quotes, values
 * spanning lines, `$VAR`/`${VAR}` expansion, `#` comments), as Portage's getconfig reads them.
 */

/** A value with the `file:line` each of its characters came from. */
export interface TrackedValue {
  readonly text: string;
  readonly origins: readonly string[];
}

/** One whitespace-separated word of a value and the `file:line` it was written on. */
export interface TrackedWord {
  readonly word: string;
  readonly source: string;
}

const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Parses `text` (the file `file`) and returns its variables in assignment order. References expand
 * to variables assigned earlier in the file or present in `inherited` (a reference to an unknown
 * variable expands to nothing, as in the shell). Throws an InputError for unterminated quotes or
 * lines that are not assignments.
 */
export function parseMakeDefaults(text: string, file: string, inherited: ReadonlyMap<string, TrackedValue> = new Map()): Map<string, TrackedValue> {
  const variables = new Map<string, TrackedValue>();
  let position = 0;
  let line = 1;
  const fail = (why: string): never => {
    throw new InputError(why, locate(file, line));
  };
  const lookup = (name: string): TrackedValue | undefined => variables.get(name) ?? inherited.get(name);

  const readName = (): string | undefined => {
    NAME_RE.lastIndex = position;
    const match = NAME_RE.exec(text);
    if (!match) return undefined;
    position += match[0].length;
    return match[0];
  };

  const expandReference = (chars: string[], origins: string[]): void => {
    position++; // '$'
    let name: string | undefined;
    if (text[position] === '{') {
      position++;
      name = readName();
      if (!name || text[position] !== '}') fail('unsupported parameter expansion');
      position++;
    } else {
      name = readName();
      if (!name) {
        chars.push('$');
        origins.push(locate(file, line));
        return;
      }
    }
    const value = lookup(name!);
    if (value) {
      chars.push(...value.text);
      origins.push(...value.origins);
    }
  };

  const push = (chars: string[], origins: string[], char: string): void => {
    chars.push(char);
    origins.push(locate(file, line));
    if (char === '\n') line++;
  };

  const readValue = (): TrackedValue => {
    const chars: string[] = [];
    const origins: string[] = [];
    while (position < text.length && !/[ \t\n]/.test(text[position]!)) {
      const char = text[position]!;
      if (char === "'") {
        const end = text.indexOf("'", position + 1);
        if (end < 0) fail('unterminated single quote');
        for (const c of text.slice(position + 1, end)) push(chars, origins, c);
        position = end + 1;
      } else if (char === '"') {
        position++;
        while (text[position] !== '"') {
          if (position >= text.length) fail('unterminated double quote');
          const c = text[position]!;
          if (c === '$') expandReference(chars, origins);
          else if (c === '\\' && text[position + 1] === '\n') {
            position += 2;
            line++;
          } else if (c === '\\' && '"\\$`'.includes(text[position + 1] ?? '')) {
            push(chars, origins, text[position + 1]!);
            position += 2;
          } else {
            push(chars, origins, c);
            position++;
          }
        }
        position++;
      } else if (char === '$') {
        expandReference(chars, origins);
      } else if (char === '\\') {
        if (text[position + 1] === '\n') line++;
        else push(chars, origins, text[position + 1] ?? '');
        position += 2;
      } else {
        push(chars, origins, char);
        position++;
      }
    }
    return { text: chars.join(''), origins };
  };

  while (position < text.length) {
    const char = text[position]!;
    if (char === '\n') {
      line++;
      position++;
    } else if (char === ' ' || char === '\t' || char === ';') {
      position++;
    } else if (char === '#') {
      const end = text.indexOf('\n', position);
      position = end < 0 ? text.length : end;
    } else {
      let name = readName();
      if (name === 'export' && /[ \t]/.test(text[position] ?? '')) {
        position = text.slice(position).search(/[^ \t]/) + position;
        name = readName();
      }
      if (!name || text[position] !== '=') fail('expected KEY=value');
      position++;
      variables.set(name!, readValue());
    }
  }
  return variables;
}

/** Splits a tracked value into words, each with the `file:line` of its first character. */
export function trackedWords(value: TrackedValue): TrackedWord[] {
  return [...value.text.matchAll(/\S+/g)].map((match) => ({ word: match[0], source: value.origins[match.index]! }));
}
