import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ChatTemplate, ChatTemplateError } from '../../src/chat/chatTemplate.js';
import { findChatTemplate, loadChatTemplateFile } from '../../src/chat/findChatTemplate.js';
import { gguf, writeGguf } from '../../src/formats/gguf/writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fastfill-chat-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh folder holding `files`. */
function folder(name: string, files: Record<string, string>): string {
  const sub = path.join(dir, name);
  mkdirSync(sub, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(sub, file), text);
  return sub;
}

const render = (t: ChatTemplate | undefined) => t!.render({ messages: [{ role: 'user', content: 'x' }], addGenerationPrompt: true,
  bosToken: '<B>', eosToken: '<E>' });

describe('finding a model\'s chat template', () => {
  test('GGUF metadata tokenizer.chat_template', () => {
    const file = path.join(dir, 'with.gguf');
    writeGguf(file, { metadata: [['general.architecture', gguf.str('llama')],
      ['tokenizer.chat_template', gguf.str('{{ bos_token }}{{ messages[0].content }}{% if add_generation_prompt %}>{% endif %}')]],
    tensors: [] });
    assert.equal(render(findChatTemplate(file)), '<B>x>');
  });

  test('a GGUF without one: undefined', () => {
    const file = path.join(dir, 'without.gguf');
    writeGguf(file, { metadata: [['general.architecture', gguf.str('llama')]], tensors: [] });
    assert.equal(findChatTemplate(file), undefined);
  });

  test('tokenizer_config.json chat_template, as a string and as a named list', () => {
    const plain = folder('plain', { 'tokenizer_config.json': JSON.stringify({ chat_template: '[{{ messages[0].content }}]{{ eos_token }}' }) });
    assert.equal(render(findChatTemplate(plain)), '[x]<E>');
    const named = folder('named', { 'tokenizer_config.json': JSON.stringify({ chat_template: [
      { name: 'tool_use', template: 'tools' }, { name: 'default', template: 'default:{{ messages | length }}' }] }) });
    assert.equal(render(findChatTemplate(named)), 'default:1');
    // a tokenizer file inside the folder leads to the same place
    assert.equal(render(findChatTemplate(path.join(plain, 'tokenizer_config.json'))), '[x]<E>');
  });

  test('chat_template.jinja wins over tokenizer_config.json', () => {
    const both = folder('both', { 'chat_template.jinja': 'jinja', 'tokenizer_config.json': JSON.stringify({ chat_template: 'config' }) });
    assert.equal(render(findChatTemplate(both)), 'jinja');
  });

  test('none at all: undefined; bad files: errors naming the file', () => {
    assert.equal(findChatTemplate(folder('empty', { 'config.json': '{}' })), undefined);
    const broken = folder('broken', { 'tokenizer_config.json': '{"chat_template": ' });
    assert.throws(() => findChatTemplate(broken), (e: Error) => e.message.includes(path.join(broken, 'tokenizer_config.json')));
    const wrongType = folder('wrongtype', { 'tokenizer_config.json': '{"chat_template": 5}' });
    assert.throws(() => findChatTemplate(wrongType), /neither a string nor a list/);
    const unparsable = folder('unparsable', { 'chat_template.jinja': '{% if %}' });
    assert.throws(() => findChatTemplate(unparsable), /chat_template\.jinja: the chat template does not parse/);
    assert.throws(() => findChatTemplate(path.join(dir, 'nope')), /no such file or folder/);
    assert.throws(() => loadChatTemplateFile(path.join(dir, 'nope.jinja')), /no such chat template file/);
  });

  test('a template failing at render time throws ChatTemplateError naming its origin', () => {
    const t = new ChatTemplate("{{ raise_exception('no system role') }}", 'mine.jinja');
    assert.throws(() => render(t), (e: Error) => e instanceof ChatTemplateError && e.message.includes('mine.jinja')
      && e.message.includes('no system role'));
  });
});
