import type { StructuredEdit } from '../edits/index.js';
import { InputError } from '../errors.js';
import { appliedTo, treesBefore, type FileOutcome } from '../layers/apply.js';
import { loadLayerSet, SERIES_FILE, VALUES_FILE, type LayerSet } from '../layers/load.js';
import { renderLayerSet } from '../layers/render.js';
import { createPatch } from '../patch/index.js';
import { layerChanges, type LayerChanges } from '../review/layer-diffs.js';
import { stockProfiles, type StockProfiles } from '../review/stock-profiles.js';
import { DiskTree, writeChanges } from '../tree/disk.js';
import { PendingTree } from '../tree/pending.js';
import type { ChangeSet, ReadableTree } from '../tree/types.js';
import { locateUpstream, type Upstream } from '../upstream/locate.js';
import { flagDefaultCheck } from '../checks/flag-default.js';
import type { Finding } from '../checks/finding.js';
import { unguardedChangeCheck } from '../checks/unguarded-change.js';
import { unguardedProfileChangeCheck } from '../checks/unguarded-profile-change.js';
import { applyRendered } from '../workflow/apply.js';
import { applyAndCheck } from '../workflow/validate.js';
import { loadLayersFrom } from '../workflow/layer-set.js';
import { implicitPhases } from '../portage/phases.js';
import { conditionalizeEbuild, guardFor, type Guard } from './ebuild.js';
import { claimSettingsFile, NANO_PROFILE_HINT, newProfileChanges, planNanoProfile, type NewNanoProfile } from './new-profile.js';
import { nanoProfileDir, nanoTarget, nanoUseLines, profileLineChanges } from './profiles.js';
import { rewriteLayer, type LayerPlan } from './rewrite.js';

export interface ConditionalizeRequest {
  readonly layer: string;
  readonly flag: string;
  readonly layersDir?: string;
  readonly upstream: string;
  readonly ref?: string;
  /** The flag's default in IUSE; `off` needs a reason. */
  readonly default?: 'on' | 'off';
  readonly reason?: string;
  readonly dryRun?: boolean;
  /**
   * Convert only the changes to these packages (category/package) and their profile lines, so that
   * a layer with several concerns gets a flag for each, one run per flag.
   */
  readonly packages?: readonly string[];
}

/** What `conditionalize` did or would do, in the shape `--json` prints. */
export interface ConditionalizeReport {
  readonly layer: string;
  readonly flag: string;
  readonly default: 'on' | 'off';
  readonly written: boolean;
  /** Ebuilds whose changes now sit under the flag, and how the layer now expresses them. */
  readonly converted: readonly { readonly path: string; readonly as: 'edits' | 'patch'; readonly changes: readonly string[] }[];
  /** Lines moved from stock profile files to the Nano profile. */
  readonly moved: readonly { readonly from: string; readonly to: string; readonly lines: readonly string[] }[];
  /** Changes left as the layer made them, with the reason. */
  readonly unconverted: readonly { readonly path: string; readonly line: number | null; readonly reason: string }[];
  /** What still has to happen for Nano builds to take the guarded path. */
  readonly next: readonly string[];
  /** The change to the layer set's files, as a patch. */
  readonly diff: string;
}

const FLAG_NAME = /^[A-Za-z0-9][A-Za-z0-9+_@-]*$/;

/** The checks a conversion must satisfy: what it rewrites must be stock-safe. */
const STOCK_SAFETY_CHECKS = [unguardedChangeCheck, flagDefaultCheck, unguardedProfileChangeCheck];

/**
 * Rewrites layer `layer` so that its unconditional changes to upstream ebuilds run under USE flag
 * `flag` (see conditionalizeEbuild) and its additions to profile files that stock builds read move
 * to the Nano profile. The layer set is applied in memory to the upstream at `ref` to see each
 * change; the rewritten layer is applied again and must produce the guarded files before anything
 * is written, and the stock-safety checks run on it: what they still find is listed as unconverted.
 * With `dryRun` nothing is written and the report carries the diff.
 */
