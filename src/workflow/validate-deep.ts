import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { finding, type Finding } from '../checks/finding.js';
import type { LayerSet } from '../layers/load.js';
import { boardForProfile } from '../portage/board.js';
import { callPortage, findPortage, type PortageOptions } from '../portage/bridge.js';
import {
  answerKey,
  cachedAnswer,
  compareImages,
  generateMetadata,
  portageSettings,
  portageTrees,
  resolveImage,
  withConfigRoot,
  type ImagePackage,
  type ImageSet,
  type PortageTrees,
} from '../portage/image.js';
import { atomMatches } from '../portage/atoms.js';
import { parseIuse } from '../portage/iuse.js';
import { portageMetadata } from '../portage/metadata-cache.js';
import { effectiveUse, loadProfile } from '../portage/profiles.js';
import { ProfileVisibility } from '../portage/visibility.js';
import { locateUpstream } from '../upstream/locate.js';
import { imageDefaults } from './image.js';
import { loadLayersFrom } from './layer-set.js';
import { profileConfig } from './validate.js';

/** One ebuild as Portage sees it under a profile. */
export interface PortageEbuild {
  readonly cpv: string;
  readonly repo: string;
  readonly use: readonly string[];
  readonly iuse: readonly string[];
  readonly slot: string;
  readonly keywords: readonly string[];
  readonly visible: boolean;
  readonly RDEPEND: string;
  readonly PDEPEND: string;
  readonly DEPEND: string;
  readonly BDEPEND: string;
  readonly IDEPEND: string;
}

const COMPARED_FIELDS = ['use', 'iuse', 'slot', 'keywords', 'visible', 'RDEPEND', 'PDEPEND', 'DEPEND', 'BDEPEND', 'IDEPEND'] as const;

/** Every ebuild of the trees under `profile`, as Portage sees it (cached under the trees' content keys). */
export async function portageEbuilds(trees: PortageTrees, profile: string, options: PortageOptions = {}): Promise<PortageEbuild[]> {
  const board = await boardForProfile(trees.scripts, profile);
  return cachedAnswer('ebuilds', answerKey(trees, ['ebuilds', profile, board], options), async () => {
    await generateMetadata(trees, options);
    const runtime = await findPortage(options);
    const answer = await withConfigRoot((configRoot) =>
      callPortage<{ packages: PortageEbuild[] }>(runtime, { op: 'packages', configRoot, imageRoot: `${configRoot}/image`, ...portageSettings(trees, profile, board) }),
    );
    return answer.packages;
  });
}

/** The flags the layers introduce: differences in them are what the layers are for. */
function introducedFlags(set: LayerSet): Set<string> {
  return new Set(set.layers.flatMap((layer) => layer.manifest.flags.map((flag) => flag.name)));
}

function withoutFlags(value: PortageEbuild[(typeof COMPARED_FIELDS)[number]], flags: ReadonlySet<string>, field: string): string {
  if (!Array.isArray(value)) return String(value);
  const list = value as readonly string[];
  return list.filter((flag) => !((field === 'use' || field === 'iuse') && flags.has(flag.replace(/^[+-]/, '')))).join(' ');
}

/** The layer whose changes touch the package directory of `cpv`, when one does. */
function owningLayer(trees: PortageTrees, cp: string): string | null {
  const layer = trees.applied?.layers.find((outcome) => outcome.root === 'overlay' && [...outcome.changes.keys()].some((path) => path.startsWith(`${cp}/`)));
  return layer?.name ?? null;
}

function cpOf(cpv: string): string {
  return cpv.replace(/-[0-9][^/]*$/, '');
}

/**
 * Compares every ebuild of both repositories under a stock profile before and after the layers:
 * effective USE, IUSE, SLOT, KEYWORDS, visibility and each dependency class reduced under that USE.
 * A difference not explained by a layer-introduced flag is an error naming package, field, before and after.
 */
