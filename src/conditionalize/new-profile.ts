import { posix } from 'node:path';
import { parseDocument } from 'yaml';
import type { LayerSet } from '../layers/load.js';
import { SERIES_FILE, VALUES_FILE } from '../layers/load.js';
import type { ChangeSet, FileEntry } from '../tree/types.js';
import { profileConfig } from '../workflow/validate.js';

/** What to tell when no Nano profile exists and none can be made from the stock profiles' names. */
export const NANO_PROFILE_HINT =
  "run 'nano-overlay new nano-profile', place profiles/coreos/<arch>/nano in it and list it under profiles.nano in values.yaml";

/** A Nano profile layer that conditionalize creates because values.yaml names no Nano profile yet. */
export interface NewNanoProfile {
  readonly layer: string;
  /** The directory the Nano settings go to, read by every Nano profile and no stock one. */
  readonly dir: string;
  readonly profiles: readonly string[];
  /** The files it places, relative to the overlay: each profile's `parent`, and the settings files asked for. */
  readonly files: Map<string, string>;
}

const SETTINGS_DIR = 'profiles/coreos/targets/nano';
const STOCK_PROFILE = /^coreos\/([^/]+)\/generic(\/.*)?$/;

/**
 * Plans the Nano profiles for the stock profiles values.yaml names (`coreos/<arch>/generic/prod`
 * gets `coreos/<arch>/nano`, whose parents are the stock profile and the shared directory
 * `profiles/coreos/targets/nano`), in a layer named after `nano-profile` that no layer has.
 * Undefined when a stock profile is not of that shape.
 */
export function planNanoProfile(set: LayerSet): NewNanoProfile | undefined {
  const stock = profileConfig(set).stock;
  const arches = stock.map((profile) => STOCK_PROFILE.exec(profile)?.[1]);
  if (stock.length === 0 || arches.some((arch) => arch === undefined)) return undefined;
  const taken = new Set(set.layers.map((layer) => layer.name));
  let layer = 'nano-profile';
  for (let count = 2; taken.has(layer); count++) layer = `nano-profile-${count}`;
  const files = new Map<string, string>();
  const profiles: string[] = [];
  stock.forEach((profile, index) => {
    const nano = `coreos/${arches[index]}/nano`;
    if (profiles.includes(nano)) return;
    profiles.push(nano);
    const dir = `profiles/${nano}`;
    files.set(`${dir}/parent`, `${posix.relative(dir, `profiles/${profile}`)}\n${posix.relative(dir, SETTINGS_DIR)}\n`);
  });
  return { layer, dir: SETTINGS_DIR, profiles, files };
}

/** Claims a settings file of the new profile (placed with a header line); false for paths outside its directory. */
export function claimSettingsFile(profile: NewNanoProfile | undefined, path: string): boolean {
  if (!profile || !path.startsWith(`${profile.dir}/`)) return false;
  if (!profile.files.has(path)) profile.files.set(path, `# Flatcar Nano settings: read by ${profile.profiles.join(' and ')}, never by a stock profile.\n`);
  return true;
}

/**
 * The layer-set files for the new profile layer: its manifest (recording `base`), its overlay
 * files, its series entry before `before`, and values.yaml listing the profiles under
 * `profiles.nano` (comments kept).
 */
export function newProfileChanges(set: LayerSet, profile: NewNanoProfile, before: string, base: string, seriesText: string, valuesText: string): ChangeSet {
  const changes: ChangeSet = new Map();
  const text = (value: string): FileEntry => ({ mode: '100644', data: Buffer.from(value) });
  const names = profile.profiles.join(' and ');
  changes.set(
    `patches/${profile.layer}/layer.yaml`,
    text(
      `summary: ${JSON.stringify(`profiles: add the Flatcar Nano profiles, ${names}`)}\n` +
        `description: |\n  Nano builds select ${names}: each inherits its stock profile and\n` +
        `  reads ${profile.dir}, where the Nano-only USE settings live. No stock\n  profile reads that directory, so stock builds are unchanged.\n` +
        `base: ${base}\n`,
    ),
  );
  for (const [path, content] of profile.files) changes.set(`overlay/${profile.layer}/${path}`, text(content));
  const lines = seriesText.split('\n');
  const at = lines.findIndex((line) => line.replace(/#.*$/, '').trim() === before);
  lines.splice(at < 0 ? lines.length : at, 0, profile.layer);
  changes.set(SERIES_FILE, text(lines.join('\n')));
  const values = parseDocument(valuesText);
  if (!values.has('profiles')) values.set('profiles', values.createNode({ stock: profileConfig(set).stock }));
  values.setIn(['profiles', 'nano'], values.createNode([...profile.profiles]));
  changes.set(VALUES_FILE, text(values.toString({ lineWidth: 0 })));
  return changes;
}
