import { InputError } from '../errors.js';
import type { ReadableTree } from '../tree/types.js';

/** Where flatcar/scripts defines its boards: BOARD_CHOSTS and BOARD_PROFILES. */
export const BOARD_CONFIGURATION = 'build_library/toolchain_util.sh';

/** What a board build sets in make.conf: ARCH, CHOST and ACCEPT_KEYWORDS (the arch, as the arch profiles do). */
export interface BoardSettings {
  readonly board: string;
  readonly arch: string;
  readonly chost: string;
  readonly acceptKeywords: string;
  /** The board's profile without its repository, e.g. coreos/amd64/generic. */
  readonly profile: string;
}

/** Portage's ARCH for a CHOST, as toolchain_util.sh's get_portage_arch maps the ones Flatcar builds. */
const PORTAGE_ARCH: readonly [RegExp, string][] = [
  [/^aarch64/, 'arm64'],
  [/^x86_64/, 'amd64'],
  [/^i.86/, 'x86'],
  [/^arm/, 'arm'],
  [/^powerpc64/, 'ppc64'],
  [/^riscv/, 'riscv'],
];

function assignments(text: string, variable: string): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = new RegExp(`^\\s*${variable}\\["([^"]+)"\\]="([^"]*)"`, 'gm');
  for (const match of text.matchAll(pattern)) found.set(match[1]!, match[2]!);
  return found;
}

/**
 * The board whose build reads `profile`: the board whose BOARD_PROFILES entry the profile is or lies
 * under, else the board of the same architecture directory (coreos/<arch>/…), with its settings.
 */
export async function boardForProfile(scripts: ReadableTree | undefined, profile: string): Promise<BoardSettings> {
  const text = (await scripts?.read(BOARD_CONFIGURATION))?.data.toString('utf8');
  if (text === undefined) throw new InputError(`no board configuration (${BOARD_CONFIGURATION}) in the upstream: Portage needs a flatcar/scripts repository`);
  const chosts = assignments(text, 'BOARD_CHOSTS');
  const profiles = assignments(text, 'BOARD_PROFILES');
  const boards = [...chosts.keys()].map((board) => {
    const chost = chosts.get(board)!;
    const arch = PORTAGE_ARCH.find(([pattern]) => pattern.test(chost))?.[1];
    if (!arch) throw new InputError(`unknown CHOST '${chost}' for board ${board}`, BOARD_CONFIGURATION);
    return { board, arch, chost, acceptKeywords: arch, profile: (profiles.get(board) ?? '').replace(/^[^:]*:/, '') };
  });
  const under = boards.filter((board) => board.profile !== '' && (profile === board.profile || profile.startsWith(`${board.profile}/`)));
  const sameArch = boards.filter((board) => profile.split('/')[1] === board.profile.split('/')[1]);
  const chosen = under[0] ?? sameArch.sort((a, b) => a.board.localeCompare(b.board))[0];
  if (!chosen) throw new InputError(`no board in ${BOARD_CONFIGURATION} builds profile ${profile}`);
  return chosen;
}
