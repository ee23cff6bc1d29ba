// OpenAI chat messages -> the model's chat template -> prompt text. Content parts are flattened to text,
// nulls dropped (templates test `is defined`), and tool-call arguments given as JSON text parsed back to
// objects, as Hugging Face templates expect (`arguments | tojson`).
import { ChatTemplateError, type TemplateMessage } from '../chat/chatTemplate.js';
import type { ServerContext } from './context.js';
import { badRequest } from './errors.js';
import type { ChatMessageInput } from './schemas/chat.js';

export interface ChatPromptInput {
  messages: ChatMessageInput[];
  tools?: unknown[] | null;
  add_generation_prompt?: boolean | null;
  chat_template_kwargs?: Record<string, unknown> | null;
}

export function renderChatPrompt(ctx: ServerContext, input: ChatPromptInput): string {
  if (!ctx.chatTemplate) {
    throw badRequest('This model has no chat template: start the server with --chat-template <file.jinja>, '
      + 'or use /v1/completions', 'messages', 'no_chat_template');
  }
  const { tokenizer } = ctx;
  try {
    return ctx.chatTemplate.render({
      messages: input.messages.map(templateMessage),
      tools: input.tools ?? undefined,
      addGenerationPrompt: input.add_generation_prompt ?? true,
      bosToken: tokenizer.bosId === undefined ? undefined : tokenizer.tokenText(tokenizer.bosId),
      eosToken: tokenizer.eosId === undefined ? undefined : tokenizer.tokenText(tokenizer.eosId),
      extra: input.chat_template_kwargs ?? undefined,
    });
  } catch (error) {
    if (error instanceof ChatTemplateError) throw badRequest(error.message, 'messages', 'chat_template_error');
    throw error;
  }
}

function templateMessage(message: ChatMessageInput, i: number): TemplateMessage {
  const out: TemplateMessage = { role: message.role, content: flattenContent(message.content, i) };
  for (const [key, value] of Object.entries(message)) {
    if (key === 'role' || key === 'content' || value === null || value === undefined) continue;
    out[key] = key === 'tool_calls' ? (value as unknown[]).map(parsedArguments) : value;
  }
  return out;
}

function flattenContent(content: ChatMessageInput['content'], i: number): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part, j) => {
    if (part.type !== 'text' || typeof part.text !== 'string') {
      throw badRequest(`only text content parts are supported, got type '${part.type}'`, `messages[${i}].content[${j}].type`);
    }
    return part.text;
  }).join('\n');
}

function parsedArguments(call: unknown): unknown {
  const fn = (call as { function?: { arguments?: unknown } }).function;
  if (typeof fn?.arguments !== 'string') return call;
  try {
    const parsed: unknown = JSON.parse(fn.arguments);
    if (parsed === null || typeof parsed !== 'object') return call;
    return { ...(call as object), function: { ...fn, arguments: parsed } };
  } catch {
    return call;
  }
}
