import { atomKey, parseAtom, type Atom } from '../portage/atoms.js';
import type { Check, CheckContext } from './context.js';
import { finding, type Finding } from './finding.js';
import { packagesBefore } from './packages.js';

/**
 * `PackageSetDrift` (warning): values.yaml's `package_set` decides, package by package, what the
 * Nano base package keeps from and drops of the stock base package's RDEPEND. Every package in that
 * RDEPEND at the upstream ref (all conditional groups flattened, `${DEPEND}` included) that the data
 * neither keeps nor drops needs a decision; every keep or drop entry naming a package no longer
 * there is a stale decision. Packages match by category/package.
 */
export const packageSetDriftCheck: Check = {
  name: 'package-set-drift',
  codes: ['PackageSetDrift'],
  async run(context) {
    const data = context.input.set.values.package_set;
    if (data === undefined) return [];
    const set = readPackageSet(data);
    const layer = owningLayer(context, set.package);
    const warn = (message: string, where: { path?: string | null; line?: number | null } = {}) => finding('PackageSetDrift', 'warning', message, { layer, ...where });
    if (!set.stock) return [warn('values.yaml package_set has no valid `stock` package (category/package)')];
    const packages = packagesBefore(context);
    const ebuild = await packages.best(set.stock);
    const resolved = ebuild && (await packages.resolve(ebuild.repo, ebuild.path));
    const scan = ebuild && (await packages.scan(ebuild.repo, ebuild.path));
    if (!ebuild || !resolved || !scan) return [warn(`values.yaml package_set.stock: ${atomKey(set.stock)} has no ebuild upstream`)];

    const includesDepend = scan.dependencies.some((item) => item.variable === 'RDEPEND' && /^\$\{?DEPEND\}?$/.test(item.text));
    const stockList = new Map<string, number>();
    for (const item of scan.dependencies) {
      if (!(item.variable === 'RDEPEND' || (includesDepend && item.variable === 'DEPEND')) || item.text.includes('$') || item.text.startsWith('!')) continue;
      const atom = tryAtom(item.text);
      if (atom && !stockList.has(atomKey(atom))) stockList.set(atomKey(atom), item.line);
    }

    const decided = new Set([...set.keep, ...set.drop].map(atomKey));
    const path = ebuild.repo === 'overlay' ? resolved.path : null;
    const findings: Finding[] = [];
    for (const [cp, line] of stockList) {
      if (!decided.has(cp)) findings.push(warn(`${cp} is in ${atomKey(set.stock)}'s RDEPEND but package_set neither keeps nor drops it`, { path, line }));
    }
    for (const [list, atoms] of [['keep', set.keep], ['drop', set.drop]] as const) {
      for (const atom of atoms) {
        if (!stockList.has(atomKey(atom))) findings.push(warn(`package_set.${list}: ${atomKey(atom)} is no longer in ${atomKey(set.stock)}'s RDEPEND (stale decision)`));
      }
    }
    return findings;
  },
};

interface PackageSet {
  readonly stock: Atom | undefined;
  readonly package: string | undefined;
  readonly keep: readonly Atom[];
  readonly drop: readonly Atom[];
}

function tryAtom(text: unknown): Atom | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return parseAtom(text.trim());
  } catch {
    return undefined;
  }
}

/** The package_set entries that parse; entries that do not are left out. */
function readPackageSet(data: unknown): PackageSet {
  const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  const atoms = (values: unknown[]) => values.flatMap((value) => tryAtom(value) ?? []);
  return {
    stock: tryAtom(record.stock),
    package: typeof record.package === 'string' ? record.package : undefined,
    keep: atoms(list(record.keep)),
    drop: atoms(list(record.drop).map((entry) => (typeof entry === 'object' && entry !== null ? (entry as { atom?: unknown }).atom : entry))),
  };
}

/** The layer that writes the Nano base package's files, if any. */
function owningLayer(context: CheckContext, cp: string | undefined): string | null {
  if (!cp) return null;
  return context.overlayLayers.find((layer) => [...layer.changes.keys()].some((path) => path.startsWith(`${cp}/`)))?.name ?? null;
}
