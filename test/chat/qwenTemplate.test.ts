// The real Qwen2.5 chat template, rendered and compared with strings worked out by reading the template.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChatTemplate } from '../../src/chat/chatTemplate.js';
import { findChatTemplate } from '../../src/chat/findChatTemplate.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const QWEN = 'tokenizers/qwen2.5';
const DEFAULT_SYSTEM = '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n';

describe('Qwen2.5 chat template', { skip: sharedSkip(`${QWEN}/chat_template.jinja`) }, () => {
  const template = () => findChatTemplate(sharedPath(QWEN))!;

  test('is found in the HF folder (chat_template.jinja)', () => {
    assert.ok(template() instanceof ChatTemplate);
    assert.match(template().origin, /chat_template\.jinja$/);
  });

  test('no system message: the default system prompt, then the user turn and the generation prompt', () => {
    assert.equal(template().render({ messages: [{ role: 'user', content: 'Hello' }], addGenerationPrompt: true }),
      `${DEFAULT_SYSTEM}<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n`);
  });

  test('a system message replaces the default; turns alternate; no generation prompt when not asked', () => {
    const messages = [
      { role: 'system', content: 'You are a pirate.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Arr!' },
      { role: 'user', content: 'Bye' },
    ];
    assert.equal(template().render({ messages, addGenerationPrompt: false }),
      '<|im_start|>system\nYou are a pirate.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n'
      + '<|im_start|>assistant\nArr!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n');
  });

  test('tools: listed in the system turn as JSON with Python\'s separators', () => {
    const tool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };
    assert.equal(template().render({ messages: [{ role: 'user', content: 'Weather?' }], tools: [tool], addGenerationPrompt: true }),
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n\n'
      + 'You may call one or more functions to assist with the user query.\n\n'
      + 'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n'
      + '{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}'
      + '\n</tools>\n\nFor each function call, return a json object with function name and arguments within '
      + '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n'
      + '</tool_call><|im_end|>\n<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\n');
  });

  test('an assistant tool call and the tool\'s answer', () => {
    const messages = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: '{"temp": 20}' },
    ];
    assert.equal(template().render({ messages, addGenerationPrompt: true }),
      `${DEFAULT_SYSTEM}<|im_start|>user\nWeather?<|im_end|>\n`
      + '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n'
      + '<|im_start|>user\n<tool_response>\n{"temp": 20}\n</tool_response><|im_end|>\n<|im_start|>assistant\n');
  });
});
