import { existsSync } from 'node:fs';
import { DEFAULT_MODEL_PATH } from '../eval/assets.js';
import { CliError } from './args.js';

/**
 * The model a command uses: the one given, else $FASTFILL_MODEL, else the embedded default model committed in
 * models/default/ (a small long-context Llama trained by tools/train/; see models/default/MODEL.md).
 */
export function resolveModelPath(given: string | undefined): string {
  if (given) return given;
  const fromEnv = process.env.FASTFILL_MODEL;
  if (fromEnv) return fromEnv;
  if (!existsSync(DEFAULT_MODEL_PATH)) {
    throw new CliError(`no model given and the embedded default model ${DEFAULT_MODEL_PATH} is missing: pass a .gguf file or a Hugging Face folder`);
  }
  return DEFAULT_MODEL_PATH;
}
