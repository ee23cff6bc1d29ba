// Where the committed default model lives (models/default/ at the repository root) and what it holds.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../packageRoot.js';

export const DEFAULT_MODEL_DIR = path.join(PACKAGE_ROOT, 'models', 'default');
/** the embedded default model: the F16 GGUF (the same weights are in hf/ as a safetensors folder) */
export const DEFAULT_MODEL_PATH = path.join(DEFAULT_MODEL_DIR, 'fastfill-default-f16.gguf');
/** the long-context task formats shared with the training recipe (tools/train/tasks.py) */
export const TASKS_PATH = path.join(DEFAULT_MODEL_DIR, 'tasks.json');
/** held-out Brown corpus text, one sentence a line, documents separated by an empty line */
export const HELDOUT_PATH = path.join(DEFAULT_MODEL_DIR, 'heldout.txt');

export function readTextAsset(file: string): string {
  if (!existsSync(file)) throw new Error(`${file}: missing (it is committed with the default model in models/default/)`);
  return readFileSync(file, 'utf8');
}
