import type { GgufValue } from '../formats/gguf/index.js';
import { ModelFormatError } from '../formats/errors.js';

/** Typed access to the tokenizer keys, with errors naming the source and the key. */
export class GgufMeta {
  constructor(
    private readonly metadata: Map<string, GgufValue>,
    private readonly source: string,
  ) {}

  fail(problem: string): never {
    throw new ModelFormatError(this.source, `${problem}`);
  }

  string(key: string): string | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : this.fail(`metadata key '${key}' is not a string`);
  }

  bool(key: string): boolean | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    return typeof v === 'boolean' ? v : this.fail(`metadata key '${key}' is not a bool`);
  }

  id(key: string, vocabSize: number): number | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(`metadata key '${key}' is not an integer`);
    // llama.cpp ignores an out-of-range id and keeps the default
    return v >= 0 && v < vocabSize ? v : undefined;
  }

  stringArray(key: string): string[] | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(`metadata key '${key}' is not an array of strings`);
    return v as string[];
  }

  numberArray(key: string, length: number): number[] | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) this.fail(`metadata key '${key}' is not an array of numbers`);
    if (v.length < length) this.fail(`metadata key '${key}' has ${v.length} entries for ${length} tokens`);
    return v as number[];
  }
}
