/**
 * nano-overlay as a library: everything the command line does, callable from code and tests.
 * The command line (src/cli.ts) is a thin layer over these functions.
 */

// Whole jobs, as the commands run them.
export { applyToUpstream, applyRendered, type ApplyReport, type ApplyRequest, type ApplyDestination } from './workflow/apply.js';
export { validateLayers, applyAndCheck, type ValidationReport, type ValidateRequest } from './workflow/validate.js';
export { validateRange, type RangeReport, type RangeRequest, type LayerHistory } from './workflow/validate-range.js';
export { nightlyRun, type NightlyReport, type NightlyRequest } from './workflow/nightly.js';
export { runPatch, type PatchCommandOptions, type PatchCommandResult } from './workflow/patch.js';
export { loadLayersFrom, type LoadedLayers } from './workflow/layer-set.js';
export { importBranch } from './maintain/import.js';
export { startRebase, continueRebase, abortRebase } from './maintain/rebase.js';
export { refreshLayers } from './maintain/refresh.js';
export { conditionalizeLayer } from './conditionalize/conditionalize.js';
export { reviewLayers } from './review/review.js';
export { formatReviewMarkdown } from './review/markdown.js';
export { formatReviewHtml } from './review/html.js';

// Layers: loading, rendering, applying in memory.
export { loadLayerSet, type Layer, type LayerSet } from './layers/load.js';
export { renderLayerSet, type RenderedLayer } from './layers/render.js';
export { applyLayers, type ApplyResult, type LayerOutcome, type FileOutcome } from './layers/apply.js';
export { resolveTarget, resolvePackageTarget, type ResolvedTarget, type Follow } from './layers/targets.js';
export { parseManifest, type LayerManifest, type FlagSpec } from './layers/manifest.js';
export { applyEdit, describeEdit, parseEdit, type StructuredEdit } from './edits/index.js';

// Checks and reporters.
export { CHECKS, CheckContext, type Check, type Finding, type Level } from './checks/index.js';
export { formatGithub } from './report/github.js';
export { formatHuman } from './report/human.js';

// The patch engine, the Portage model, trees and git.
export * from './patch/index.js';
export { compareVersions, parseVersion } from './portage/versions.js';
export { parseAtom, atomMatches } from './portage/atoms.js';
export { loadProfile, effectiveUse } from './portage/profiles.js';
export { reduceEbuild, compareReduced } from './portage/reduce.js';
export { ProfileVisibility, type SelectableEbuild, type VisibilityVerdict } from './portage/visibility.js';
export { staticMetadata, type EbuildMetadata, type MetadataProvider } from './portage/metadata.js';
export * from './tree/index.js';
export { DiskTree, writeChanges } from './tree/disk.js';
export { GitTree, resolveRef } from './git/tree.js';
export { ObjectReader } from './git/objects.js';
export { locateUpstream, type Upstream } from './upstream/locate.js';
export { InputError, LayerDefinitionError } from './errors.js';

// The Portage bridge: the image as Portage resolves it, why a package is in it, Portage's metadata.
export { imageReport, whyReport, type ImageReport, type WhyReport, type ImageRequest } from './workflow/image.js';
export { portageTrees, resolveImage, compareImages, whyChains, type ImageSet, type ImagePackage, type ImageEdge } from './portage/image.js';
export { findPortage, callPortage, type PortageRuntime, type PortageOptions } from './portage/bridge.js';
export { portageMetadata, type PortageMetadata } from './portage/metadata-cache.js';
