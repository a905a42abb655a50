import { InputError, LayerDefinitionError } from '../errors.js';
import type { StructuredEdit } from '../edits/index.js';
import { parsePatch, type FilePatch } from '../patch/index.js';
import type { FileEntry } from '../tree/types.js';
import type { Layer, LayerSet } from './load.js';
import type { EditTarget } from './manifest.js';
import { TemplateRenderer, type TemplateSource } from './templates.js';

/** A layer with every template rendered: the concrete patches, edits and files it applies. */
export interface RenderedLayer {
  readonly layer: Layer;
  readonly patches: readonly { readonly file: string; readonly patches: readonly FilePatch[] }[];
  readonly edits: readonly { readonly target: EditTarget; readonly edit: StructuredEdit; readonly location: string }[];
  readonly files: readonly { readonly path: string; readonly entry: FileEntry; readonly file: string }[];
}

/**
 * Renders every layer of the set: `.hbs` patch and overlay files and the text fields of structured
 * edits go through Handlebars (strict) with the shared values, the layer's variables and
 * `layer` (name, summary, flags) as context. Errors are LayerDefinitionErrors naming the layer,
 * the file and the line.
 */
export function renderLayerSet(set: LayerSet): RenderedLayer[] {
  const renderer = new TemplateRenderer(set.templates);
  return set.layers.map((layer) => renderLayer(renderer, set, layer));
}

function renderLayer(renderer: TemplateRenderer, set: LayerSet, layer: Layer): RenderedLayer {
  const context = templateContext(set, layer);
  const render = (source: TemplateSource): string => {
    try {
      return renderer.render(source, context);
    } catch (error) {
      if (error instanceof InputError && !(error instanceof LayerDefinitionError)) {
        throw new LayerDefinitionError('TemplateError', layer.name, error);
      }
      throw error;
    }
  };

  const patches = layer.patchFiles.map(({ file, entry }) => {
    const raw = entry.data.toString('utf8');
    const text = file.endsWith('.hbs') ? render({ name: file, file, text: raw }) : raw;
    try {
      return { file, patches: parsePatch(text, file) };
    } catch (error) {
      if (error instanceof InputError) throw new LayerDefinitionError('BadPatch', layer.name, error);
      throw error;
    }
  });

  const edits = layer.manifest.edits.map(({ target, edit, location }) => ({
    target,
    location,
    edit: renderFields(edit, (field, text) => render({ name: `${location}.${field}`, file: `${location}.${field}`, text })),
  }));

  const files = layer.overlayFiles.map(({ path, entry, file, template }) => ({
    path,
    file,
    entry: template ? { mode: entry.mode, data: Buffer.from(render({ name: file, file, text: entry.data.toString('utf8') })) } : entry,
  }));

  return { layer, patches, edits, files };
}

/** Renders `text` as the layer's template `file` would be rendered (same partials, values and variables). */
export function renderLayerText(set: LayerSet, layer: Layer, file: string, text: string): string {
  return new TemplateRenderer(set.templates).render({ name: file, file, text }, templateContext(set, layer));
}

/** The context every template of a layer sees. Layer variables override shared values. */
function templateContext(set: LayerSet, layer: Layer): Record<string, unknown> {
  return {
    ...set.values,
    ...layer.manifest.variables,
    layer: { name: layer.name, summary: layer.manifest.summary, flags: layer.manifest.flags },
  };
}

function renderFields<T extends object>(edit: T, render: (field: string, text: string) => string): T {
  const rendered: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(edit)) {
    rendered[field] = typeof value === 'string' && value.includes('{{') ? render(field, value) : value;
  }
  return rendered as T;
}
