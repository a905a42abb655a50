import { atomKey, type Atom } from '../portage/atoms.js';
import { PROFILE_FILE_NAMES, type Profile, type ProfileNode } from '../portage/profiles.js';
import { ProfileVisibility } from '../portage/visibility.js';
import type { ChangedFile, CheckContext } from './context.js';
import { packageUse, type VersionUse } from './package-use.js';
import { packagesAfter } from './packages.js';
import { contentWords, lineAtom, profileFileName } from './profile-lines.js';
import { existingNanoProfiles, stockProfiles, type NamedProfile } from './profiles.js';

/**
 * What the checks of the Nano side share: the package-flag lines the layers add to profiles, the
 * configured profiles (stock and Nano, after the layers) that read each file, and each package's
 * versions under a profile, computed once per validation.
 */

/** Profile files whose lines are an atom and USE flags. */
export const PACKAGE_FLAG_FILES: ReadonlySet<string> = new Set(PROFILE_FILE_NAMES.filter((name) => name.startsWith('package.use')));

/** A package-flag line a layer added: where it is, its atom, the flags it names and the file kind. */
export interface AddedFlagLine {
  readonly file: ChangedFile;
  readonly line: number;
  /** `path:line`, as profile settings name their source. */
  readonly source: string;
  readonly fileName: string;
  readonly atom: Atom;
  /** The line's words, without its comment. */
  readonly words: readonly string[];
  readonly text: string;
  /** The flags named, `-flag` as `flag` with `negated`. */
  readonly flags: readonly { readonly flag: string; readonly negated: boolean }[];
}

/** Every package-flag line the layers added to an overlay profile file. */
export async function addedFlagLines(context: CheckContext): Promise<AddedFlagLine[]> {
  const lines: AddedFlagLine[] = [];
  for (const file of await context.changedFiles()) {
    const fileName = profileFileName(file.path);
    if (!fileName || !PACKAGE_FLAG_FILES.has(fileName)) continue;
    for (const region of file.regions) {
      region.added.forEach((text, offset) => {
        const words = contentWords(text);
        const atom = lineAtom(fileName, words);
        if (!atom) return;
        const line = region.line + offset;
        const flags = words.slice(1).filter((word) => word !== '-*' && !word.endsWith(':')).map((word) => ({ flag: word.replace(/^-/, ''), negated: word.startsWith('-') }));
        lines.push({ file, line, source: `${file.path}:${line}`, fileName, atom, words, text: words.join(' '), flags });
      });
    }
  }
  return lines;
}

/** The configured profiles (stock and Nano, of the patched overlay) whose chain reads the overlay file `path`. */
export async function profilesReading(context: CheckContext, path: string): Promise<NamedProfile[]> {
  const all = [...(await stockProfiles(context, 'after')), ...(await existingNanoProfiles(context))];
  const seen = new Set<string>();
  return all.filter(({ name, profile }) => {
    if (seen.has(name)) return false;
    seen.add(name);
    return profile.chain.some((node) => node.files.includes(path) && node.repo !== 'portage-stable');
  });
}

const versionCache = new WeakMap<CheckContext, Map<Profile, Map<string, Promise<VersionUse[]>>>>();

/** The versions of `category/package` under `profile` in the patched overlay (see packageUse), cached per validation. */
export function versionsUnder(context: CheckContext, profile: Profile, cp: string): Promise<VersionUse[]> {
  let byProfile = versionCache.get(context);
  if (!byProfile) {
    byProfile = new Map();
    versionCache.set(context, byProfile);
  }
  let byPackage = byProfile.get(profile);
  if (!byPackage) {
    byPackage = new Map();
    byProfile.set(profile, byPackage);
  }
  let versions = byPackage.get(cp);
  if (!versions) {
    versions = packageUse(packagesAfter(context), profile, cp);
    byPackage.set(cp, versions);
  }
  return versions;
}

/**
 * The version a build with `profile` takes for `atom`: the best visible version matching it (the
 * highest, across slots unless the atom names one), as Portage resolves a dependency on the atom.
 */
export async function selectedFor(context: CheckContext, profile: Profile, atom: Atom): Promise<VersionUse[]> {
  const versions = await versionsUnder(context, profile, atomKey(atom));
  const best = ProfileVisibility.of(profile).best(atom, versions.map((version) => version.ebuild));
  return versions.filter((version) => version.ebuild === best);
}

/** An added package-flag line with the configured profiles that read its file and the versions each selects for its atom. */
export interface FlagLineReaders {
  readonly line: AddedFlagLine;
  readonly readers: readonly (NamedProfile & { readonly selected: readonly VersionUse[] })[];
}

const linesWithReaders = new WeakMap<CheckContext, Promise<FlagLineReaders[]>>();

/**
 * Every package-flag line the layers added (see addedFlagLines) with its readers (see
 * profilesReading) and the versions they select (see selectedFor), once per validation. The lines'
 * packages are looked up all at once: each waits mostly on reads and parses, which then overlap.
 */
export function addedFlagLinesWithReaders(context: CheckContext): Promise<FlagLineReaders[]> {
  let found = linesWithReaders.get(context);
  if (!found) {
    found = addedFlagLines(context).then((lines) =>
      Promise.all(
        lines.map(async (line) => {
          const readers = await profilesReading(context, line.file.path);
          return { line, readers: await Promise.all(readers.map(async (reader) => ({ ...reader, selected: await selectedFor(context, reader.profile, line.atom) }))) };
        }),
      ),
    );
    linesWithReaders.set(context, found);
  }
  return found;
}

/**
 * The profile without the package-flag lines written at `source` (so a line's effect can be
 * measured). Directories without such a line are the profile's own, so what is derived of them once
 * (package indexes, USE_EXPAND settings) is not derived again.
 */
export function profileWithout(profile: Profile, source: string): Profile {
  let bySource = withoutCache.get(profile);
  if (!bySource) withoutCache.set(profile, (bySource = new Map()));
  let without = bySource.get(source);
  if (!without) bySource.set(source, (without = stripLines(profile, source)));
  return without;
}

/** Profiles without a line, made once for each (so the effective USE computed of them is shared by the checks). */
const withoutCache = new WeakMap<Profile, Map<string, Profile>>();

function stripLines(profile: Profile, source: string): Profile {
  const lists = ['packageUse', 'packageUseForce', 'packageUseMask', 'packageUseStable', 'packageUseStableForce', 'packageUseStableMask'] as const;
  const strip = (node: ProfileNode): ProfileNode => {
    if (!lists.some((list) => node[list].some((line) => line.source === source))) return node;
    const stripped = { ...node };
    for (const list of lists) stripped[list] = node[list].filter((line) => line.source !== source);
    return stripped;
  };
  return { ...profile, chain: profile.chain.map(strip) };
}

/** A note naming what the static reading of a version could not work out. */
export function notUnderstoodNote(version: VersionUse): string {
  return version.notUnderstood.map(({ variable, reason }) => `${variable}: ${reason}`).join('; ');
}
