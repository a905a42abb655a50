import type { Command } from 'commander';
import { registerApplyCommand } from './apply.js';
import { registerConditionalizeCommand } from './conditionalize.js';
import { registerExampleCommand } from './example.js';
import { registerImportCommand } from './import.js';
import { registerListCommand } from './list.js';
import { registerNewCommand } from './new.js';
import { registerPatchCommand } from './patch.js';
import { registerRebaseCommand } from './rebase.js';
import { registerRefreshCommand } from './refresh.js';
import { registerReviewCommand } from './review.js';
import { registerValidateCommand } from './validate.js';

/** Registers every sub-command on the program. */
export function registerCommands(program: Command): void {
  registerListCommand(program);
  registerApplyCommand(program);
  registerNewCommand(program);
  registerValidateCommand(program);
  registerRebaseCommand(program);
  registerRefreshCommand(program);
  registerImportCommand(program);
  registerReviewCommand(program);
  registerConditionalizeCommand(program);
  registerPatchCommand(program);
  registerExampleCommand(program);
}