export function compareEbuilds(before: readonly PortageEbuild[], after: readonly PortageEbuild[], profile: string, flags: ReadonlySet<string>, layerOf: (cp: string) => string | null): Finding[] {
  const key = (ebuild: PortageEbuild): string => `${ebuild.cpv}::${ebuild.repo}`;
  const afterByKey = new Map(after.map((ebuild) => [key(ebuild), ebuild]));
  const beforeKeys = new Set(before.map(key));
  const beforeNames = new Set(before.map((ebuild) => cpOf(ebuild.cpv)));
  const findings: Finding[] = [];
  const report = (ebuild: PortageEbuild, field: string, was: string, now: string): void => {
    const cp = cpOf(ebuild.cpv);
    findings.push(
      finding('PortageStockChange', 'error', `${ebuild.cpv}::${ebuild.repo} under ${profile}: ${field} changes from "${was}" to "${now}" (Portage)`, {
        layer: layerOf(cp),
        path: ebuild.repo === 'coreos-overlay' ? `${cp}/${ebuild.cpv.slice(cp.indexOf('/') + 1)}.ebuild` : null,
      }),
    );
  };
  for (const old of before) {
    const now = afterByKey.get(key(old));
    if (!now) {
      if (old.visible) report(old, 'ebuild', 'present', 'removed');
      continue;
    }
    for (const field of COMPARED_FIELDS) {
      const was = withoutFlags(old[field], flags, field);
      const is = withoutFlags(now[field], flags, field);
      if (was !== is) report(old, field, was, is);
    }
  }
  for (const added of after) {
    if (!beforeKeys.has(key(added)) && added.visible && beforeNames.has(cpOf(added.cpv))) report(added, 'ebuild', 'absent', 'added');
  }
  return findings;
}

/** Compares the stock image before and after the layers; a package added, removed, or built otherwise is an error. */
export function compareStockImages(before: ImageSet, after: ImageSet, flags: ReadonlySet<string>, layerOf: (cp: string) => string | null): Finding[] {
  const delta = compareImages(before, after);
  const strip = (pkg: ImagePackage): string => pkg.use.filter((flag) => !flags.has(flag)).join(' ');
  const where = `the stock image of ${before.package} under ${before.profile}`;
  return [
    ...delta.onlyLeft.map((pkg) => finding('PortageStockImageChange', 'error', `${where} loses ${pkg.cpv} (Portage)`, { layer: layerOf(pkg.cp) })),
    ...delta.onlyRight.map((pkg) => finding('PortageStockImageChange', 'error', `${where} gains ${pkg.cpv} (Portage)`, { layer: layerOf(pkg.cp) })),
    ...delta.changed
      .filter(({ left, right }) => left.version !== right.version || strip(left) !== strip(right))
      .map(({ left, right }) =>
        finding('PortageStockImageChange', 'error', `${where}: ${left.cp} changes from ${left.version} USE="${strip(left)}" to ${right.version} USE="${strip(right)}" (Portage)`, {
          layer: layerOf(left.cp),
        }),
      ),
  ];
}

/**
 * Compares the static model's effective USE (what plain `validate` judges by) with Portage's for
 * every package of an image; each disagreement is an error of nano-overlay itself. `model` is the
 * static model's effective-USE function (replaceable to check the comparison itself).
 */
export async function compareStaticModel(trees: PortageTrees, image: ImageSet, model: typeof effectiveUse = effectiveUse): Promise<Finding[]> {
  const profile = await loadProfile(trees.overlay, `profiles/${image.profile}`, { masters: trees.portageStable });
  const findings: Finding[] = [];
  for (const pkg of image.packages) {
    const repo = trees.repos.find((candidate) => candidate.name === pkg.repo);
    const metadata = repo && portageMetadata(repo, pkg.cpv);
    if (!metadata) continue;
    const keywords = (metadata.KEYWORDS ?? '').split(/\s+/).filter(Boolean);
    const { stable } = ProfileVisibility.of(profile).verdict({ cpv: pkg.cpv, repository: pkg.repo, slot: pkg.slot, subslot: pkg.subslot, keywords });
    const decisions = model(profile, pkg.cpv, parseIuse(metadata.IUSE ?? ''), { slot: pkg.slot, repo: pkg.repo, stable });
    const modelUse = [...decisions].filter(([, decision]) => decision.enabled).map(([flag]) => flag).sort();
    if (modelUse.join(' ') !== pkg.use.join(' ')) {
      findings.push(
        finding('StaticModelDisagrees', 'error', `nano-overlay's static USE model disagrees with Portage on ${pkg.cpv} under ${image.profile}: model USE="${modelUse.join(' ')}", Portage USE="${pkg.use.join(' ')}"`),
      );
    }
  }
  return findings;
}

