import { readFileSync } from 'node:fs';

export interface VocabCase {
  text: string;
  ids: number[];
}

/**
 * Reads llama.cpp's NAME.gguf.inp / NAME.gguf.out pair: inputs separated (and ended) by
 * "\n__ggml_vocab_test__\n", and one line of space-prefixed ids per input.
 */
export function readVocabCases(inpPath: string): VocabCase[] {
  const texts = readFileSync(inpPath, 'utf8').split('\n__ggml_vocab_test__\n');
  if (texts[texts.length - 1] === '') texts.pop();
  const lines = readFileSync(inpPath.replace(/\.inp$/, '.out'), 'utf8').split('\n');
  if (lines.length < texts.length) throw new Error(`${inpPath}: ${texts.length} inputs but ${lines.length} output lines`);
  return texts.map((text, i) => {
    const line = lines[i]!.trim();
    return { text, ids: line === '' ? [] : line.split(' ').map(Number) };
  });
}
