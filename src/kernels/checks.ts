// Argument checks shared by the kernel wrappers. Every message starts with the kernel's name.

/** Largest dimension the kernels accept (dimensions are int32 in the kernels' lists). */
export const MAX_DIM = 0x7fffffff;

export type TypedArray = Float32Array | Int32Array | Uint8Array | Uint16Array;

export function checkDim(fn: string, name: string, value: number, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min || value > MAX_DIM) {
    throw new RangeError(`${fn}: ${name} must be an integer in [${min}, ${MAX_DIM}], got ${String(value)}`);
  }
}

export function checkFinite(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${fn}: ${name} must be a finite number, got ${String(value)}`);
  }
}

export function checkFloat32(fn: string, name: string, value: unknown, length: number, shape: string): void {
  if (!(value instanceof Float32Array)) throw new TypeError(`${fn}: ${name} must be a Float32Array`);
  checkLength(fn, name, value, length, shape);
}

export function checkInt32(fn: string, name: string, value: unknown, length?: number, shape?: string): void {
  if (!(value instanceof Int32Array)) throw new TypeError(`${fn}: ${name} must be an Int32Array`);
  if (length !== undefined) checkLength(fn, name, value, length, shape ?? String(length));
}

export function checkLength(fn: string, name: string, value: TypedArray, length: number, shape: string): void {
  if (value.length !== length) {
    throw new RangeError(`${fn}: ${name} has ${value.length} elements, expected ${shape} = ${length}`);
  }
}

/** Every value lies in [0, limit). */
export function checkIndices(fn: string, name: string, values: Int32Array, limit: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= limit) throw new RangeError(`${fn}: ${name}[${i}] = ${v} is outside [0, ${limit})`);
  }
}

/**
 * `out` must not share memory with an input, except (when `inPlace`) by being exactly the same
 * range: a partial overlap would read values the kernel has already overwritten.
 */
export function checkNoOverlap(fn: string, out: TypedArray, inputs: Record<string, TypedArray>, inPlace = false,
  outName = 'out'): void {
  for (const [name, input] of Object.entries(inputs)) {
    if (input.buffer !== out.buffer) continue;
    const sameRange = input.byteOffset === out.byteOffset && input.byteLength === out.byteLength;
    if (inPlace && sameRange) continue;
    const disjoint = input.byteOffset + input.byteLength <= out.byteOffset ||
      out.byteOffset + out.byteLength <= input.byteOffset;
    if (!disjoint) {
      throw new RangeError(`${fn}: ${outName} overlaps ${name}${inPlace ? ' (only exactly the same range is allowed)' : ''}`);
    }
  }
}
