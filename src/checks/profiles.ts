import { loadProfile, ProfileReads, stackedWords, type Profile } from '../portage/profiles.js';
import type { CheckContext } from './context.js';

/**
 * The stock and Nano profiles of a validation, loaded once from the upstream overlay ("before") or
 * the patched overlay ("after"), each with portage-stable as master.
 */

export type Side = 'before' | 'after';

/** A profile and the name it was configured by (`coreos/amd64/generic/prod`). */
export interface NamedProfile {
  readonly name: string;
  readonly profile: Profile;
}

const cache = new WeakMap<CheckContext, Map<string, Promise<NamedProfile[]>>>();
/** The profile directories read in a validation: its trees do not change while it runs. */
const reads = new WeakMap<CheckContext, ProfileReads>();

/** Loads `names` from the `side` tree once per validation (the same names from the same side share one load). */
function load(context: CheckContext, side: Side, names: readonly string[]): Promise<NamedProfile[]> {
  const tree = side === 'before' ? context.before : context.after;
  const key = `${side}:${names.join(' ')}`;
  let entries = cache.get(context);
  if (!entries) {
    entries = new Map();
    cache.set(context, entries);
  }
  let profiles = entries.get(key);
  if (!profiles) {
    const masters = context.input.upstream.portageStable;
    let shared = reads.get(context);
    if (!shared) reads.set(context, (shared = new ProfileReads()));
    const options = { reads: shared, ...(masters ? { masters } : {}) };
    profiles = Promise.all(names.map(async (name) => ({ name, profile: await loadProfile(tree, `profiles/${name}`, options) })));
    entries.set(key, profiles);
  }
  return profiles;
}

/** The stock profiles (values.yaml `profiles.stock`) as the upstream or the patched overlay defines them. */
export function stockProfiles(context: CheckContext, side: Side): Promise<NamedProfile[]> {
  return load(context, side, context.input.profiles.stock);
}

/** The Nano profiles of the patched overlay that exist there (a layer set may configure profiles it does not add). */
export async function existingNanoProfiles(context: CheckContext): Promise<NamedProfile[]> {
  const names: string[] = [];
  for (const name of context.input.profiles.nano) if ((await context.after.list(`profiles/${name}`)).length) names.push(name);
  return load(context, 'after', names);
}

/** The Nano profiles (values.yaml `profiles.nano`) of the patched overlay. */
export function nanoProfiles(context: CheckContext): Promise<NamedProfile[]> {
  return load(context, 'after', context.input.profiles.nano);
}

/**
 * The flags every package has without declaring them (PMS's profile IUSE injection): IUSE_IMPLICIT,
 * and for each USE_EXPAND_IMPLICIT variable its USE_EXPAND_VALUES_* (prefixed with the variable's
 * lower-case name unless it is in USE_EXPAND_UNPREFIXED, as ARCH is).
 */
export function implicitIuse(profile: Profile): Set<string> {
  const flags = new Set(stackedWords(profile, 'IUSE_IMPLICIT'));
  const unprefixed = new Set(stackedWords(profile, 'USE_EXPAND_UNPREFIXED'));
  for (const variable of stackedWords(profile, 'USE_EXPAND_IMPLICIT')) {
    for (const value of stackedWords(profile, `USE_EXPAND_VALUES_${variable}`)) {
      flags.add(unprefixed.has(variable) ? value : `${variable.toLowerCase()}_${value}`);
    }
  }
  return flags;
}

/** The implicit IUSE of any of `profiles` (see implicitIuse). */
export function implicitIuseOf(profiles: readonly NamedProfile[]): Set<string> {
  return new Set(profiles.flatMap(({ profile }) => [...implicitIuse(profile)]));
}
