import { applyStatusCheck } from './apply-status.js';
import type { Check } from './context.js';
import { flagDefaultCheck } from './flag-default.js';
import { forcedFlagNotInIuseCheck } from './forced-flag-not-in-iuse.js';
import { indentStyleCheck } from './indent-style.js';
import { missingBaseCheck } from './missing-base.js';
import { missingFilesdirFileCheck } from './missing-filesdir-file.js';
import { packageSetDriftCheck } from './package-set-drift.js';
import { unguardedChangeCheck } from './unguarded-change.js';
import { unguardedProfileChangeCheck } from './unguarded-profile-change.js';
import { unknownPackageCheck } from './unknown-package.js';
import { useNotInIuseCheck } from './use-not-in-iuse.js';

/** Every check `validate` runs, in the order their findings are reported. */
export const CHECKS: readonly Check[] = [
  applyStatusCheck,
  unguardedChangeCheck,
  flagDefaultCheck,
  unguardedProfileChangeCheck,
  forcedFlagNotInIuseCheck,
  useNotInIuseCheck,
  unknownPackageCheck,
  missingFilesdirFileCheck,
  packageSetDriftCheck,
  indentStyleCheck,
  missingBaseCheck,
];

export { CheckContext, DEFAULT_STOCK_PROFILES, type Check, type CheckInput, type ProfileConfig } from './context.js';
export { finding, sortFindings, type Finding, type Level } from './finding.js';
