import type { Command } from '../../framework/command.js';
import { canaryCommand, reportCommand, rollbackCommand, setCommand, shadowCommand, statusCommand } from './commands.js';

export const DEPLOYMENTS_SUMMARY = 'the router: variants and weights, shadows, canaries, rollback';
export const DEPLOYMENTS_COMMANDS: readonly Command[] = [statusCommand, setCommand, shadowCommand, canaryCommand, rollbackCommand, reportCommand];
