import { BlobCache, blobId, codeFingerprint, derivationCode } from '../cache/blob-cache.js';
import { InputError } from '../errors.js';
import type { EbuildPath } from './ebuild-path.js';
import type { SyntaxNode } from './syntax.js';
import { parseBash } from './ebuild.js';
import { parseIuse } from './iuse.js';
import { applyEffect, ebuildVariables, effectHolds, evaluateGlobalScope, LayeredState, ShellState, type CommandHandler, type StateEffect } from './shell-eval.js';

/**
 * An ebuild's metadata (EAPI, SLOT, KEYWORDS, IUSE, REQUIRED_USE) as Portage's metadata step gives
 * it, and where it comes from: a MetadataProvider. The static provider reads it without running
 * bash (the ebuild's and its eclasses' global scope, see shell-eval.ts) and names every variable
 * it could not work out; a provider backed by Portage's own metadata cache can stand in for it.
 */

/** The metadata the model reads of an ebuild. */
export interface EbuildMetadata {
  readonly eapi: string;
  /** SLOT without its subslot. */
  readonly slot: string;
  readonly subslot: string | undefined;
  readonly keywords: readonly string[];
  /** IUSE with the eclasses' IUSE, each flag with its default. */
  readonly iuse: ReadonlyMap<string, boolean>;
  /** REQUIRED_USE with the eclasses' REQUIRED_USE. */
  readonly requiredUse: string;
  /** Variables whose value could not be worked out, and why; the fields above then hold only what was read. */
  readonly notUnderstood: readonly { readonly variable: string; readonly reason: string }[];
}

/** The ebuild a provider is asked about. */
export interface EbuildRef {
  /** The repository's name (`coreos-overlay`, `portage-stable`). */
  readonly repo: string;
  readonly cpv: string;
  /** Path in its repository, after revision symlinks (the body that is sourced). */
  readonly path: string;
}

/** A source of ebuild metadata; undefined when it has no answer for this ebuild (the next source is asked). */
export interface MetadataProvider {
  metadata(ebuild: EbuildRef): Promise<EbuildMetadata | undefined>;
}

/** Reads an eclass's text by name, or undefined when no repository the ebuild sees has it. */
export type EclassReader = (name: string) => Promise<string | undefined>;

/** Variables eclasses add to rather than replace (PMS §7.3: IUSE, REQUIRED_USE and the dependency variables). */
const ACCUMULATED = ['IUSE', 'REQUIRED_USE'] as const;
const MAX_ECLASS_DEPTH = 32;

/**
 * The metadata of the ebuild `text` (named `ebuild`), read statically. Eclasses are evaluated where
 * they are inherited, each once; their IUSE and REQUIRED_USE are collected apart from the ebuild's
 * own, as Portage does.
 */
export async function staticMetadata(text: string, ebuild: EbuildPath, readEclass: EclassReader): Promise<EbuildMetadata> {
  const eclassTexts = new Map<string, string | undefined>();
  await readInherited(text, readEclass, eclassTexts);
  persisted ??= new BlobCache<StoredMetadata>('ebuild-metadata', codeFingerprint(METADATA_CODE));
  const eclassIds = [...eclassTexts].map(([name, eclassText]) => [name, eclassText === undefined ? null : textId(eclassText)]);
  const parameters = JSON.stringify([ebuild.category, ebuild.package, ebuild.version, ebuild.revision, ebuild.path, eclassIds]);
  const stored = await persisted.get(text, parameters);
  if (stored) return { ...stored, subslot: stored.subslot ?? undefined, iuse: new Map(stored.iuse) };
  const metadata = await evaluateMetadata(text, ebuild, eclassTexts);
  persisted.store(text, { ...metadata, subslot: metadata.subslot ?? null, iuse: [...metadata.iuse] }, parameters);
  return metadata;
}

/** The code staticMetadata's answer depends on, beside the bash grammar and parsing modules. */
const METADATA_CODE = [
  ...derivationCode(import.meta.url),
  new URL('./iuse.js', import.meta.url).href,
];

