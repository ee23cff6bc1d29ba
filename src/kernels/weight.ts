// A weight matrix as the kernels see it: `rows` output features of `cols` input elements each,
// every row a run of whole ggml blocks of `type`.
import { blockLayout, COMPUTE_TYPES, GgmlType, ggmlTypeName, rowBytes } from '../formats/ggmlTypes.js';
import { envChoice } from '../envChoice.js';
import { addon } from './addon.js';
import { checkDim } from './checks.js';
import { PanelArena } from './panelArena.js';

/** Types whose weights are packed into GEMM panels at every precision. */
export const PANEL_TYPES: ReadonlySet<GgmlType> = new Set([GgmlType.F32, GgmlType.F16, GgmlType.BF16]);

/**
 * Block-quantized types whose values are, per 32 elements (Q6_K, Q3_K: 16), an integer quant times a scale
 * (plus an offset for Q4_1, Q5_1, Q4_K, Q5_K, and per 16 elements for Q2_K; IQ4_NL / IQ4_XS quants are their
 * table's int8 levels): computed by the int8 GEMM on int8 panels (stored, or packed from the blocks as it goes)
 * at precision 'int8'.
 */
export const INT8_TYPES: ReadonlySet<GgmlType> = new Set([GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_1,
  GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q3_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.Q2_K]);

/**
 * The INT8_TYPES whose int8 panels a packed weight stores: Q8_0 (1.25 bytes per weight against its blocks'
 * 1.06, and its blocks' mapped pages can go). The 4-6-bit types' panels would be 2-2.7x their blocks, beside
 * them (decode reads the blocks): the int8 GEMM packs those types' records from their blocks as it goes, at
 * about 3 % below the speed of stored panels in prefill (bench/RESULTS.md, 2026-11-27 05:05-06:00), unless int8Layout
 * 'panels' asks.
 */
export const STORED_INT8_PANEL_TYPES: ReadonlySet<GgmlType> = new Set([GgmlType.Q8_0]);

/**
 * The types that can be stored as interleaved blocks at 'int8' (native/src/common/interleaved_blocks.h):
 * 8 rows side by side, the same bytes as the blocks. The int8 GEMV reads them with one AVX2 vector per 4
 * quants of 8 rows and the int8 GEMM packs its records from them, so they replace the blocks (and Q8_0's int8
 * panels) for matmul and getRows.
 */
export const INTERLEAVED_TYPES: ReadonlySet<GgmlType> = new Set([GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_1, GgmlType.Q5_1,
  GgmlType.Q8_0, GgmlType.IQ4_NL, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.IQ4_XS]);

/**
 * How an INT8_TYPES weight packed at 'int8' is kept for matmul (WeightOptions.int8Layout):
 *   'interleaved': as interleaved blocks (INTERLEAVED_TYPES), which serve every matmul;
 *   'blocks': its own blocks, plus int8 panels for STORED_INT8_PANEL_TYPES (Q8_0), which replace its blocks;
 *   'panels': int8 panels beside the blocks for every INT8_TYPES type (decode reads the blocks).
 */
export type Int8Layout = 'interleaved' | 'blocks' | 'panels';
export const INT8_LAYOUTS: readonly Int8Layout[] = ['interleaved', 'blocks', 'panels'];

/**
 * Whether Weight.create interleaves INTERLEAVED_TYPES at 'int8' when not told: FASTFILL_INTERLEAVE=0/1, else
 * where the kernels run at the avx2 level. There decode on the blocks was compute-bound (Q4_0, Q5_0, the
 * K-quants) or read Q8_0's 1.25-byte panels (bench/RESULTS.md, 2026-11-27, Zen 3); with AVX-512 the blocks' VNNI
 * GEMV and Q8_0's stored panels stay (not yet measured interleaved there).
 */
export function interleavesByDefault(): boolean {
  const forced = envChoice('FASTFILL_INTERLEAVE', ['0', '1'] as const);
  return forced !== undefined ? forced === '1' : addon().cpuInfo().level === 'avx2';
}

/** What a packed weight's panels hold: the precision's own panels, or interleaved blocks. */
export type PanelLayout = 'panels' | 'interleaved';
const LAYOUT_CODE: Record<PanelLayout, number> = { panels: 0, interleaved: 1 };

