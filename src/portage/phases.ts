import { parseEbuild } from './ebuild.js';

/** Phase functions that have a default implementation (PMS §9.1), called as `default` from a defined phase. */
const PHASES_WITH_DEFAULT = new Set(['src_unpack', 'src_prepare', 'src_configure', 'src_compile', 'src_test', 'src_install']);

/** Reads an eclass's text by name, or undefined when it is in no repository. */
export type EclassReader = (name: string) => Promise<string | undefined>;

/**
 * What runs for each phase an ebuild does not define: the phase of the last inherited eclass that
 * exports it (`distutils-r1_src_prepare`), else `default` for phases that have one. Eclasses are
 * followed through their own inherits in order, as sourcing them would. A phase that is defined
 * only as a call of this is the same as no definition at all.
 */
export async function implicitPhases(ebuildText: string, readEclass: EclassReader): Promise<Map<string, string>> {
  const phases = new Map<string, string>([...PHASES_WITH_DEFAULT].map((phase) => [phase, 'default']));
  const seen = new Set<string>();
  const visit = async (eclasses: readonly string[]): Promise<void> => {
    for (const eclass of eclasses) {
      if (seen.has(eclass) || eclass.includes('$')) continue;
      seen.add(eclass);
      const text = await readEclass(eclass);
      if (text === undefined) continue;
      await visit(inheritedBy(text));
      for (const phase of exportedFunctions(text)) phases.set(phase, `${eclass}_${phase}`);
    }
  };
  const model = await parseEbuild(ebuildText).catch(() => undefined);
  await visit(model?.inherits.flatMap((inherit) => inherit.eclasses) ?? []);
  return phases;
}

/** The eclasses an eclass inherits, in order (from every `inherit` line). */
function inheritedBy(eclassText: string): string[] {
  return [...eclassText.matchAll(/^\s*inherit\s+([^\n#;&|]+)/gm)].flatMap((match) => match[1]!.trim().split(/\s+/));
}

/** The phases an eclass exports with `EXPORT_FUNCTIONS`. */
function exportedFunctions(eclassText: string): string[] {
  return [...eclassText.matchAll(/^\s*EXPORT_FUNCTIONS\s+([^\n#;&|]+)/gm)].flatMap((match) => match[1]!.trim().split(/\s+/));
}
