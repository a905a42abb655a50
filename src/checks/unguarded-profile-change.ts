import { atomKey } from '../portage/atoms.js';
import { parseMakeDefaults } from '../portage/make-defaults.js';
import { effectiveUse, profileFiles, type FlagDecision, type Profile } from '../portage/profiles.js';
import { layerOfLine } from './blame.js';
import type { ChangedFile, Check, CheckContext } from './context.js';
import { finding, type Finding } from './finding.js';
import { packagesAfter } from './packages.js';
import { contentWords, lineAtom, meaningfulContent, profileFileName } from './profile-lines.js';
import { stockProfiles, type NamedProfile } from './profiles.js';

/**
 * `UnguardedProfileChange` (error): a layer changes a profile file that stock builds read (one in
 * the parent chain of a stock profile, before or after the layers) so that stock USE or masks
 * change. `package.use*` changes are judged by the effective USE of every version of each package
 * they name, `make.defaults` USE and `use.force`/`use.mask` changes by the profile-wide state of the
 * flags they name, before (upstream) and after (patched), with the patched IUSE on both sides; any
 * other content change to such a file (a parent, a package mask, another variable) changes stock
 * builds outright. Comment and whitespace changes are fine.
 */
export const unguardedProfileChangeCheck: Check = {
  name: 'unguarded-profile-change',
  codes: ['UnguardedProfileChange'],
  run: profileChangeFindings,
};

const runs = new WeakMap<CheckContext, Promise<Finding[]>>();

/** The UnguardedProfileChange findings of a validation, computed once. */
export function profileChangeFindings(context: CheckContext): Promise<Finding[]> {
  let found = runs.get(context);
  if (!found) runs.set(context, (found = findProfileChanges(context)));
  return found;
}

const stockRead = new WeakMap<CheckContext, Promise<Set<string>>>();

/** The overlay profile files a stock profile's chain reads, before or after the layers, computed once per validation. */
export function stockReadProfileFiles(context: CheckContext): Promise<Set<string>> {
  let files = stockRead.get(context);
  if (!files) stockRead.set(context, (files = readByStock(context)));
  return files;
}

async function readByStock(context: CheckContext): Promise<Set<string>> {
  const [before, after] = await Promise.all([stockProfiles(context, 'before'), stockProfiles(context, 'after')]);
  return new Set([...before, ...after].flatMap(({ profile }) => overlayFiles(profile)));
}

async function findProfileChanges(context: CheckContext): Promise<Finding[]> {
  const profileChanges = (await context.changedFiles()).filter((file) => profileFileName(file.path));
  if (profileChanges.length === 0) return [];
  const [before, after] = await Promise.all([stockProfiles(context, 'before'), stockProfiles(context, 'after')]);
  const readByStockBuilds = await stockReadProfileFiles(context);
  const findings: Finding[] = [];
  for (const file of profileChanges) {
    if (!readByStockBuilds.has(file.path) || meaningfulContent(file.before ?? '') === meaningfulContent(file.after ?? '')) continue;
    const report = (line: number | null, message: string) =>
      finding('UnguardedProfileChange', 'error', message, { layer: layerOfLine(context, file, line), path: file.path, line });
    const name = profileFileName(file.path)!;
    if (name.startsWith('package.use')) {
      for (const { cp, line } of namedPackages(file, name)) {
        const change = await packageUseChange(context, before, after, cp);
        if (change) findings.push(report(line, `changes stock USE of ${change}`));
      }
    } else if (name === 'use.force' || name === 'use.mask' || name.startsWith('use.stable.')) {
      const flags = [...(file.before ?? '').split('\n'), ...(file.after ?? '').split('\n')].flatMap(contentWords).map((word) => word.replace(/^-/, ''));
      const change = globalUseChange(before, after, flags);
      if (change) findings.push(report(file.regions[0]?.line ?? null, `changes stock USE: ${change}`));
    } else if (name === 'make.defaults') {
      findings.push(...makeDefaultsChanges(file, before, after).map(({ line, message }) => report(line, message)));
    } else {
      findings.push(report(file.regions[0]?.line ?? null, `changes ${name}, which stock builds read`));
    }
  }
  return findings;
}

/** The overlay files a profile's chain reads, relative to the overlay root. */
function overlayFiles(profile: Profile): string[] {
  const overlay = profile.chain.at(-1)?.repo;
  return profileFiles(profile)
    .filter((file) => file.repo === overlay)
    .map((file) => file.path);
}

/** Each package a changed (added or removed) line names, with the patched line to report it at. */
function namedPackages(file: ChangedFile, name: string): { cp: string; line: number }[] {
  const found = new Map<string, number>();
  for (const region of file.regions) {
    region.added.forEach((text, offset) => {
      const atom = lineAtom(name, contentWords(text));
      if (atom && !found.has(atomKey(atom))) found.set(atomKey(atom), region.line + offset);
    });
    for (const text of region.removed) {
      const atom = lineAtom(name, contentWords(text));
      if (atom && !found.has(atomKey(atom))) found.set(atomKey(atom), region.line);
    }
  }
  return [...found].map(([cp, line]) => ({ cp, line }));
}

