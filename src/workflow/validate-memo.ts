import { resolve } from 'node:path';
import { RecordingTree, ResultCache } from '../cache/result-cache.js';
import { generatedMetadataTrees } from '../portage/metadata-cache.js';
import { DiskTree } from '../tree/disk.js';
import { resolveUpstream, type ResolvedUpstream } from '../upstream/locate.js';
import type { ValidateRequest, ValidationReport } from './validate.js';

let reports: ResultCache<ValidationReport> | undefined;

/**
 * validateLayers with its report memoized: the key is the code, the upstream repository and the
 * commit its ref names, the layer set's directory and the Portage metadata the bridge has generated;
 * the entry holds every read of the layer set, so any edit to it is a miss. A hit costs resolving the
 * ref and re-reading the layer set; the checks are not even loaded. A miss validates the commit the
 * key names, resolved once.
 */
export async function validateLayersMemoized(request: Omit<ValidateRequest, 'checks' | 'wrapLayers' | 'resolved'>): Promise<ValidationReport> {
  const resolved = await resolveUpstream(request.upstream, request.ref ?? 'HEAD').catch(() => undefined);
  const key = resolved && reportKey(request, resolved);
  const layersDir = resolve(request.layersDir ?? '.');
  reports ??= new ResultCache<ValidationReport>('validate-report');
  const stored = key === undefined ? undefined : await reports.lookup(key, new DiskTree(layersDir));
  if (stored) return stored;
  // The parse worker threads start while the checks load.
  (await import('../portage/bash-parser.js')).useParseWorkers();
  const { validateLayers } = await import('./validate.js');
  let recorder: RecordingTree | undefined;
  const report = await validateLayers({ ...request, ...(resolved ? { resolved } : {}), wrapLayers: (tree) => (recorder = new RecordingTree(tree)) });
  if (key !== undefined && recorder) await reports.store(key, recorder.reads, report);
  return report;
}

/** The memo key of a request whose upstream resolved to `upstream` (validateLayers says why one does not). */
function reportKey(request: Omit<ValidateRequest, 'checks' | 'wrapLayers' | 'resolved'>, upstream: ResolvedUpstream): string {
  return JSON.stringify([upstream.repoDir, request.ref ?? 'HEAD', upstream.commit, resolve(request.layersDir ?? '.'), generatedMetadataTrees()]);
}