export async function conditionalizeLayer(request: ConditionalizeRequest): Promise<ConditionalizeReport> {
  const stockDefault = request.default ?? 'on';
  if (!FLAG_NAME.test(request.flag)) throw new InputError(`--flag '${request.flag}' is not a valid USE flag name`);
  if (stockDefault === 'off' && !request.reason?.trim()) throw new InputError('--default off needs --reason: say why stock builds keep the flag off');
  const loaded = await loadLayersFrom(request.layersDir);
  const layer = loaded.set.layers.find((entry) => entry.name === request.layer);
  if (!layer) throw new InputError(`no layer '${request.layer}' in patches/series`, 'patches/series');
  if (layer.manifest.root !== 'overlay') throw new InputError(`layer '${layer.name}' changes the scripts repository; conditionalize works on overlay layers`, layer.manifestFile);
  const upstream = await locateUpstream(request.upstream, request.ref ?? 'HEAD');
  try {
    const guard = guardFor(request.flag, stockDefault);
    const result = await applyRendered(upstream, loaded.rendered);
    const outcome = result.layers.find((entry) => entry.name === layer.name)!;
    if (outcome.status === 'failed' || outcome.status === 'conflict') {
      throw new InputError(`layer '${layer.name}' does not apply to ${upstream.ref}; fix it before conditionalizing (nano-overlay validate shows why)`, layer.manifestFile);
    }
    const trees = appliedTo(result);
    const changes = (await layerChanges(result, trees)).find((entry) => entry.name === layer.name)!;
    const masters = upstream.portageStablePrefix ? await upstream.openTree('portage-stable') : undefined;
    const stock = await stockProfiles(loaded.set, result.overlay, masters);
    const existing = await nanoProfileDir(loaded.set, result.overlay, stock, masters);
    const created = existing === undefined ? planNanoProfile(loaded.set) : undefined;
    const beforeLayer = treesBefore(trees, result, result.layers.indexOf(outcome)).overlay;
    const context = { stock, nanoDir: existing ?? created?.dir, created, beforeLayer, base: upstream.commit, masters, packages: request.packages };
    const planned = await planLayer(loaded.set, layer.name, changes, guard, request.reason, context);

    const disk = new DiskTree(loaded.dir);
    const manifestText = (await disk.read(layer.manifestFile))!.data.toString('utf8');
    const rewrite: ChangeSet = planned.plan ? rewriteLayer(layer, manifestText, planned.plan) : new Map();
    if (planned.plan && created && created.files.size > created.profiles.length) {
      const textOf = async (path: string) => (await disk.read(path))?.data.toString('utf8') ?? '';
      for (const [path, entry] of newProfileChanges(loaded.set, created, layer.name, upstream.commit, await textOf(SERIES_FILE), await textOf(VALUES_FILE))) rewrite.set(path, entry);
      planned.report.next.unshift(`created layer '${created.layer}' with the Nano profiles ${created.profiles.join(', ')} (values.yaml profiles.nano); Nano builds select them`);
    }
    if (planned.plan) {
      const left = await verify(loaded.dir, rewrite, upstream, layer.name, planned.expected);
      planned.report.unconverted.push(...left.map((finding) => ({ path: finding.path ?? layer.manifestFile, line: finding.line, reason: `validate still finds ${finding.code}: ${finding.message}` })));
    }
    const diff = await layerSetDiff(disk, rewrite);
    const written = !request.dryRun && rewrite.size > 0;
    if (written) await writeChanges(loaded.dir, rewrite);
    return { layer: layer.name, flag: request.flag, default: stockDefault, written, diff, ...planned.report };
  } finally {
    await upstream.close();
  }
}

type ReportParts = Pick<ConditionalizeReport, 'converted' | 'moved' | 'unconverted' | 'next'> & { next: string[]; unconverted: ConditionalizeReport['unconverted'][number][] };

