// A Hugging Face chat template (Jinja) compiled once and rendered per request with @huggingface/jinja.
import { Template } from '@huggingface/jinja';

/** One chat message as the template sees it (OpenAI's fields, content already flattened to text). */
export interface TemplateMessage {
  role: string;
  content: string | null;
  name?: string;
  tool_calls?: unknown[];
  tool_call_id?: string;
  [field: string]: unknown;
}

export interface ChatTemplateInput {
  messages: TemplateMessage[];
  /** OpenAI tool definitions, passed through as `tools` (absent when undefined) */
  tools?: unknown[];
  addGenerationPrompt: boolean;
  bosToken?: string;
  eosToken?: string;
  /** more variables for the template (vLLM's chat_template_kwargs); cannot override the ones above */
  extra?: Record<string, unknown>;
}

/** The template refused the conversation (raise_exception) or failed on it: a 400 for the caller. */
export class ChatTemplateError extends Error {}

export class ChatTemplate {
  private readonly template: Template;

  /** `origin` names where the template came from, for error messages. */
  constructor(readonly source: string, readonly origin: string) {
    try {
      this.template = new Template(source);
    } catch (error) {
      throw new Error(`${origin}: the chat template does not parse: ${(error as Error).message}`);
    }
  }

  render(input: ChatTemplateInput): string {
    const variables: Record<string, unknown> = {
      ...input.extra,
      messages: input.messages,
      add_generation_prompt: input.addGenerationPrompt,
      bos_token: input.bosToken ?? '',
      eos_token: input.eosToken ?? '',
    };
    if (input.tools !== undefined) variables.tools = input.tools;
    try {
      return this.template.render(variables);
    } catch (error) {
      // raise_exception('...') in a template arrives here with its message as is
      throw new ChatTemplateError(`the chat template (${this.origin}) failed: ${(error as Error).message}`);
    }
  }
}
