import { applyStatusCheck } from './apply-status.js';
import type { Check } from './context.js';
import { indentStyleCheck } from './indent-style.js';

/** Every check `validate` runs, in the order their findings are reported. */
export const CHECKS: readonly Check[] = [applyStatusCheck, indentStyleCheck];

export { CheckContext, DEFAULT_STOCK_PROFILES, type Check, type CheckInput, type ProfileConfig } from './context.js';
export { finding, sortFindings, type Finding, type Level } from './finding.js';
