// `fastfill bench serve`: command-line options -> runBenchServe -> table on stdout, JSON to a file.
import { writeFileSync } from 'node:fs';
import { CliError, isPositiveInt, isNonNegativeInt, numberOption, parse, str } from '../../cli/args.js';
import { DATASETS, type DatasetName } from './datasets.js';
import { runBenchServe } from './runBenchServe.js';

const USAGE = `usage: fastfill bench serve --base-url <URL> [options]
Load test for any OpenAI-compatible server (streamed requests with ignore_eos and max_tokens).
  --base-url <URL>           the server, e.g. http://127.0.0.1:8080
  --model <M>                model name (default: the first the server lists)
  --endpoint <path>          /v1/completions (default) or /v1/chat/completions
  --dataset <D>              random (default) | prefix-repetition | long-doc-qa
  --num-prompts <N>          requests (default 1000)
  --input-len <I>            random: prompt tokens (default 1024)
  --output-len <O>           output tokens per request (default 128)
  --num-prefixes <P>         prefix-repetition: shared prefixes (10); long-doc-qa: documents (4)
  --prefix-len <L>           prefix-repetition: prefix tokens (256); long-doc-qa: document tokens (2048)
  --suffix-len <S>           prefix-repetition: unique suffix tokens (256); long-doc-qa: question tokens (32)
  --request-rate <R|inf>     requests per second (default inf: all at once)
  --burstiness <B>           gamma shape of the gaps: 1 = Poisson (default), < 1 burstier
  --max-concurrency <C>      requests in flight at most
  --seed <S>                 seed of prompts and arrivals (default 0)
  --api-key <K>              bearer token (default: env FASTFILL_API_KEY or OPENAI_API_KEY)
  --json <file>              also write the results as JSON (vLLM's keys)
  --quiet                    no progress on stderr
Prompt lengths are exact token counts when the server answers /tokenize, else approximated by words.`;

export async function benchServeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    'base-url': { type: 'string' },
    model: { type: 'string' },
    endpoint: { type: 'string' },
    dataset: { type: 'string' },
    'num-prompts': { type: 'string' },
    'input-len': { type: 'string' },
    'output-len': { type: 'string' },
    'num-prefixes': { type: 'string' },
    'prefix-len': { type: 'string' },
    'suffix-len': { type: 'string' },
    'request-rate': { type: 'string' },
    burstiness: { type: 'string' },
    'max-concurrency': { type: 'string' },
    seed: { type: 'string' },
    'api-key': { type: 'string' },
    json: { type: 'string' },
    quiet: { type: 'boolean' },
  }, USAGE);
  if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}'\n${USAGE}`);
  const baseUrl = str(values['base-url']);
  if (!baseUrl) throw new CliError(`--base-url is required\n${USAGE}`);
  if (!/^https?:\/\//.test(baseUrl)) throw new CliError(`--base-url must start with http:// or https://, got '${baseUrl}'`);
  const dataset = str(values.dataset) ?? 'random';
  if (!DATASETS.includes(dataset as DatasetName)) {
    throw new CliError(`--dataset must be one of ${DATASETS.join(', ')}, got '${dataset}'`);
  }
  const endpoint = str(values.endpoint) ?? '/v1/completions';
  if (!endpoint.startsWith('/')) throw new CliError(`--endpoint must be a path starting with '/', got '${endpoint}'`);
  const positive = (name: string) => numberOption(values[name], name, isPositiveInt, 'a positive integer');
  const nonNegative = (name: string) => numberOption(values[name], name, isNonNegativeInt, 'a non-negative integer');
  const rateText = str(values['request-rate']);
  const requestRate = rateText === undefined || rateText === 'inf' ? Infinity
    : numberOption(rateText, 'request-rate', (n) => n > 0, "a number > 0 or 'inf'")!;

  const result = await runBenchServe({
    baseUrl,
    model: str(values.model),
    endpoint,
    dataset: dataset as DatasetName,
    numPrompts: positive('num-prompts') ?? 1000,
    inputLen: positive('input-len'),
    outputLen: positive('output-len') ?? 128,
    numPrefixes: positive('num-prefixes'),
    prefixLen: nonNegative('prefix-len'),
    suffixLen: nonNegative('suffix-len'),
    requestRate,
    burstiness: numberOption(values.burstiness, 'burstiness', (n) => n > 0, 'a number > 0') ?? 1,
    maxConcurrency: positive('max-concurrency'),
    seed: numberOption(values.seed, 'seed', Number.isSafeInteger, 'an integer') ?? 0,
    apiKey: str(values['api-key']) ?? process.env.FASTFILL_API_KEY ?? process.env.OPENAI_API_KEY,
    progress: values.quiet !== true,
  });
  process.stdout.write(`${result.table}\n`);
  const jsonFile = str(values.json);
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(result.json, null, 2)}\n`);
  if (result.metrics.completed === 0) {
    throw new CliError(`no request succeeded; first error: ${result.outputs[0]?.error ?? 'none'}`);
  }
}
