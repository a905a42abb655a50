import pc from 'picocolors';

/** The colour functions reporters use. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Colours for `stream`: on for a terminal, off when NO_COLOR is set or the output is not a TTY. */
export function colorsFor(stream: { isTTY?: boolean } = process.stdout): Colors {
  const enabled = !('NO_COLOR' in process.env) && stream.isTTY === true;
  return pc.createColors(enabled);
}

/** Colours that leave text unchanged, for files and tests. */
export const NO_COLORS: Colors = pc.createColors(false);
