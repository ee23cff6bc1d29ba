// Test-side walker over a VALID GGUF file that records where each count, length, type and offset
// field sits, so the fuzz test can plant hostile values exactly there.

export interface Field {
  offset: number;
  bytes: 4 | 8;
}

const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export function ggufFields(b: Uint8Array): Field[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const fields: Field[] = [{ offset: 4, bytes: 4 }, { offset: 8, bytes: 8 }, { offset: 16, bytes: 8 }];
  let at = 24;
  const u64 = (): number => { fields.push({ offset: at, bytes: 8 }); const v = Number(view.getBigUint64(at, true)); at += 8; return v; };
  const u32 = (): number => { fields.push({ offset: at, bytes: 4 }); const v = view.getUint32(at, true); at += 4; return v; };
  const str = (): void => { const length = u64(); at += length; };
  const value = (type: number): void => {
    if (type === 8) return str();
    if (type === 9) {
      const elementType = u32();
      const count = u64();
      for (let i = 0; i < count; i++) value(elementType);
      return;
    }
    at += SCALAR_BYTES[type]!;
  };
  const tensors = Number(view.getBigUint64(8, true));
  const kvs = Number(view.getBigUint64(16, true));
  for (let i = 0; i < kvs; i++) {
    str();
    value(u32());
  }
  for (let i = 0; i < tensors; i++) {
    str();
    const dims = u32();
    for (let d = 0; d < dims; d++) u64();
    u32();
    u64();
  }
  return fields;
}
