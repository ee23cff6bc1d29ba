import { createInterface } from 'node:readline';
import { loadTokenizer, type Tokenizer } from '../tokenizer/index.js';
import { CliError, parse } from './args.js';
import { resolveModelPath } from './defaultModel.js';

const USAGE = `usage: fastfill tokenize [model|tokenizer] [text] [--raw] [--json]
  <model|tokenizer>  a .gguf (a vocab-only one too), a Hugging Face folder, tokenizer.json, a folder with
                     vocab.json + merges.txt, or a SentencePiece / tiktoken tokenizer.model
  [text]             the text; without it, JSON lines are read from stdin (each line one JSON string) and
                     one JSON line {"ids": [...]} is printed per input, in order
  --raw              no BOS/EOS, special-token text is plain text (llama.cpp's test mode)
  --json             print {"ids": [...]}`;

export async function tokenizeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { raw: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
  if (positionals.length > 2) throw new CliError(`expected a model and at most one text\n${USAGE}`);
  const tokenizer = loadTokenizer(resolveModelPath(positionals[0]));
  const raw = values.raw === true;
  const encode = (text: string) => tokenizer.encode(text, { addSpecial: !raw, parseSpecial: !raw });
  if (positionals.length === 2) {
    const ids = encode(positionals[1]!);
    process.stdout.write(values.json ? JSON.stringify({ ids }) + '\n' : describe(tokenizer, ids));
    return;
  }
  await tokenizeLines(encode);
}

async function tokenizeLines(encode: (text: string) => number[]): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let text: unknown;
    try {
      text = JSON.parse(line);
    } catch {
      throw new CliError(`stdin line ${lineNumber}: not valid JSON`);
    }
    if (typeof text !== 'string') throw new CliError(`stdin line ${lineNumber}: expected a JSON string`);
    process.stdout.write(JSON.stringify({ ids: encode(text) }) + '\n');
  }
}

function describe(tokenizer: Tokenizer, ids: number[]): string {
  return ids.map((id) => `${id}\t${JSON.stringify(tokenizer.tokenText(id))}`).join('\n') + '\n';
}
