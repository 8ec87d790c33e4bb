import type { ImportPlan } from './import/import.command.js';
import type { CommandPlan } from './plan.js';

/** Called by a command's action with what it will do; the program runs it once parsing is done. */
export type Submit = (plan: CommandPlan | ImportPlan) => void;