function describeDecision(decision: FlagDecision | undefined): string {
  if (!decision) return 'unset';
  return `${decision.enabled ? 'on' : 'off'}${decision.forced ? ', forced' : ''}${decision.masked ? ', masked' : ''}`;
}

function sameDecision(a: FlagDecision | undefined, b: FlagDecision | undefined): boolean {
  return a?.enabled === b?.enabled && a?.forced === b?.forced && a?.masked === b?.masked;
}

/** Flag changes between two decision maps, as `flag on → off` texts. */
function decisionChanges(before: ReadonlyMap<string, FlagDecision>, after: ReadonlyMap<string, FlagDecision>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])]
    .filter((flag) => !sameDecision(before.get(flag), after.get(flag)))
    .map((flag) => `${flag} ${describeDecision(before.get(flag))} → ${describeDecision(after.get(flag))}`);
}

/** How the stock USE of some version of `cp` changes, or undefined when it does not (or the package does not exist). */
async function packageUseChange(context: CheckContext, before: NamedProfile[], after: NamedProfile[], cp: string): Promise<string | undefined> {
  const packages = packagesAfter(context);
  for (const ebuild of await packages.ebuilds(cp)) {
    const scan = await packages.scan(ebuild.repo, ebuild.path);
    if (!scan) continue;
    const iuse = (await packages.iuse(ebuild.repo, scan)).flags;
    const options = scan.slot ? { slot: scan.slot } : {};
    for (const { name, profile } of after) {
      const old = before.find((entry) => entry.name === name)?.profile;
      if (!old) continue;
      const changes = decisionChanges(effectiveUse(old, ebuild.cpv, iuse, options), effectiveUse(profile, ebuild.cpv, iuse, options));
      if (changes.length) return `${ebuild.cpv} under ${name}: ${changes.join(', ')}`;
    }
  }
  return undefined;
}

/** The profile without its package lines, so that effective USE shows the profile-wide state of a flag. */
function withoutPackageLines(profile: Profile): Profile {
  return { ...profile, chain: profile.chain.map((node) => ({ ...node, packageUse: [], packageUseForce: [], packageUseMask: [] })) };
}

/** Stands for any flag a package turns on in IUSE when `-*` is judged. */
const IUSE_DEFAULT_FLAG = '(any +flag of IUSE)';

/** How the profile-wide state of `flags` changes under the stock profiles (for either IUSE default), or undefined. */
function globalUseChange(before: NamedProfile[], after: NamedProfile[], flags: readonly string[]): string | undefined {
  for (const { name, profile } of after) {
    const old = before.find((entry) => entry.name === name)?.profile;
    if (!old) continue;
    // `-*` clears every flag set before it and the IUSE defaults: ask about all of them.
    const cleared = flags.includes('*') ? [IUSE_DEFAULT_FLAG, ...[old, profile].flatMap((of) => of.chain.flatMap((node) => node.use.map((setting) => setting.flag)))] : [];
    const named = [...new Set([...flags, ...cleared])].filter((flag) => flag !== '*');
    for (const iuseDefault of [false, true]) {
      const iuse = new Map(named.map((flag) => [flag, iuseDefault]));
      // With package lines gone, which package is asked about does not matter.
      const state = (of: Profile) => effectiveUse(withoutPackageLines(of), 'virtual/any-0', iuse);
      const changes = decisionChanges(state(old), state(profile));
      if (changes.length) return `under ${name}${iuseDefault ? ' (for flags on in IUSE)' : ''}: ${changes.join(', ')}`;
    }
  }
  return undefined;
}

function words(text: string | undefined): string {
  return (text ?? '').split(/\s+/).filter(Boolean).join(' ');
}

/** Findings for a changed `make.defaults`: USE judged by its flags' state, any other variable outright. */
function makeDefaultsChanges(file: ChangedFile, before: NamedProfile[], after: NamedProfile[]): { line: number | null; message: string }[] {
  const parse = (text: string | undefined) => parseMakeDefaults(text ?? '', file.path);
  const old = parse(file.before);
  const now = parse(file.after);
  const lineOf = (name: string) => {
    const origin = now.get(name)?.origins.find(Boolean) ?? '';
    const match = /:(\d+)$/.exec(origin);
    return match ? Number(match[1]) : (file.regions[0]?.line ?? null);
  };
  const results: { line: number | null; message: string }[] = [];
  for (const name of new Set([...old.keys(), ...now.keys()])) {
    if (words(old.get(name)?.text) === words(now.get(name)?.text)) continue;
    if (name === 'USE') {
      const words = [old, now].flatMap((variables) => (variables.get('USE')?.text ?? '').split(/\s+/).filter(Boolean));
      const change = globalUseChange(before, after, words.map((word) => word.replace(/^-/, '')));
      if (change) results.push({ line: lineOf(name), message: `changes stock USE: ${change}` });
    } else {
      results.push({ line: lineOf(name), message: `changes ${name}, which stock builds read` });
    }
  }
  return results;
}
