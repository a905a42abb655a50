import { applyStatusCheck } from './apply-status.js';
import { buildInputsCheck } from './build-inputs.js';
import type { Check } from './context.js';
import { filesdirChangesStockCheck } from './filesdir-changes-stock.js';
import { flagDefaultCheck } from './flag-default.js';
import { forcedFlagNotInIuseCheck } from './forced-flag-not-in-iuse.js';
import { indentStyleCheck } from './indent-style.js';
import { missingBaseCheck } from './missing-base.js';
import { missingFilesdirFileCheck } from './missing-filesdir-file.js';
import { missingFlagDescriptionCheck } from './missing-flag-description.js';
import { nanoFlagNotOffCheck } from './nano-flag-not-off.js';
import { packageSetDriftCheck } from './package-set-drift.js';
import { profileLineNoEffectCheck } from './profile-line-no-effect.js';
import { requiredUseUnsatisfiedCheck } from './required-use-unsatisfied.js';
import { scriptsChangeStockCheck } from './scripts-change-stock.js';
import { stockSafetyUnprovenCheck } from './stock-safety-unproven.js';
import { unguardedChangeCheck } from './unguarded-change.js';
import { unguardedProfileChangeCheck } from './unguarded-profile-change.js';
import { unknownPackageCheck } from './unknown-package.js';
import { unsafeWriteCheck } from './unsafe-write.js';
import { useNotInIuseCheck } from './use-not-in-iuse.js';
import { versionSelectionCheck } from './version-selection.js';

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
  missingFlagDescriptionCheck,
  packageSetDriftCheck,
  indentStyleCheck,
  unsafeWriteCheck,
  filesdirChangesStockCheck,
  scriptsChangeStockCheck,
  versionSelectionCheck,
  buildInputsCheck,
  stockSafetyUnprovenCheck,
  nanoFlagNotOffCheck,
  profileLineNoEffectCheck,
  requiredUseUnsatisfiedCheck,
  missingBaseCheck,
];

export { CheckContext, DEFAULT_STOCK_PROFILES, type Check, type CheckInput, type ProfileConfig } from './context.js';
export { finding, sortFindings, type Finding, type Level } from './finding.js';