/**
 * How matmul rounds. 'f32': exact F32 math on the weights' values (the default). 'bf16': weights
 * and, for 8 or more rows of x, activations rounded to bf16 with F32 accumulation: about twice
 * the GEMM throughput on CPUs with AVX512-BF16, relative error per output about 2^-8 of sum |x w|.
 * Fewer rows (decode) stay exact F32 except that F32/F16 weights are read as bf16.
 * 'int8': for INT8_TYPES weights and 6 or more rows of x, activations quantized to int8 per row and
 * 32-element block (scale amax/127 in F32, as llama.cpp's Q8_0 activations) and integer dot products
 * (AVX512-VNNI where the CPU has it): error per output up to about sum_blocks (d_x / 2) sum |w|,
 * d_x = the block's amax / 127. The int8 GEMM reads weights as int8 panels: Q8_0 weights are repacked
 * into them when packed (1.25 bytes per weight, which then replace the blocks for matmul); the other
 * types keep only their own blocks, and the GEMM packs their panel records a K run at a time as it goes
 * (STORED_INT8_PANEL_TYPES). With 1-5 rows (decode), Q8_0 weights take the same int8 GEMM on their
 * panels (so a decode row is bit-identical to the same row in a prefill batch), the other INT8_TYPES
 * (Q4_1 / Q5_1 aside) take int8 activations (the same rule) dotted with their own blocks, and weights stored
 * as interleaved blocks (WeightOptions.int8Layout; Q4_1 / Q5_1 too) take them with the int8 GEMM's float steps
 * (decode rows bit-identical to prefill rows again); Q4_1 / Q5_1 on their blocks and float weights compute
 * exactly as at 'f32'.
 */
export type Precision = 'f32' | 'bf16' | 'int8';
export const PRECISIONS: readonly Precision[] = ['f32', 'bf16', 'int8'];
const PRECISION_CODE: Record<Precision, number> = { f32: 0, bf16: 1, int8: 2 };

export interface WeightOptions {
  /**
   * Pack F32/F16/BF16 weights into the GEMM's panel layout now (default true). It costs memory
   * beside the weights (`packedBytes`: as much again at 'f32', 2 bytes per weight at 'bf16'); without
   * it matmul decodes and transposes weight tiles on every call. At 'int8' Q8_0 weights are packed into
   * int8 panels too (1.25 bytes per weight; without them the int8 GEMM packs their records as it goes
   * and decode rows compute as at 'f32'). At 'bf16' Q8_0 weights get bf16 pair panels (2 bytes per weight,
   * beside their blocks, which decode rows still read): the GEMM then skips decoding them tile by tile.
   */
  pack?: boolean;
  /**
   * With pack, at 'int8': how INT8_TYPES weights are kept (Int8Layout; 'panels' costs 1.25-1.5 bytes per
   * weight beside the blocks). Default: 'interleaved' where interleavesByDefault(), else 'blocks'.
   */
  int8Layout?: Int8Layout;
  /** Default: FASTFILL_PRECISION from the environment, else 'f32'. */
  precision?: Precision;
  /** Where the panels go (a model's arena); default: an arena of their own. */
  arena?: PanelArena;
}

/**
 * True when a packed weight of `type` at `precision` is read by matmul only through its panels: F32/F16/BF16
 * at any precision, Q8_0 at 'int8' (native/src/kernels/matmul.h decodes it on its panels too), and interleaved
 * blocks (`layout`).
 */
export function readsOnlyPanelsWhenPacked(type: GgmlType, precision: Precision, layout: PanelLayout = 'panels'): boolean {
  return PANEL_TYPES.has(type) || (precision === 'int8' && (type === GgmlType.Q8_0 || layout === 'interleaved'));
}

/** The Int8Layout a weight of `type` packed at 'int8' takes when asked for `requested` (default: as WeightOptions). */
export function int8LayoutOf(type: GgmlType, requested?: Int8Layout): Int8Layout {
  if (requested === 'panels') return INT8_TYPES.has(type) ? 'panels' : 'blocks';
  if (!INTERLEAVED_TYPES.has(type)) return 'blocks';
  return requested ?? (interleavesByDefault() ? 'interleaved' : 'blocks');
}

/** What the panels of a weight of `type` packed at `precision` hold (int8Layout: as WeightOptions). */
export function panelLayout(type: GgmlType, precision: Precision, int8Layout?: Int8Layout): PanelLayout {
  return precision === 'int8' && INTERLEAVED_TYPES.has(type) && int8LayoutOf(type, int8Layout) === 'interleaved'
    ? 'interleaved' : 'panels';
}

/** True when a weight of `type` packed at `precision` stores panels (int8Layout: as WeightOptions). */
export function storesPanels(type: GgmlType, precision: Precision, int8Layout?: Int8Layout): boolean {
  if (PANEL_TYPES.has(type)) return true;
  if (precision === 'int8' && (INT8_TYPES.has(type) || INTERLEAVED_TYPES.has(type))) {
    return int8LayoutOf(type, int8Layout) !== 'blocks' || STORED_INT8_PANEL_TYPES.has(type);
  }
  return precision === 'bf16' && type === GgmlType.Q8_0;
}

