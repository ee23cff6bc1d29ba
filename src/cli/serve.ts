// `fastfill serve <model>`: the OpenAI-compatible HTTP server over the engine.
import { findChatTemplate, loadChatTemplateFile } from '../chat/findChatTemplate.js';
import { createEngine } from '../engine/engine.js';
import { createServer } from '../server/app.js';
import { loadTokenizer } from '../tokenizer/index.js';
import { CliError, isPositiveInt, isNonNegativeInt, numberOption, parse, str } from './args.js';
import { resolveModelPath } from './defaultModel.js';

const USAGE = `usage: fastfill serve <model> [options]
  --host <H>                 address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --port <P>                 port (default 8080; 0 = any free port)
  --api-key <K>              require "Authorization: Bearer <K>" on every route but /health
                             (default: env FASTFILL_API_KEY)
  --served-model-name <N>    the name clients pass as "model" (default: the model file or folder name)
  --chat-template <file>     a Jinja chat template (default: the model's own)
  --ctx <C>                  context length (default: the model's)
  --max-seqs <N>             requests decoded together at most
  --max-batched-tokens <N>   tokens per engine step at most
  --kv-cache-tokens <N>      KV cache capacity in tokens (default: max-seqs x ctx, at most what fits
                             1 GiB, at least ctx; K and V in bf16 or F16, F32 for F32 models:
                             FASTFILL_KV_CACHE; the startup line prints both)
  --no-prefix-caching        turn the prefix cache off
  --max-queue <N>            waiting requests beyond this get HTTP 429 (default 1024)
  --max-body-bytes <N>       largest request body (default 33554432); larger get HTTP 413
  -t, --threads <N>          compute threads (default: all cores)
  --log                      log every request (JSON lines on stdout)`;

export async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    'api-key': { type: 'string' },
    'served-model-name': { type: 'string' },
    'chat-template': { type: 'string' },
    ctx: { type: 'string' },
    'max-seqs': { type: 'string' },
    'max-batched-tokens': { type: 'string' },
    'kv-cache-tokens': { type: 'string' },
    'no-prefix-caching': { type: 'boolean' },
    'max-queue': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    threads: { type: 'string', short: 't' },
    log: { type: 'boolean' },
  }, USAGE);
  if (positionals.length > 1) throw new CliError(`expected one model path, got ${positionals.length}\n${USAGE}`);
  const modelPath = resolveModelPath(positionals[0]);
  const port = numberOption(values.port, 'port', (n) => isNonNegativeInt(n) && n <= 65535, 'a port number (0..65535)') ?? 8080;
  const host = str(values.host) ?? '127.0.0.1';
  const positive = (name: string) => numberOption(values[name], name, isPositiveInt, 'a positive integer');
  const maxQueue = numberOption(values['max-queue'], 'max-queue', isNonNegativeInt, 'a non-negative integer');
  const bodyLimit = positive('max-body-bytes');

  const tokenizer = loadTokenizer(modelPath);
  const templateFile = str(values['chat-template']);
  const chatTemplate = templateFile ? loadChatTemplateFile(templateFile) : findChatTemplate(modelPath);
  if (!chatTemplate) {
    process.stderr.write('fastfill: the model has no chat template; /v1/chat/completions will answer 400 (see --chat-template)\n');
  }
  const engine = await createEngine(modelPath, {
    contextLength: positive('ctx'),
    maxSeqs: positive('max-seqs'),
    maxBatchedTokens: positive('max-batched-tokens'),
    kvCacheTokens: positive('kv-cache-tokens'),
    enablePrefixCaching: values['no-prefix-caching'] ? false : undefined,
    threads: positive('threads'),
    modelId: str(values['served-model-name']),
  });
  const server = createServer({ engine, tokenizer, chatTemplate, apiKey: str(values['api-key']) ?? process.env.FASTFILL_API_KEY,
    maxQueue, bodyLimit, logger: values.log === true });
  let address: string;
  try {
    address = await server.listen(host, port);
  } catch (error) {
    await engine.close();
    throw new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
  }
  const kv = engine.model.kvCache;
  const kvText = kv ? `; KV cache ${kv.type}, ${kv.tokens} tokens` : '';
  process.stderr.write(`fastfill: serving '${server.context.modelName}' (context ${server.context.contextLength}${kvText}) at ${address}\n`);

  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(`fastfill: ${signal}: shutting down (again to force)\n`);
    server.shutdown().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`fastfill: shutdown failed: ${(error as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
