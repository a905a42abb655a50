import { verdictCheck } from './verdict-findings.js';

/**
 * `StockSafetyUnproven` (warning): no rule could prove what a changed file does to a stock build
 * (a kind of file without a rule, a lower ebuild version whose visibility is not known, a new
 * script); the message says what could not be judged. Nothing counts as stock-safe unproven.
 */
export const stockSafetyUnprovenCheck = verdictCheck('stock-safety-unproven', ['StockSafetyUnproven']);
