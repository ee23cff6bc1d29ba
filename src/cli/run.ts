import { generate } from '../engine/generate.js';
import { setThreads } from '../kernels/native.js';
import { loadModel } from '../model/load.js';
import { CliError, isNonNegativeInt, isPositiveInt, numberOption, parse, str, strs } from './args.js';
import { resolveModelPath } from './defaultModel.js';

const USAGE = `usage: fastfill run [model] --prompt <text> [options]
  -p, --prompt <text>        the prompt (special-token text such as <|im_start|> is parsed)
  -n, --max-tokens <N>       tokens to generate (default 128)
  --temp <T>                 temperature, 0 = greedy (default 0.8)
  --top-k <K> --top-p <P> --min-p <P>
  --repeat-penalty <R> --presence-penalty <P> --frequency-penalty <F>
  --seed <S>                 random seed (same seed, same output)
  --stop <text>              stop string (repeatable)
  --ctx <C>                  context length (default: the model's)
  --chunk <N>                prefill chunk size in tokens (default 512)
  -t, --threads <N>          compute threads (default: all cores)
  --ignore-eos               do not stop at end-of-generation tokens
  --json                     print {"prompt_ids", "ids", "text"} as one JSON object`;

export function runCommand(argv: string[]): void {
  const { values, positionals } = parse(argv, {
    prompt: { type: 'string', short: 'p' },
    'max-tokens': { type: 'string', short: 'n' },
    temp: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'min-p': { type: 'string' },
    'repeat-penalty': { type: 'string' },
    'presence-penalty': { type: 'string' },
    'frequency-penalty': { type: 'string' },
    seed: { type: 'string' },
    stop: { type: 'string', multiple: true },
    ctx: { type: 'string' },
    chunk: { type: 'string' },
    threads: { type: 'string', short: 't' },
    'ignore-eos': { type: 'boolean' },
    json: { type: 'boolean' },
  }, USAGE);
  if (positionals.length > 1) throw new CliError(`expected at most one model path, got ${positionals.length}\n${USAGE}`);
  if (values.prompt === undefined) throw new CliError(`--prompt is required\n${USAGE}`);
  const threads = numberOption(values.threads, 'threads', isPositiveInt, 'a positive integer');
  if (threads !== undefined) setThreads(threads);

  const model = loadModel(resolveModelPath(positionals[0]));
  const contextLength = numberOption(values.ctx, 'ctx', isPositiveInt, 'a positive integer') ?? model.config.contextLength;
  const promptIds = model.tokenizer.encode(str(values.prompt)!, { addSpecial: true, parseSpecial: true });
  const json = values.json === true;
  const result = generate(model, {
    promptIds,
    maxTokens: numberOption(values['max-tokens'], 'max-tokens', isNonNegativeInt, 'a non-negative integer') ?? 128,
    sampling: {
      temperature: numberOption(values.temp, 'temp', (n) => n >= 0, 'a number >= 0') ?? 0.8,
      topK: numberOption(values['top-k'], 'top-k', isNonNegativeInt, 'a non-negative integer'),
      topP: numberOption(values['top-p'], 'top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
      minP: numberOption(values['min-p'], 'min-p', (n) => n >= 0 && n <= 1, 'a number in [0, 1]'),
      repetitionPenalty: numberOption(values['repeat-penalty'], 'repeat-penalty', (n) => n > 0, 'a number > 0'),
      presencePenalty: numberOption(values['presence-penalty'], 'presence-penalty'),
      frequencyPenalty: numberOption(values['frequency-penalty'], 'frequency-penalty'),
      seed: numberOption(values.seed, 'seed', Number.isInteger, 'an integer'),
    },
    stop: strs(values.stop) ?? [],
    ignoreEos: values['ignore-eos'] === true,
    chunkSize: numberOption(values.chunk, 'chunk', isPositiveInt, 'a positive integer'),
    contextLength,
  }, json ? undefined : (delta) => process.stdout.write(delta));
  if (json) {
    process.stdout.write(JSON.stringify({ prompt_ids: promptIds, ids: result.ids, text: result.text,
      finish_reason: result.finishReason }) + '\n');
  } else {
    process.stdout.write('\n');
  }
}
