// Where a model keeps its chat template: GGUF metadata `tokenizer.chat_template`, or in a Hugging Face folder
// chat_template.jinja, tokenizer_config.json `chat_template`, or chat_template.json.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { openGguf } from '../formats/gguf/index.js';
import { ChatTemplate } from './chatTemplate.js';

/** The model's chat template, or undefined when it has none. Malformed files throw, naming the file. */
export function findChatTemplate(modelPath: string): ChatTemplate | undefined {
  if (!existsSync(modelPath)) throw new Error(`${modelPath}: no such file or folder`);
  if (!statSync(modelPath).isDirectory()) {
    if (isGguf(modelPath)) return fromGguf(modelPath);
    modelPath = path.dirname(modelPath);
  }
  return fromHfFolder(modelPath);
}

/** A template file given on the command line (--chat-template). */
export function loadChatTemplateFile(file: string): ChatTemplate {
  if (!existsSync(file)) throw new Error(`${file}: no such chat template file`);
  return new ChatTemplate(readFileSync(file, 'utf8'), file);
}

function isGguf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === 'GGUF';
  } finally {
    closeSync(fd);
  }
}

function fromGguf(file: string): ChatTemplate | undefined {
  const gguf = openGguf(file, { vocabOnly: true });
  try {
    const source = gguf.metadata.get('tokenizer.chat_template');
    if (source === undefined) return undefined;
    if (typeof source !== 'string') throw new Error(`${file}: metadata key 'tokenizer.chat_template' is not a string`);
    return new ChatTemplate(source, `${file} (tokenizer.chat_template)`);
  } finally {
    gguf.close();
  }
}

function fromHfFolder(dir: string): ChatTemplate | undefined {
  const jinja = path.join(dir, 'chat_template.jinja');
  if (existsSync(jinja)) return new ChatTemplate(readFileSync(jinja, 'utf8'), jinja);
  for (const name of ['tokenizer_config.json', 'chat_template.json']) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const source = templateField(readJson(file), file);
    if (source !== undefined) return new ChatTemplate(source, `${file} (chat_template)`);
  }
  return undefined;
}

/** `chat_template` is a string, or a list of {name, template} of which "default" is the chat one. */
function templateField(json: unknown, file: string): string | undefined {
  const field = (json as { chat_template?: unknown } | null)?.chat_template;
  if (field === undefined || field === null) return undefined;
  if (typeof field === 'string') return field;
  if (Array.isArray(field)) {
    const named = field.find((t) => (t as { name?: unknown })?.name === 'default') ?? field[0];
    const template = (named as { template?: unknown } | undefined)?.template;
    if (typeof template === 'string') return template;
  }
  throw new Error(`${file}: 'chat_template' is neither a string nor a list of {name, template}`);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}
