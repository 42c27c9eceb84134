import type { Command } from '../../framework/command.js';
import { aliasCommand } from './alias.js';
import { createCommand } from './create.js';
import { diffCommand } from './diff.js';
import { listCommand } from './list.js';
import { registerCommand } from './register.js';
import { showCommand } from './show.js';

export const MODELS_SUMMARY = 'the model registry: models, versions, lineage, aliases';
export const MODELS_COMMANDS: readonly Command[] = [createCommand, registerCommand, listCommand, showCommand, aliasCommand, diffCommand];