/**
 * Profile lines the layers add whose USE setting Portage does not follow for a package of the image
 * (a parent profile forces or masks the flag, as Gentoo's base profile forces readline on bash):
 * the line has no effect, which no static check sees.
 */
export async function ineffectiveProfileLines(trees: PortageTrees, image: ImageSet): Promise<Finding[]> {
  const changed = new Set(trees.applied?.overlay.changes.keys() ?? []);
  const profile = await loadProfile(trees.overlay, `profiles/${image.profile}`, { masters: trees.portageStable });
  const findings: Finding[] = [];
  for (const node of profile.chain.filter((entry) => entry.files.some((file) => changed.has(file)))) {
    for (const line of node.packageUse) {
      for (const pkg of image.packages.filter((candidate) => atomMatches(line.atom, { cpv: candidate.cpv, slot: candidate.slot, subslot: candidate.subslot, repo: candidate.repo }))) {
        const repo = trees.repos.find((candidate) => candidate.name === pkg.repo);
        const iuse = parseIuse((repo && portageMetadata(repo, pkg.cpv)?.IUSE) ?? '');
        for (const setting of line.flags.filter((entry) => iuse.has(entry.flag) && pkg.use.includes(entry.flag) === entry.negated)) {
          const [path, lineNumber] = setting.source.split(':');
          const layer = trees.applied?.layers.find((outcome) => outcome.changes.has(path!))?.name ?? null;
          findings.push(
            finding('ProfileLineIneffective', 'warning', `${setting.negated ? '-' : ''}${setting.flag} for ${pkg.cpv} has no effect under ${image.profile}: Portage builds it with${setting.negated ? '' : 'out'} ${setting.flag}`, {
              layer,
              path: path ?? null,
              line: lineNumber ? Number(lineNumber) : null,
            }),
          );
        }
      }
    }
  }
  return findings;
}

/** One pkgcheck result. */
interface PkgcheckResult {
  readonly level: string;
  readonly keyword: string;
  readonly message: string;
  readonly category?: string;
  readonly package?: string;
  readonly version?: string;
}

/** The packages of the overlay the layers touch (category/package directories). */
function touchedPackages(trees: PortageTrees): string[] {
  const packages = new Set<string>();
  for (const path of trees.applied?.overlay.changes.keys() ?? []) {
    const [category, name] = path.split('/');
    if (name && /^[a-z0-9]+-[a-z0-9]+$|^virtual$/.test(category!) && !['profiles', 'eclass', 'metadata'].includes(category!)) packages.add(`${category}/${name}`);
  }
  return [...packages].sort();
}

async function pkgcheckOn(trees: PortageTrees, profile: string, targets: readonly string[], options: PortageOptions): Promise<{ available: boolean; findings: PkgcheckResult[] }> {
  const board = await boardForProfile(trees.scripts, profile);
  return cachedAnswer('pkgcheck', answerKey(trees, ['pkgcheck', profile, targets], options), async () => {
    const runtime = await findPortage(options);
    return withConfigRoot((configRoot) => callPortage<{ available: boolean; findings: PkgcheckResult[] }>(runtime, { op: 'pkgcheck', configRoot, targets, ...portageSettings(trees, profile, board) }));
  });
}

