import { posix } from 'node:path';
import type { CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { packagesAfter, packagesBefore, type Packages } from '../checks/packages.js';
import { nameVariables, stockConfigurations } from '../checks/stock-use.js';
import { scanEbuild } from '../checks/ebuild-scan.js';
import { filesdirWordAt } from '../portage/ebuild.js';
import { reduceEbuildLines } from '../portage/reduce.js';
import { globMatches } from '../portage/shell-eval.js';
import { firstChangedLine, type ChangedPath, type Decision } from './types.js';

/**
 * FILESDIR files (`<category>/<package>/files/…`) added, changed, removed or re-moded:
 * `stock-changing` (`FilesdirChangesStock`) when stock code of the package can read or install the
 * file: a `${FILESDIR}` word in an ebuild of the package reduced under each stock configuration, or
 * in an eclass it inherits, names the file, a directory holding it (a recursive install, a loop), a
 * glob matching it, or a path through a variable (any other expansion matches anything). `guarded`
 * when only code under a layer flag reads it, `neutral` when nothing does.
 */
export async function judgeFilesdir(context: CheckContext, change: ChangedPath): Promise<Decision | undefined> {
  const match = /^([^/]+\/[^/]+)\/files\/(.+)$/.exec(change.path);
  if (change.root !== 'overlay' || !match) return undefined;
  const [, cp, relative] = match as unknown as [string, string, string];
  const rule = 'filesdir-readers';
  let guardedReader: string | undefined;
  for (const packages of [packagesAfter(context), packagesBefore(context)]) {
    for (const ebuild of await packages.ebuilds(cp)) {
      if (ebuild.repo !== 'overlay') continue;
      const body = await packages.resolve('overlay', ebuild.path);
      if (!body) continue;
      const eclassWords = await eclassFilesdirWords(packages, body.text, body.path);
      const configurations = await stockConfigurations(context, { path: body.path, layers: [], before: body.text, after: body.text, regions: [] });
      for (const configuration of configurations) {
        const lines = await reduceEbuildLines(body.text, configuration.isEnabled, { variables: configuration.variables ?? nameVariables(ebuild) });
        const words = [...lines.flatMap((line) => filesdirWords(line.text).map((word) => ({ word, line: line.line, from: body.path }))), ...eclassWords];
        const reader = words.find(({ word }) => reads(word, relative, configuration.variables ?? nameVariables(ebuild)));
        if (reader) {
          const message = `${change.change === 'added' ? 'a new' : 'a'} FILESDIR file stock code reads: ${reader.from}:${reader.line} (${configuration.description}) uses \${FILESDIR}${reader.word}`;
          const where = { layer: change.layers.at(-1) ?? null, path: change.path, line: firstChangedLine(change) };
          return { verdict: 'stock-changing', rule, reason: message, finding: finding('FilesdirChangesStock', 'error', message, where) };
        }
      }
      const all = filesdirWords(body.text);
      if (!guardedReader && all.some((word) => reads(word, relative, nameVariables(ebuild)))) guardedReader = body.path;
    }
  }
  if (guardedReader) return { verdict: 'guarded', rule, reason: `only guarded code of ${guardedReader} reads it` };
  return { verdict: 'neutral', rule, reason: change.change === 'added' ? 'new file nothing stock reads' : 'no stock code of the package reads it' };
}

/** The `${FILESDIR}` words of `text`, each as the path after `${FILESDIR}` (`/openssh`, `` for the directory itself). */
function filesdirWords(text: string): string[] {
  if (!text.includes('FILESDIR')) return [];
  return [...text.matchAll(/\$(?:\{FILESDIR\}|FILESDIR\b)/g)].map((match) => filesdirWordAt(text, match.index));
}

/** `${FILESDIR}` words of the eclasses an ebuild inherits, found anywhere in their text. */
async function eclassFilesdirWords(packages: Packages, text: string, path: string): Promise<{ word: string; line: number; from: string }[]> {
  const words: { word: string; line: number; from: string }[] = [];
  const seen = new Set<string>();
  const visit = async (eclasses: readonly string[]): Promise<void> => {
    for (const eclass of eclasses) {
      if (seen.has(eclass)) continue;
      seen.add(eclass);
      const eclassText = await packages.eclassText('overlay', eclass);
      if (eclassText === undefined) continue;
      eclassText.split('\n').forEach((line, index) => {
        if (!line.trimStart().startsWith('#')) for (const word of filesdirWords(line)) words.push({ word, line: index + 1, from: `eclass/${eclass}.eclass` });
      });
      await visit((await scanEbuild(eclassText)).inherits);
    }
  };
  await visit((await scanEbuild(text, path)).inherits);
  return words;
}

/** True when a `${FILESDIR}` word can name `relative` (a path below files/) or a directory holding it. */
function reads(word: string, relative: string, variables: ReadonlyMap<string, string>): boolean {
  const expanded = word.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const value = variables.get(braced ?? bare ?? '');
    return value ?? '*';
  });
  if (/\$/.test(expanded)) return true; // an expansion it cannot read: anything
  const pattern = posix.normalize(`/${expanded}`).replace(/^\/+|\/+$/g, '');
  if (pattern === '' || pattern === '.') return true;
  const segments = relative.split('/');
  return segments.some((_, index) => globMatches(pattern, segments.slice(0, index + 1).join('/')));
}
