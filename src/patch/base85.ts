/** Git's base85 alphabet and line format, as used by `GIT binary patch`. */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const VALUE = new Map([...ALPHABET].map((char, index) => [char, index]));
const MAX_LINE_BYTES = 52;

/** Decodes one base85 data line (length character, then groups of five); undefined when malformed. */
export function decodeBase85Line(line: string): Buffer | undefined {
  const lengthChar = line.charCodeAt(0);
  let length: number;
  if (lengthChar >= 65 && lengthChar <= 90) length = lengthChar - 65 + 1;
  else if (lengthChar >= 97 && lengthChar <= 122) length = lengthChar - 97 + 27;
  else return undefined;
  const groups = Math.ceil(length / 4);
  if (line.length !== 1 + groups * 5) return undefined;
  const out = Buffer.alloc(groups * 4);
  for (let group = 0; group < groups; group++) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const digit = VALUE.get(line[1 + group * 5 + i]!);
      if (digit === undefined) return undefined;
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) return undefined;
    out.writeUInt32BE(value, group * 4);
  }
  return out.subarray(0, length);
}

/** Encodes data as git's base85 lines (52 bytes a line), each ending in a line feed. */
export function encodeBase85Lines(data: Buffer): string {
  let text = '';
  for (let start = 0; start < data.length; start += MAX_LINE_BYTES) {
    const chunk = data.subarray(start, start + MAX_LINE_BYTES);
    text += chunk.length <= 26 ? String.fromCharCode(64 + chunk.length) : String.fromCharCode(96 + chunk.length - 26);
    for (let offset = 0; offset < chunk.length; offset += 4) {
      let value = 0;
      for (let i = 0; i < 4; i++) value = value * 256 + (chunk[offset + i] ?? 0);
      let group = '';
      for (let i = 0; i < 5; i++) {
        group = ALPHABET[value % 85]! + group;
        value = Math.floor(value / 85);
      }
      text += group;
    }
    text += '\n';
  }
  return text;
}
