import type { Command } from '../../framework/command.js';
import { applyCommand, listDefinitionsCommand } from './definitions.js';
import { exportCommand } from './export.js';
import { getCommand } from './get.js';
import { materializeCommand } from './materialize.js';
import { pushCommand } from './push.js';

export const FEATURES_SUMMARY = 'the feature store: definitions, ingestion, online values, training sets';
export const FEATURES_COMMANDS: readonly Command[] = [applyCommand, listDefinitionsCommand, pushCommand, getCommand, exportCommand, materializeCommand];
