import type { Command } from 'commander';
import { registerApplyCommand } from './apply.js';
import { registerConditionalizeCommand } from './conditionalize.js';
import { registerExampleCommand } from './example.js';
import { registerImageCommands } from './image.js';
import { registerImportCommand } from './import.js';
import { registerListCommand } from './list.js';
import { registerNewCommand } from './new.js';
import { registerNightlyCommand } from './nightly.js';
import { registerPatchCommand } from './patch.js';
import { registerRebaseCommand } from './rebase.js';
import { registerRefreshCommand } from './refresh.js';
import { registerReviewCommand } from './review.js';
import { registerUseCommand } from './use.js';
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
  registerImageCommands(program);
  registerNightlyCommand(program);
  registerUseCommand(program);
  registerExampleCommand(program);
}
