import type { Command } from '../../framework/command.js';
import { ackCommand, alertsCommand, driftCommand, performanceCommand } from './commands.js';

export const MONITORING_SUMMARY = 'monitoring: drift and performance reports, alerts';
export const MONITORING_COMMANDS: readonly Command[] = [driftCommand, performanceCommand, alertsCommand, ackCommand];