/** What planning a layer reads besides the layer: the profiles, the tree before the layer, the upstream commit. */
interface PlanContext {
  readonly stock: StockProfiles;
  /** Where Nano profile lines go, when there is (or will be) a Nano profile. */
  readonly nanoDir: string | undefined;
  /** The Nano profile layer this run creates, when there is no Nano profile yet. */
  readonly created: NewNanoProfile | undefined;
  readonly beforeLayer: ReadableTree;
  readonly base: string;
  readonly masters: ReadableTree | undefined;
  /** Only these packages' ebuilds and profile lines; every change when undefined. */
  readonly packages: readonly string[] | undefined;
}

/** Decides file by file what becomes of the layer's changes. */
async function planLayer(
  set: LayerSet,
  name: string,
  changes: LayerChanges,
  guard: Guard,
  reason: string | undefined,
  context: PlanContext,
): Promise<{ plan: LayerPlan | undefined; expected: Map<string, string>; report: ReportParts }> {
  const { stock, nanoDir, created, beforeLayer, base, masters } = context;
  const converted: ReportParts['converted'][number][] = [];
  const moved: ReportParts['moved'][number][] = [];
  const unconverted: ReportParts['unconverted'][number][] = [];
  const replaced: FileOutcome[] = [];
  const edits: { file: string; edit: StructuredEdit }[] = [];
  const patches: LayerPlan['patches'][number][] = [];
  const placed: { path: string; lines: string[] }[] = [];
  const expected = new Map<string, string>();
  const packages = new Set<string>();
  const placedBy = new Map(set.layers.flatMap((entry) => entry.overlayFiles.map((file) => [file.path, entry.name] as const)));

  for (const file of changes.files.filter((entry) => concerns(entry.path, entry.after?.data.toString('utf8'), context.packages))) {
    const sources = changes.outcome.files.filter((entry) => entry.resolvedPath === file.path && entry.kind !== 'file');
    const named = sources[0]?.path ?? file.path;
    const leave = (why: string, line: number | null = null) => unconverted.push({ path: file.path, line, reason: why });
    if (!file.before) continue;
    if (file.before.mode === '120000' || file.after?.mode === '120000') {
      leave('changes a symlink');
      continue;
    }
    if (!file.after) {
      leave('deletes an upstream file; a deletion cannot be guarded');
      continue;
    }
    const template = sources.find((entry) => entry.kind === 'patch' && entry.source.endsWith('.hbs'));
    if (template) {
      leave(`comes from the template ${template.source}; guard it there by hand`);
      continue;
    }
    const before = file.before.data.toString('utf8');
    const after = file.after.data.toString('utf8');
    if (file.path.endsWith('.ebuild')) {
      const prepareCall = (await implicitPhases(before, (name) => eclassText(name, beforeLayer, masters))).get('src_prepare');
      const result = await conditionalizeEbuild(before, after, file.path, guard, prepareCall ? { prepareCall } : {});
      result.unconverted.forEach((entry) => leave(entry.reason, entry.line));
      if (result.converted.length === 0) continue;
      replaced.push(...sources);
      if (result.edits) edits.push(...result.edits.map((edit) => ({ file: named, edit })));
      else patches.push({ file: named, before: file.before, after: { mode: file.after.mode, data: Buffer.from(result.text) } });
      expected.set(file.path, result.text);
      packages.add(file.path.split('/').slice(0, 2).join('/'));
      converted.push({ path: file.path, as: result.edits ? 'edits' : 'patch', changes: result.converted });
    } else if (stock.files.has(file.path)) {
      const lines = profileLineChanges(before, after);
      const nanoLines = nanoUseLines(file.path, lines.removed, lines.added);
      if (lines.added.length === 0 && nanoLines === undefined) {
        leave('removes lines a stock profile reads; stock builds would change');
        continue;
      }
      if (!nanoDir) {
        leave(`changes lines a stock profile reads, and values.yaml names no Nano profile (profiles.nano) to move them to: ${NANO_PROFILE_HINT}`);
        continue;
      }
      const target = nanoTarget(file.path, stock, nanoDir);
      const owner = placedBy.get(target);
      const exists = (await beforeLayer.read(target)) !== undefined || claimSettingsFile(created, target);
      if (!exists && owner !== undefined && owner !== name) {
        leave(`adds lines a stock profile reads; their place, ${target}, is placed by layer '${owner}', which comes later: move this layer after it`);
        continue;
      }
      replaced.push(...sources);
      const moving = nanoLines ?? lines.added;
      if (nanoLines === undefined) {
        edits.push(...lines.removed.map((line) => ({ file: file.path, edit: { type: 'line-remove', line } as StructuredEdit })));
        lines.removed.forEach((line) => leave(`removes '${line}', which a stock profile reads; left as it was`));
      }
      if (!exists) placed.push({ path: target, lines: moving });
      else edits.push(...moving.map((line) => ({ file: target, edit: { type: 'line-add', line } as StructuredEdit })));
      moved.push({ from: file.path, to: target, lines: moving });
    } else if (!file.path.startsWith('profiles/')) {
      leave('is neither an ebuild nor a profile file; guard it by hand (for a package from portage-stable, in its coreos/config/env hook)');
    }
  }

  const next = [...packages].map((pkg) =>
    nanoDir
      ? `Nano builds must turn ${guard.flag} ${guard.default === 'on' ? 'off' : 'on'}: '${pkg} ${guard.default === 'on' ? '-' : ''}${guard.flag}' in ${nanoDir}/package.use`
      : `Nano builds must turn ${guard.flag} ${guard.default === 'on' ? 'off' : 'on'} for ${pkg} in the Nano profile`,
  );
  const report = { converted, moved, unconverted, next };
  if (converted.length === 0 && moved.length === 0) return { plan: undefined, expected, report };
  const description = guard.default === 'off' ? `Off by default: ${reason!.trim()}` : 'On by default, so stock builds keep their behaviour; Nano builds turn it off.';
  return {
    plan: { replaced, edits, patches, placed, base, flag: { name: guard.flag, default: guard.default, packages: [...packages], description } },
    expected,
    report,
  };
}