/** Bytes of the panels a rows x cols weight of `type` stores at `precision` when packed (0: none). */
export function panelBytes(type: GgmlType, rows: number, cols: number, precision: Precision, int8Layout?: Int8Layout): number {
  if (!storesPanels(type, precision, int8Layout)) return 0;
  const layout = panelLayout(type, precision, int8Layout);
  return addon().panelBytes(type, rows, cols, PRECISION_CODE[precision], LAYOUT_CODE[layout]);
}

/** The precision of weights created without one: FASTFILL_PRECISION, or 'f32'. */
export function defaultPrecision(): Precision {
  return envChoice('FASTFILL_PRECISION', PRECISIONS) ?? 'f32';
}

export class Weight {
  private constructor(
    readonly type: GgmlType,
    /** N: output features */
    readonly rows: number,
    /** K: input elements per row */
    readonly cols: number,
    /** rows * rowBytes(type, cols) bytes; kept by reference (a view into a mapped file is fine). */
    readonly data: Uint8Array,
    readonly precision: Precision,
    /**
     * The same weights in the GEMM's panel layout for `precision` (native/src/common/weight_panels.h),
     * or null. matmul reads these when present; getRows too where they hold the exact values (F32/F16/BF16 native
     * panels, Q8_0's int8 panels, interleaved blocks), else `data`.
     */
    readonly panels: Uint8Array | null,
    /** What panels hold ('panels' when there are none). */
    readonly layout: PanelLayout = 'panels',
  ) {}

  /** Bytes of memory the packed panels add beside `data` (0 when not packed). */
  get packedBytes(): number {
    return this.panels?.byteLength ?? 0;
  }

  /**
   * True when matmul never reads `data` (F32/F16/BF16 weights with panels, Q8_0 with int8 panels and interleaved
   * blocks: every matmul reads the panels); getRows does only for bf16 pair panels.
   */
  get matmulReadsOnlyPanels(): boolean {
    return this.panels !== null && readsOnlyPanelsWhenPacked(this.type, this.precision, this.layout);
  }

  /** layout as the native code numbers it */
  get layoutCode(): number {
    return LAYOUT_CODE[this.layout];
  }

  /** precision as the native code numbers it */
  get precisionCode(): number {
    return PRECISION_CODE[this.precision];
  }

  static create(type: GgmlType, rows: number, cols: number, data: Uint8Array, options: WeightOptions = {}): Weight {
    const fn = 'Weight.create';
    if (!COMPUTE_TYPES.has(type)) throw new RangeError(`${fn}: ${ggmlTypeName(type)} is not a type the kernels compute with`);
    checkDim(fn, 'rows', rows, 0);
    checkDim(fn, 'cols', cols, 1);
    const block = blockLayout(type)!.blockElements;
    if (cols % block !== 0) {
      throw new RangeError(`${fn}: cols ${cols} is not a multiple of the ${ggmlTypeName(type)} block size ${block}`);
    }
    if (!(data instanceof Uint8Array)) throw new TypeError(`${fn}: data must be a Uint8Array`);
    const expected = rows * rowBytes(type, cols);
    if (data.byteLength !== expected) {
      throw new RangeError(`${fn}: data has ${data.byteLength} bytes, expected ${rows} rows of ` +
        `${rowBytes(type, cols)} bytes (${ggmlTypeName(type)}, ${cols} columns) = ${expected}`);
    }
    if (options.pack !== undefined && typeof options.pack !== 'boolean') {
      throw new TypeError(`${fn}: options.pack must be a boolean`);
    }
    if (options.int8Layout !== undefined && !INT8_LAYOUTS.includes(options.int8Layout)) {
      throw new RangeError(`${fn}: options.int8Layout must be one of ${INT8_LAYOUTS.join(', ')}, got ${String(options.int8Layout)}`);
    }
    const precision = options.precision ?? defaultPrecision();
    if (!PRECISIONS.includes(precision)) {
      throw new RangeError(`${fn}: options.precision must be one of ${PRECISIONS.join(', ')}, got ${String(precision)}`);
    }
    const layout = panelLayout(type, precision, options.int8Layout);
    const pack = (options.pack ?? true) && storesPanels(type, precision, options.int8Layout) && rows > 0;
    if (!pack) return new Weight(type, rows, cols, data, precision, null);
    const bytes = panelBytes(type, rows, cols, precision, options.int8Layout);
    const dest = (options.arena ?? new PanelArena(PanelArena.bytesFor([bytes]))).take(bytes);
    addon().packWeight(data, type, rows, cols, PRECISION_CODE[precision], dest, LAYOUT_CODE[layout]);
    return new Weight(type, rows, cols, data, precision, dest, layout);
  }
}
