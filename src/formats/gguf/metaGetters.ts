import { ModelFormatError } from '../errors.js';
import type { GgufFile, GgufValue } from './types.js';

/** What the getters need of a file: its path (for errors) and metadata. */
export type MetadataHolder = Pick<GgufFile, 'path' | 'metadata'>;

function kindOf(v: GgufValue): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint') return 'a 64-bit integer beyond 2^53';
  return `a ${typeof v}`;
}

function wrongType(file: MetadataHolder, key: string, v: GgufValue, expected: string): never {
  throw new ModelFormatError(file.path, `metadata key '${key}' is ${kindOf(v)}, expected ${expected}`);
}

function required(file: MetadataHolder, key: string): GgufValue {
  const v = file.metadata.get(key);
  if (v === undefined) throw new ModelFormatError(file.path, `missing metadata key '${key}'`);
  return v;
}

function asString(file: MetadataHolder, key: string, v: GgufValue): string {
  return typeof v === 'string' ? v : wrongType(file, key, v, 'a string');
}

/** Integers and floats of any width; a 64-bit integer beyond 2^53 is an error. */
function asNumber(file: MetadataHolder, key: string, v: GgufValue): number {
  return typeof v === 'number' ? v : wrongType(file, key, v, 'a number');
}

function asBool(file: MetadataHolder, key: string, v: GgufValue): boolean {
  return typeof v === 'boolean' ? v : wrongType(file, key, v, 'a bool');
}

function asArray(file: MetadataHolder, key: string, v: GgufValue): GgufValue[] {
  return Array.isArray(v) ? v : wrongType(file, key, v, 'an array');
}

function asStringArray(file: MetadataHolder, key: string, v: GgufValue): string[] {
  const a = asArray(file, key, v);
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'string') wrongType(file, `${key}[${i}]`, a[i]!, 'a string');
  }
  return a as string[];
}

function asNumberArray(file: MetadataHolder, key: string, v: GgufValue): number[] {
  const a = asArray(file, key, v);
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number') wrongType(file, `${key}[${i}]`, a[i]!, 'a number');
  }
  return a as number[];
}

export const metaString = (f: MetadataHolder, key: string): string => asString(f, key, required(f, key));
export const metaNumber = (f: MetadataHolder, key: string): number => asNumber(f, key, required(f, key));
export const metaBool = (f: MetadataHolder, key: string): boolean => asBool(f, key, required(f, key));
export const metaArray = (f: MetadataHolder, key: string): GgufValue[] => asArray(f, key, required(f, key));
export const metaStringArray = (f: MetadataHolder, key: string): string[] => asStringArray(f, key, required(f, key));
export const metaNumberArray = (f: MetadataHolder, key: string): number[] => asNumberArray(f, key, required(f, key));

/** Optional variants: undefined when the key is absent, an error when it has the wrong type. */
function optional<T>(get: (f: MetadataHolder, key: string, v: GgufValue) => T) {
  return (f: MetadataHolder, key: string): T | undefined => {
    const v = f.metadata.get(key);
    return v === undefined ? undefined : get(f, key, v);
  };
}

export const metaStringOptional = optional(asString);
export const metaNumberOptional = optional(asNumber);
export const metaBoolOptional = optional(asBool);
export const metaArrayOptional = optional(asArray);
export const metaStringArrayOptional = optional(asStringArray);
export const metaNumberArrayOptional = optional(asNumberArray);
