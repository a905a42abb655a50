import { tryParseVersion } from './versions.js';

/** An ebuild's identity as read from its path `category/package/package-version[-rN].ebuild`. */
export interface EbuildPath {
  readonly category: string;
  readonly package: string;
  /** The version without the revision, as written. */
  readonly version: string;
  /** The revision number (0 when the file name has no `-rN`). */
  readonly revision: number;
  /** `category/package-version[-rN]`, as written in the file name. */
  readonly cpv: string;
  /** The path as given. */
  readonly path: string;
}

const PACKAGE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9+_-]*$/;

/** True when `name` is a valid package name per PMS: it must not end in `-` plus something that parses as a version. */
export function isPackageName(name: string): boolean {
  if (!PACKAGE_NAME_RE.test(name)) return false;
  const dash = name.lastIndexOf('-');
  return dash < 0 || !tryParseVersion(name.slice(dash + 1));
}

/**
 * Splits `package-version[-rN]` per PMS: the version is the shortest trailing `-`-separated part
 * that parses as a version (so `x264-enc-0.164-r2` is package `x264-enc`, version `0.164-r2`).
 * Returns undefined when no such split exists.
 */
export function splitPackageVersion(pvr: string): { package: string; version: string } | undefined {
  for (let dash = pvr.lastIndexOf('-'); dash > 0; dash = pvr.lastIndexOf('-', dash - 1)) {
    const version = pvr.slice(dash + 1);
    if (tryParseVersion(version)) return { package: pvr.slice(0, dash), version };
  }
  return undefined;
}

/**
 * Parses the last three segments of `path` as `category/package/package-version.ebuild`. Returns
 * undefined when the path is not an ebuild or its file name does not match its package directory.
 */
export function parseEbuildPath(path: string): EbuildPath | undefined {
  const segments = path.split('/');
  if (segments.length < 3) return undefined;
  const [category, packageDir, fileName] = segments.slice(-3) as [string, string, string];
  if (!fileName.endsWith('.ebuild')) return undefined;
  const pvr = fileName.slice(0, -'.ebuild'.length);
  const split = splitPackageVersion(pvr);
  if (!split || split.package !== packageDir || !isPackageName(split.package)) return undefined;
  const revision = tryParseVersion(split.version)!.revision;
  return {
    category,
    package: split.package,
    version: split.version.replace(/-r\d+$/, ''),
    revision: Number(revision || '0'),
    cpv: `${category}/${pvr}`,
    path,
  };
}

