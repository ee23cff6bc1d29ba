import { shortName, withContext } from '../errors.js';
import { blockLayout, ggmlTypeName, type GgmlType } from '../ggmlTypes.js';
import type { ByteCursor } from './cursor.js';
import type { GgufTensorInfo } from './types.js';

/** ggml allows at most 4 dimensions. */
export const MAX_DIMS = 4;

/** ggml type ids this project has no block layout for, named in errors. */
const OTHER_GGML_TYPES: Readonly<Record<number, string>> = {
  4: 'Q4_2 (removed)', 5: 'Q4_3 (removed)',
  16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S',
  23: 'IQ4_XS', 29: 'IQ1_M', 31: 'Q4_0_4_4 (removed)', 32: 'Q4_0_4_8 (removed)', 33: 'Q4_0_8_8 (removed)',
  34: 'TQ1_0', 35: 'TQ2_0', 36: 'IQ4_NL_4_4 (removed)', 37: 'IQ4_NL_4_8 (removed)', 38: 'IQ4_NL_8_8 (removed)',
  39: 'MXFP4',
};

/** A tensor info as stored: offset relative to the data section, sizes not yet checked. */
export interface RawTensorInfo {
  name: string;
  typeId: number;
  dims: number[];
  relativeOffset: number;
}

export function readTensorInfos(c: ByteCursor, count: number): RawTensorInfo[] {
  const infos: RawTensorInfo[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let name = '';
    withContext(`tensor info #${i}`, () => { name = c.string('tensor name'); });
    infos[i] = withContext(`tensor info #${i} '${shortName(name)}'`, () => {
      const nDims = c.u32('dimension count');
      if (nDims < 1 || nDims > MAX_DIMS) c.fail(`dimension count ${nDims} is not within 1..${MAX_DIMS}`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(c.count(`dimension ${d}`, Number.MAX_SAFE_INTEGER));
      const typeId = c.u32('tensor type');
      const relativeOffset = c.count('data offset', c.size);
      return { name, typeId, dims, relativeOffset };
    });
  }
  return infos;
}

export interface DataSection {
  /** absolute offset of the data section (header end rounded up to the alignment) */
  dataOffset: number;
  alignment: number;
  fileSize: number;
}

/**
 * Checks every tensor (known type, whole blocks per row, no element-count overflow, aligned,
 * inside the file, unique name, no overlap) and returns the final infos with absolute offsets.
 */
export function layoutTensors(c: ByteCursor, raw: RawTensorInfo[], section: DataSection): GgufTensorInfo[] {
  const names = new Set<string>();
  const infos = raw.map((r, i) => withContext(`tensor #${i} '${shortName(r.name)}'`, () => {
    if (names.has(r.name)) c.fail('duplicate tensor name');
    names.add(r.name);
    const byteLength = tensorByteLength(c, r);
    if (r.relativeOffset % section.alignment !== 0) {
      c.fail(`data offset ${r.relativeOffset} is not a multiple of the alignment ${section.alignment}`);
    }
    const offset = section.dataOffset + r.relativeOffset;
    if (offset + byteLength > section.fileSize) {
      c.fail(`data (bytes ${offset}..${offset + byteLength}) extends beyond the end of the file (${section.fileSize} bytes)`);
    }
    return { name: r.name, type: r.typeId as GgmlType, dims: r.dims, offset, byteLength };
  }));
  checkNoOverlap(c, infos);
  return infos;
}

function tensorByteLength(c: ByteCursor, r: RawTensorInfo): number {
  const layout = blockLayout(r.typeId);
  if (!layout) {
    const known = OTHER_GGML_TYPES[r.typeId];
    c.fail(`unsupported tensor type id ${r.typeId}${known ? ` (${known})` : ' (unknown)'}`);
  }
  const elements = r.dims.reduce((product, d) => product * BigInt(d), 1n);
  if (elements > BigInt(Number.MAX_SAFE_INTEGER)) c.fail(`element count ${elements} (dims ${r.dims.join('x')}) is too large`);
  if (r.dims[0]! % layout.blockElements !== 0) {
    c.fail(`row length ${r.dims[0]} is not a multiple of the ${ggmlTypeName(r.typeId)} block size ${layout.blockElements}`);
  }
  const bytes = (elements / BigInt(layout.blockElements)) * BigInt(layout.blockBytes);
  if (bytes > BigInt(c.size)) c.fail(`data size ${bytes} bytes (dims ${r.dims.join('x')}) exceeds the file size ${c.size}`);
  return Number(bytes);
}

function checkNoOverlap(c: ByteCursor, infos: GgufTensorInfo[]): void {
  const byOffset = infos.filter((t) => t.byteLength > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const cur = byOffset[i]!;
    if (cur.offset < prev.offset + prev.byteLength) {
      c.fail(`tensors '${shortName(prev.name)}' (bytes ${prev.offset}..${prev.offset + prev.byteLength}) and '${shortName(cur.name)}' (from ${cur.offset}) overlap`);
    }
  }
}