/** Whether a changed file belongs to the packages asked for: their ebuilds, or profile lines naming them. */
function concerns(path: string, text: string | undefined, packages: readonly string[] | undefined): boolean {
  if (packages === undefined) return true;
  if (!path.startsWith('profiles/')) return packages.includes(path.split('/').slice(0, 2).join('/'));
  return packages.some((pkg) => (text ?? '').includes(pkg));
}

/** An eclass's text from the overlay, else from portage-stable. */
async function eclassText(name: string, overlay: ReadableTree, masters: ReadableTree | undefined): Promise<string | undefined> {
  const entry = (await overlay.read(`eclass/${name}.eclass`)) ?? (await masters?.read(`eclass/${name}.eclass`));
  return entry?.data.toString('utf8');
}

/** Applies the rewritten layer set in memory and checks that the layer produces the guarded files. */
async function verify(dir: string, rewrite: ChangeSet, upstream: Upstream, layer: string, expected: ReadonlyMap<string, string>): Promise<Finding[]> {
  const tree = new PendingTree(new DiskTree(dir));
  tree.merge(rewrite);
  const set = await loadLayerSet(tree);
  const rendered = renderLayerSet(set);
  const { result, findings } = await applyAndCheck(upstream, { dir, set, rendered }, STOCK_SAFETY_CHECKS);
  const outcome = result.layers.find((entry) => entry.name === layer);
  if (!outcome || outcome.status === 'failed' || outcome.status === 'conflict') {
    throw new Error(`the rewritten layer '${layer}' does not apply: ${outcome?.files.find((file) => file.message)?.message ?? outcome?.status}`);
  }
  for (const [path, text] of expected) {
    const produced = outcome.changes.get(path)?.data.toString('utf8');
    if (produced !== text) throw new Error(`the rewritten layer '${layer}' does not reproduce the guarded ${path}`);
  }
  return findings.filter((finding) => finding.layer === layer && finding.level === 'error');
}

/** The change to the layer set's files as a patch, path by path. */
async function layerSetDiff(tree: ReadableTree, changes: ChangeSet): Promise<string> {
  const parts: string[] = [];
  for (const [path, entry] of [...changes].sort(([a], [b]) => a.localeCompare(b))) parts.push(createPatch(path, path, await tree.read(path), entry ?? undefined));
  return parts.join('');
}
