import { CliError } from './args.js';

/**
 * The model a command uses. There is no embedded default model yet (it is being trained in its own issue);
 * until then a model path is required.
 */
export function resolveModelPath(given: string | undefined): string {
  if (given) return given;
  throw new CliError('no model given: pass a .gguf file or a Hugging Face folder');
}