/** Metadata as the blob cache keeps it (JSON: the IUSE map as entries, no subslot as null). */
type StoredMetadata = Omit<EbuildMetadata, 'iuse' | 'subslot'> & { readonly iuse: [string, boolean][]; readonly subslot: string | null };
let persisted: BlobCache<StoredMetadata> | undefined;

/** Blob ids of eclass texts: every ebuild's cache key names its eclasses by content. */
const textIds = new Map<string, string>();
const TEXT_IDS_KEPT = 1024;

function textId(text: string): string {
  let id = textIds.get(text);
  if (!id) {
    id = blobId(text);
    if (textIds.size >= TEXT_IDS_KEPT) textIds.delete(textIds.keys().next().value!);
    textIds.set(text, id);
  }
  return id;
}

/**
 * An evaluation of an eclass's global scope (with the eclasses it inherits) for an ebuild: what it
 * read of the ebuild's state and which eclass each name it inherited was, and what it wrote and added.
 * The versions of a package, and packages using the same eclasses, mostly give the same answers.
 */
interface EclassEvaluation {
  readonly state: StateEffect;
  readonly eclasses: [string, SyntaxNode | undefined][];
  readonly collected: [string, string][];
  readonly notUnderstood: readonly { readonly variable: string; readonly reason: string }[];
}

/** Evaluations of an eclass by its tree, a few of each. */
const evaluations = new WeakMap<SyntaxNode, EclassEvaluation[]>();
const EVALUATIONS_KEPT = 8;

/** Evaluates the ebuild and the eclasses it inherits (`eclassTexts`, read by readInherited) as staticMetadata describes. */
async function evaluateMetadata(text: string, ebuild: EbuildPath, eclassTexts: ReadonlyMap<string, string | undefined>): Promise<EbuildMetadata> {
  const state = new ShellState(ebuildVariables(ebuild.category, ebuild.package, ebuild.version, ebuild.revision));
  const collected = new Map<string, string[]>(ACCUMULATED.map((name) => [name, []]));
  const notUnderstood: { variable: string; reason: string }[] = [];
  // Every parse is asked for at once, so that they run beside one another.
  const parsed = await Promise.all([
    parseBash(text, ebuild.path),
    ...[...eclassTexts].map(([name, eclassText]) => (eclassText === undefined ? undefined : parseBash(eclassText, `eclass/${name}.eclass`))),
  ]);
  const eclasses = new Map<string, SyntaxNode | undefined>([...eclassTexts.keys()].map((name, index) => [name, parsed[index + 1]]));

  let depth = 0;
  // While an eclass the ebuild inherits is evaluated for the memo: what it looked up and added.
  let recording: Pick<EclassEvaluation, 'eclasses' | 'collected'> | undefined;
  const onCommand: CommandHandler = (command, args, _node, current) => {
    if (command !== 'inherit' || depth > MAX_ECLASS_DEPTH) return;
    for (const eclass of args) {
      const found = eclasses.get(eclass);
      recording?.eclasses.push([eclass, found]);
      if (found === undefined) {
        notUnderstood.push({ variable: 'inherit', reason: `eclass ${eclass} not found` });
        continue;
      }
      const saved = ACCUMULATED.map((name) => ({ name, value: current.get(name), why: current.unknown.get(name) ?? '' }));
      for (const name of ACCUMULATED) current.set(name, '', '');
      depth++;
      if (depth === 1) evaluateInherited(found, current, eclass);
      else evaluateGlobalScope(found, current, `eclass/${eclass}.eclass`, onCommand);
      depth--;
      for (const { name, value, why } of saved) {
        const added = current.get(name);
        if (added === null) notUnderstood.push({ variable: name, reason: current.unknown.get(name) ?? '' });
        else if (added) {
          collected.get(name)!.push(added);
          recording?.collected.push([name, added]);
        }
        if (value === undefined) current.unset(name);
        else current.set(name, value, why);
      }
    }
  };
  /** An eclass the ebuild inherits, with what it inherits: replayed when an earlier evaluation's reads hold. */
  const evaluateInherited = (found: SyntaxNode, current: ShellState, eclass: string): void => {
    const earlier = evaluations.get(found) ?? [];
    const known = earlier.find((evaluation) => evaluation.eclasses.every(([name, node]) => eclasses.get(name) === node) && effectHolds(evaluation.state, current));
    if (known) {
      applyEffect(known.state, current);
      notUnderstood.push(...known.notUnderstood);
      for (const [name, added] of known.collected) collected.get(name)!.push(added);
      return;
    }
    const layered = new LayeredState(current);
    const firstReason = notUnderstood.length;
    const record: Pick<EclassEvaluation, 'eclasses' | 'collected'> = { eclasses: [], collected: [] };
    recording = record;
    try {
      evaluateGlobalScope(found, layered, `eclass/${eclass}.eclass`, onCommand);
    } finally {
      recording = undefined;
    }
    const evaluation = { ...record, state: layered.effect(), notUnderstood: notUnderstood.slice(firstReason) };
    applyEffect(evaluation.state, current);
    evaluations.set(found, [...earlier, evaluation].slice(-EVALUATIONS_KEPT));
  };
  evaluateGlobalScope(parsed[0]!, state, ebuild.path, onCommand);

  const read = (name: string): string => {
    const value = state.get(name);
    if (value === null) notUnderstood.push({ variable: name, reason: state.unknown.get(name) ?? '' });
    return value ?? '';
  };
  const eapi = read('EAPI').trim() || '0';
  const [slot = '', subslot] = read('SLOT').trim().split('/');
  if (!slot && !notUnderstood.some((entry) => entry.variable === 'SLOT')) notUnderstood.push({ variable: 'SLOT', reason: 'SLOT is not set' });
  const keywords = read('KEYWORDS').split(/\s+/).filter(Boolean);
  const iuseText = [read('IUSE'), ...collected.get('IUSE')!].join(' ');
  const iuse = new Map<string, boolean>();
  for (const word of iuseText.split(/\s+/).filter(Boolean)) {
    try {
      for (const [flag, on] of parseIuse(word)) iuse.set(flag, on || (iuse.get(flag) ?? false));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      notUnderstood.push({ variable: 'IUSE', reason: `'${word}' is not a flag` });
    }
  }
  const requiredUse = [read('REQUIRED_USE'), ...collected.get('REQUIRED_USE')!].filter((part) => part.trim()).join(' ');
  return { eapi, slot, subslot, keywords, iuse, requiredUse, notUnderstood };
}

