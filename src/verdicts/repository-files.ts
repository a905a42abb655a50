import type { ChangedFile, CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { textOf, type ChangedPath, type Decision } from './types.js';

/** `metadata/layout.conf` keys that change what a build reads or how. */
const LAYOUT_KEYS = /^(masters|eapis-banned|eapis-deprecated|cache-formats?|profile-formats|thin-manifests|use-manifests|manifest-hashes|manifest-required-hashes|sign-manifests|repo-name|aliases|profile_eapi_when_unspecified)$/;

/**
 * The overlay's descriptive and bookkeeping files:
 * - `metadata.xml` (any package) and `metadata/*` are `neutral`, except `metadata/layout.conf`
 *   changes of masters, EAPIs, cache or profile formats or manifest handling (`LayoutChangesStock`);
 * - `licenses/*`: license texts are matched by name, a new or changed one is `neutral`, a deleted
 *   one `unproven` (a stock ebuild may name it);
 * - a package's `Manifest`: new DIST entries are `neutral` (no ebuild could fetch them before, the
 *   manifests being strict), a changed or removed entry of a package with ebuilds is
 *   `stock-changing` (`ManifestChangesStock`);
 * - documentation (`*.md`, `README*`, `changelog/`, `.github/`, `.gitignore`) is `neutral`.
 */
export function judgeRepositoryFile(_context: CheckContext, change: ChangedPath, file: ChangedFile | undefined): Decision | undefined {
  if (change.root !== 'overlay') return undefined;
  const { path } = change;
  const rule = 'repository-file';
  const error = (code: string, message: string): Decision => ({
    verdict: 'stock-changing',
    rule,
    reason: message,
    finding: finding(code, 'error', message, { layer: change.layers.at(-1) ?? null, path, line: file?.regions[0]?.line ?? null }),
  });
  if (/(^|\/)metadata\.xml$/.test(path)) return { verdict: 'neutral', rule, reason: 'package metadata; no build reads it' };
  if (path === 'metadata/layout.conf') {
    const keys = changedKeys(textOf(change.before) ?? '', textOf(change.after) ?? '');
    const build = keys.filter((key) => LAYOUT_KEYS.test(key));
    if (build.length) return error('LayoutChangesStock', `changes ${build.join(', ')} in metadata/layout.conf`);
    return keys.length ? { verdict: 'unproven', rule, reason: `changes ${keys.join(', ')} in metadata/layout.conf` } : { verdict: 'neutral', rule, reason: 'comments and blanks only' };
  }
  if (path.startsWith('metadata/')) return { verdict: 'neutral', rule, reason: 'repository metadata no build reads' };
  if (path.startsWith('licenses/')) {
    return change.change === 'deleted' ? { verdict: 'unproven', rule, reason: 'deletes a license a stock ebuild may name' } : { verdict: 'neutral', rule, reason: 'license text, matched by name' };
  }
  if (/^[^/]+\/[^/]+\/Manifest$/.test(path)) {
    const before = distEntries(textOf(change.before) ?? '');
    const after = distEntries(textOf(change.after) ?? '');
    const lost = [...before].filter(([name, entry]) => after.get(name) !== entry).map(([name]) => name);
    if (lost.length) return error('ManifestChangesStock', `changes or removes the DIST entry of ${lost.join(', ')}`);
    return { verdict: 'neutral', rule, reason: 'only adds DIST entries no ebuild could fetch before' };
  }
  if (/(^|\/)(README[^/]*|[^/]+\.md|\.gitignore)$/.test(path) || /^(changelog|\.github)\//.test(path)) {
    return { verdict: 'neutral', rule, reason: 'documentation; no build reads it' };
  }
  return undefined;
}

function settings(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([^#=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) entries.set(match[1]!, match[2]!.replace(/\s+/g, ' '));
  }
  return entries;
}

function changedKeys(before: string, after: string): string[] {
  const [was, is] = [settings(before), settings(after)];
  return [...new Set([...was.keys(), ...is.keys()])].filter((key) => was.get(key) !== is.get(key));
}

function distEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'DIST' && words[1]) entries.set(words[1], words.slice(2).join(' '));
  }
  return entries;
}
