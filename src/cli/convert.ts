import { convertHfToGguf } from '../convert/hfToGguf.js';
import { TARGET_TYPES, type TargetTypeName } from '../convert/encodeTensor.js';
import { CliError, parse, str } from './args.js';

const USAGE = `usage: fastfill convert <hf-folder> <out.gguf> [--type F32|F16|BF16|Q8_0|Q4_0]
  converts a Hugging Face folder (Llama/Mistral/Qwen2, byte-level BPE tokenizer) to GGUF;
  --type sets the type of the weight matrices (default F32; norms and biases stay F32)`;

export function convertCommand(argv: string[]): void {
  const { values, positionals } = parse(argv, { type: { type: 'string' } }, USAGE);
  if (positionals.length !== 2) throw new CliError(`expected a folder and an output path\n${USAGE}`);
  const type = (str(values.type) ?? 'F32').toUpperCase();
  if (!(type in TARGET_TYPES)) throw new CliError(`--type must be one of ${Object.keys(TARGET_TYPES).join(', ')}`);
  convertHfToGguf(positionals[0]!, positionals[1]!, { type: type as TargetTypeName });
}
