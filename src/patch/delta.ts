/** Git's binary delta format (patch-delta.c): a source size, a result size, then copy and insert commands. */

/** Applies a git binary delta to `source`; throws an Error describing the first inconsistency. */
export function applyDelta(source: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const readSize = (): number => {
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      if (pos >= delta.length) throw new Error('binary delta is truncated');
      byte = delta[pos++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return size;
  };
  const sourceSize = readSize();
  if (sourceSize !== source.length) throw new Error(`binary delta expects a ${sourceSize}-byte file, found ${source.length} bytes`);
  const result = Buffer.alloc(readSize());
  let written = 0;
  while (pos < delta.length) {
    const command = delta[pos++]!;
    if (command & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (command & (1 << bit)) offset += delta[pos++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (command & (0x10 << bit)) size += delta[pos++]! * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (pos > delta.length || offset + size > source.length || written + size > result.length) {
        throw new Error('binary delta copies outside its source or result');
      }
      source.copy(result, written, offset, offset + size);
      written += size;
    } else if (command) {
      if (pos + command > delta.length || written + command > result.length) throw new Error('binary delta inserts past its end');
      delta.copy(result, written, pos, pos + command);
      pos += command;
      written += command;
    } else {
      throw new Error('binary delta holds the reserved command 0');
    }
  }
  if (written !== result.length) throw new Error(`binary delta produced ${written} of ${result.length} bytes`);
  return result;
}
