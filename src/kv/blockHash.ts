// Identity of a full KV block for prefix caching: a chained 64-bit FNV-1a over (parent hash, the block's
// token ids, extra keys such as a cache salt). Equal hashes are only a hint: a cache hit also compares the
// tokens, so a collision costs a miss, never wrong KV.

/** 16 lowercase hex digits. */
export type BlockHash = string;

/** Hashes one full block given its parent's hash (null for the first block of a sequence). */
export type BlockHasher = (parent: BlockHash | null, tokens: readonly number[], extraKeys: readonly string[]) => BlockHash;

const OFFSET_BASIS_HI = 0xcbf29ce4;
const OFFSET_BASIS_LO = 0x84222325;
// The 64-bit FNV prime is 2^40 + 0x1b3.
const PRIME_LOW_PART = 0x1b3;
const TWO_POW_32 = 2 ** 32;

const utf8 = new TextEncoder();

/** 64-bit FNV-1a kept as two 32-bit halves so every step is exact in doubles. */
export class Fnv1a64 {
  private hi = OFFSET_BASIS_HI;
  private lo = OFFSET_BASIS_LO;

  byte(value: number): this {
    const lo = (this.lo ^ (value & 0xff)) >>> 0;
    const lowProduct = lo * PRIME_LOW_PART; // < 2^41: exact
    this.lo = lowProduct >>> 0;
    this.hi = (Math.imul(this.hi, PRIME_LOW_PART) + (lo << 8) + Math.floor(lowProduct / TWO_POW_32)) >>> 0;
    return this;
  }

  bytes(data: Uint8Array): this {
    for (const b of data) this.byte(b);
    return this;
  }

  /** Little-endian 32-bit word. */
  word(value: number): this {
    return this.byte(value).byte(value >>> 8).byte(value >>> 16).byte(value >>> 24);
  }

  hex(): BlockHash {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

export function fnv1a64(data: Uint8Array): BlockHash {
  return new Fnv1a64().bytes(data).hex();
}

/**
 * The default block hasher. The input is encoded without ambiguity: a parent flag (+ 8 parent bytes),
 * the token count and tokens as int32, then the key count and each key as byte length + UTF-8 bytes.
 */
export const chainedBlockHash: BlockHasher = (parent, tokens, extraKeys) => {
  const h = new Fnv1a64();
  if (parent === null) {
    h.byte(0);
  } else {
    h.byte(1).word(parseInt(parent.slice(8, 16), 16)).word(parseInt(parent.slice(0, 8), 16));
  }
  h.word(tokens.length);
  for (const t of tokens) h.word(t);
  h.word(extraKeys.length);
  for (const key of extraKeys) {
    const data = utf8.encode(key);
    h.word(data.length).bytes(data);
  }
  return h.hex();
};

/**
 * Appends the hashes of the full blocks of `tokenIds` not hashed yet (`hashes` holds one per full block,
 * in order). The cache salt is an extra key of the first block only; chaining carries it to the rest.
 */
export function extendBlockHashes(
  hashes: BlockHash[],
  tokenIds: readonly number[],
  blockSize: number,
  cacheSalt: string | undefined,
  hasher: BlockHasher = chainedBlockHash,
): void {
  const fullBlocks = Math.floor(tokenIds.length / blockSize);
  for (let b = hashes.length; b < fullBlocks; b++) {
    const parent = b === 0 ? null : hashes[b - 1]!;
    hashes.push(hasher(parent, tokenIds.slice(b * blockSize, (b + 1) * blockSize), blockExtraKeys(b, cacheSalt)));
  }
}

/** Extra keys of block `index` of a sequence: the cache salt on the first block, nothing after. */
export function blockExtraKeys(index: number, cacheSalt: string | undefined): readonly string[] {
  return index === 0 && cacheSalt !== undefined ? [cacheSalt] : NO_KEYS;
}

const NO_KEYS: readonly string[] = Object.freeze([]);
