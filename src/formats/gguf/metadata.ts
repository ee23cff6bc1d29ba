import { shortName, withContext } from '../errors.js';
import type { ByteCursor } from './cursor.js';
import { plainValue, readTypedValue } from './metadataValues.js';
import type { GgufTypedValue, GgufValue } from './types.js';

export const DEFAULT_ALIGNMENT = 32;
export const ALIGNMENT_KEY = 'general.alignment';

export interface GgufMetadata {
  metadata: Map<string, GgufValue>;
  typedMetadata: Map<string, GgufTypedValue>;
  alignment: number;
}

/** Reads `count` key/value entries; keys must be non-empty and unique. */
export function readMetadata(c: ByteCursor, count: number): GgufMetadata {
  const metadata = new Map<string, GgufValue>();
  const typedMetadata = new Map<string, GgufTypedValue>();
  for (let i = 0; i < count; i++) {
    let key: string | undefined;
    withContext(`metadata entry #${i}`, () => {
      key = c.string('key');
      if (key.length === 0) c.fail('empty key');
    });
    withContext(`metadata entry #${i} '${shortName(key!)}'`, () => {
      if (typedMetadata.has(key!)) c.fail('duplicate key');
      const typed = readTypedValue(c, c.u32('value type'));
      typedMetadata.set(key!, typed);
      metadata.set(key!, plainValue(typed));
    });
  }
  return { metadata, typedMetadata, alignment: alignmentOf(c, typedMetadata.get(ALIGNMENT_KEY)) };
}

function alignmentOf(c: ByteCursor, typed: GgufTypedValue | undefined): number {
  if (typed === undefined) return DEFAULT_ALIGNMENT;
  if (typed.type !== 'u32') c.fail(`${ALIGNMENT_KEY} must be a uint32, found ${typed.type}`);
  const a = typed.value as number;
  if (a === 0 || (a & (a - 1)) !== 0) c.fail(`${ALIGNMENT_KEY} ${a} is not a power of two`);
  return a;
}