/**
 * Gentoo's own QA: pkgcheck on the packages the layers touch, before and after the layers, under
 * the first stock profile. Each finding new after the layers is reported with pkgcheck's keyword as
 * its code (pkgcheck's errors as warnings: they are QA, not stock safety). Nothing when pkgcheck is
 * not installed beside Portage, except an info saying so.
 */
export async function pkgcheckFindings(before: PortageTrees, after: PortageTrees, profile: string, layerOf: (cp: string) => string | null, options: PortageOptions = {}): Promise<Finding[]> {
  const targets = touchedPackages(after);
  if (targets.length === 0) return [];
  const existing = targets.filter((cp) => before.repos.some((repo) => repo.name === 'coreos-overlay' && existsSync(join(repo.location, cp))));
  const now = await pkgcheckOn(after, profile, targets, options);
  if (!now.available) return [finding('PkgcheckMissing', 'info', 'pkgcheck is not installed beside Portage: Gentoo\'s QA checks were not run')];
  const then = existing.length > 0 ? await pkgcheckOn(before, profile, existing, options) : { available: true, findings: [] };
  const key = (result: PkgcheckResult): string => JSON.stringify([result.keyword, result.category, result.package, result.version, result.message]);
  const old = new Set(then.findings.map(key));
  return now.findings
    .filter((result) => !old.has(key(result)))
    .map((result) => {
      const cp = result.category && result.package ? `${result.category}/${result.package}` : '';
      const level = result.level === 'error' ? 'warning' : result.level === 'style' || result.level === 'info' ? result.level : 'warning';
      const where = [cp, result.version].filter(Boolean).join('-');
      return finding(result.keyword, level, `pkgcheck${where ? ` on ${where}` : ''}: ${result.message}`, { layer: cp ? layerOf(cp) : null });
    });
}

/** What `validate --deep` asks for. */
export interface DeepRequest extends PortageOptions {
  readonly upstream: string;
  readonly ref?: string;
  readonly layersDir?: string;
}

/**
 * `validate --deep`: stock safety re-checked by Portage (every ebuild under every stock profile and
 * the resolved stock images, before vs after the layers) and the static model checked against
 * Portage on every package of the stock and the Nano images.
 */
export async function deepFindings(request: DeepRequest): Promise<Finding[]> {
  const upstream = await locateUpstream(request.upstream, request.ref ?? 'HEAD');
  try {
    const layers = await loadLayersFrom(request.layersDir);
    const flags = introducedFlags(layers.set);
    const defaults = imageDefaults(layers.set);
    const before = await portageTrees(upstream, undefined);
    const after = await portageTrees(upstream, layers);
    const findings: Finding[] = [];
    const unreadable = await generateMetadata(after, request);
    for (const ebuild of unreadable) {
      findings.push(finding('PortageUnreadable', 'warning', `Portage could not read ${ebuild.repo}/${ebuild.path} (EAPI ${ebuild.eapi}${ebuild.eapi === '9' ? ': needs bash >= 5.3, see --bash' : ''})`));
    }
    for (const profile of profileConfig(layers.set).stock) {
      const layerOf = (cp: string): string | null => owningLayer(after, cp);
      findings.push(...compareEbuilds(await portageEbuilds(before, profile, request), await portageEbuilds(after, profile, request), profile, flags, layerOf));
      if (!defaults.stockPackage) continue;
      const stockAfter = await resolveImage(after, defaults.stockPackage, profile, request);
      findings.push(...compareStockImages(await resolveImage(before, defaults.stockPackage, profile, request), stockAfter, flags, layerOf));
      findings.push(...(await compareStaticModel(after, stockAfter)));
    }
    const first = profileConfig(layers.set).stock[0];
    if (first) findings.push(...(await pkgcheckFindings(before, after, first, (cp) => owningLayer(after, cp), request)));
    if (defaults.nanoPackage) {
      for (const profile of defaults.nano) {
        const image = await resolveImage(after, defaults.nanoPackage, profile, request);
        findings.push(...(await compareStaticModel(after, image)), ...(await ineffectiveProfileLines(after, image)));
      }
    }
    return findings;
  } finally {
    await upstream.close();
  }
}
