import type { Command } from '../framework/command.js';
import { DEPLOYMENTS_COMMANDS, DEPLOYMENTS_SUMMARY } from './deployments/index.js';
import { FEATURES_COMMANDS, FEATURES_SUMMARY } from './features/index.js';
import { MODELS_COMMANDS, MODELS_SUMMARY } from './models/index.js';
import { MONITORING_COMMANDS, MONITORING_SUMMARY } from './monitoring/index.js';
import { predictCommand } from './predict.js';

/** The top level of `mlops`: groups of subcommands, and commands of their own (predict). */
export type CommandTreeEntry =
  | { readonly kind: 'group'; readonly name: string; readonly summary: string; readonly commands: readonly Command[] }
  | { readonly kind: 'command'; readonly command: Command };

export const COMMAND_TREE: readonly CommandTreeEntry[] = [
  { kind: 'group', name: 'models', summary: MODELS_SUMMARY, commands: MODELS_COMMANDS },
  { kind: 'group', name: 'features', summary: FEATURES_SUMMARY, commands: FEATURES_COMMANDS },
  { kind: 'group', name: 'deployments', summary: DEPLOYMENTS_SUMMARY, commands: DEPLOYMENTS_COMMANDS },
  { kind: 'command', command: predictCommand },
  { kind: 'group', name: 'monitoring', summary: MONITORING_SUMMARY, commands: MONITORING_COMMANDS },
];
