#!/usr/bin/env node
// fastfill command line: one file per command; errors go to stderr with exit code 1.
import { runCommand } from './run.js';
import { tokenizeCommand } from './tokenize.js';
import { inspectCommand } from './inspect.js';
import { convertCommand } from './convert.js';
import { evalCommand } from './eval.js';
import { benchCommand } from './bench.js';
import { serveCommand } from './serve.js';
import { CliError } from './args.js';

const COMMANDS: Record<string, (argv: string[]) => Promise<void> | void> = {
  run: runCommand,
  tokenize: tokenizeCommand,
  inspect: inspectCommand,
  convert: convertCommand,
  eval: evalCommand,
  bench: benchCommand,
  serve: serveCommand,
};

const USAGE = `usage: fastfill <command> [options]
commands:
  run <model> --prompt <text> [-n N] [--temp T] [--ctx C] [--seed S] [--json]   generate text
  tokenize <model|tokenizer> [text] [--raw] [--json]                            text to token ids
  inspect <model>                                                               describe a model file
  convert <hf-folder> <out.gguf> [--type Q8_0]                                  Hugging Face folder to GGUF
  eval [--model M] --task passkey|kv|niah [--lengths ..] [--depths ..] [--json]   long-context accuracy and TTFT
  bench model <model> [-p 512,2048] [-n 128] [-t T] [-r R] [--json]             prefill/decode speed
  serve <model> [--host 127.0.0.1] [--port 8080] [--api-key K]                  OpenAI-compatible HTTP server
  bench serve --base-url URL [--dataset D] [--num-prompts N] [--request-rate R] load test an OpenAI-compatible server
<model> is a .gguf file or a Hugging Face folder (config.json, *.safetensors, tokenizer.json).
Run 'fastfill <command> --help' for the options of a command.`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command '${name}'\n${USAGE}`);
  await command(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`fastfill: ${message}\n`);
  if (process.env.FASTFILL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
