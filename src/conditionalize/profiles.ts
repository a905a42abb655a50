import { diffArrays } from 'diff/lib/diff/array.js';
import { InputError } from '../errors.js';
import type { LayerSet } from '../layers/load.js';
import { loadProfile } from '../portage/profiles.js';
import type { StockProfiles } from '../review/stock-profiles.js';
import type { ReadableTree } from '../tree/types.js';
import { profileConfig } from '../workflow/validate.js';

/** The lines a layer added to and removed from a line-oriented profile file (blank lines aside). */
export function profileLineChanges(before: string, after: string): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const change of diffArrays(before.split('\n'), after.split('\n'))) {
    const lines = change.value.filter((line) => line.trim() !== '');
    if (change.added) added.push(...lines);
    else if (change.removed) removed.push(...lines);
  }
  return { added, removed };
}

const PACKAGE_USE_FILE = /(^|\/)package\.use(\.force|\.mask|\.stable\.force|\.stable\.mask)?$/;

/**
 * The lines a Nano profile needs so that, read after a stock `package.use`-style file the layer
 * leaves as upstream has it, Nano builds get what the layer's edit of that file meant: the added
 * lines as written (comment-only lines aside), and for every flag a removed line set that no added
 * line of the same atom sets any more, its negation (`ntp` → `-ntp`, `-x` → `x`). Undefined for
 * other files, where a removed line has no negation.
 */
export function nanoUseLines(path: string, removed: readonly string[], added: readonly string[]): string[] | undefined {
  if (!PACKAGE_USE_FILE.test(path)) return undefined;
  const parse = (line: string) => {
    const [atom, ...flags] = line.replace(/#.*$/, '').trim().split(/\s+/);
    return atom ? { atom, flags } : undefined;
  };
  const bare = (flag: string) => flag.replace(/^-/, '');
  const out = added.filter((line) => parse(line) !== undefined).map((line) => line.replace(/\s+#.*$/, ''));
  for (const line of removed) {
    const old = parse(line);
    if (!old) continue;
    const index = out.findIndex((entry) => parse(entry)!.atom === old.atom);
    const now = out.filter((entry) => parse(entry)!.atom === old.atom).flatMap((entry) => parse(entry)!.flags.map(bare));
    const negations = old.flags.filter((flag) => !now.includes(bare(flag))).map((flag) => (flag.startsWith('-') ? bare(flag) : `-${flag}`));
    if (negations.length === 0) continue;
    if (index >= 0) out[index] = `${out[index]} ${negations.join(' ')}`;
    else out.push(`${old.atom} ${negations.join(' ')}`);
  }
  return out;
}

/**
 * The profile directory where Nano-only settings belong: in the chain of the first Nano profile
 * (values.yaml `profiles.nano`), the most general overlay directory that no stock profile reads
 * (e.g. `profiles/coreos/amd64/nano` for `coreos/amd64/nano/prod`). `overlay` is the overlay with
 * every layer applied, so a profile another layer adds counts. Undefined without a Nano profile.
 */
export async function nanoProfileDir(set: LayerSet, overlay: ReadableTree, stock: StockProfiles, masters: ReadableTree | undefined): Promise<string | undefined> {
  const first = profileConfig(set).nano[0];
  if (first === undefined) return undefined;
  try {
    const profile = await loadProfile(overlay, `profiles/${first}`, masters ? { masters } : {});
    const own = profile.chain.at(-1)?.repo;
    return profile.chain.find((node) => node.repo === own && !stock.dirs.has(node.dir))?.dir ?? `profiles/${first}`;
  } catch (error) {
    if (error instanceof InputError) return `profiles/${first}`;
    throw error;
  }
}

/** Where a stock profile file's Nano lines go: the same name below the Nano directory. */
export function nanoTarget(path: string, stock: StockProfiles, nanoDir: string): string {
  const dir = [...stock.dirs].filter((candidate) => path.startsWith(`${candidate}/`)).sort((a, b) => b.length - a.length)[0];
  return `${nanoDir}/${dir ? path.slice(dir.length + 1) : path.split('/').at(-1)}`;
}