/** Reads every eclass `text` inherits, transitively (names as written; `${…}` names are left unread), into `texts`. */
async function readInherited(text: string, readEclass: EclassReader, texts: Map<string, string | undefined>): Promise<void> {
  let level = [text];
  while (level.length) {
    // The names in the order a walk of the texts one by one would meet them, each read once, a level at a time.
    const names = [...new Set(level.flatMap((inheriting) => inheritedNames(inheriting)))].filter((eclass) => !texts.has(eclass));
    for (const name of names) texts.set(name, undefined);
    const read = await Promise.all(names.map((eclass) => readEclass(eclass)));
    names.forEach((name, index) => texts.set(name, read[index]));
    level = read.filter((eclassText): eclassText is string => eclassText !== undefined);
  }
}

/** The eclass names a text inherits literally, by text: every ebuild of a package reads the same eclasses. */
const inheritedByText = new Map<string, readonly string[]>();
const INHERITED_KEPT = 4096;

function inheritedNames(text: string): readonly string[] {
  let names = inheritedByText.get(text);
  if (!names) {
    const code = text.replace(/^[ \t]*#.*$/gm, '').replace(/\\\n/g, ' ');
    const found = [...code.matchAll(/(?:^|[\s;&|()])inherit[ \t]+([^\n#;&|)]*)/g)].flatMap((match) => match[1]!.split(/\s+/));
    names = found.filter((name) => name !== '' && !name.includes('$'));
    if (inheritedByText.size >= INHERITED_KEPT) inheritedByText.delete(inheritedByText.keys().next().value!);
    inheritedByText.set(text, names);
  }
  return names;
}
