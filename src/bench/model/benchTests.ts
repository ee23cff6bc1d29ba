// The tests of a model benchmark, named as llama-bench names them: ppN (prefill of N tokens) and tgN
// (decode of N tokens after a short prompt).

export interface BenchTest {
  name: string;
  kind: 'pp' | 'tg';
  tokens: number;
}

/** Prompt tokens fed (untimed) before a tg test's decode steps. */
export const TG_PROMPT_TOKENS = 16;

export function benchTests(promptLengths: readonly number[], genLengths: readonly number[]): BenchTest[] {
  return [
    ...promptLengths.filter((n) => n > 0).map((n): BenchTest => ({ name: `pp${n}`, kind: 'pp', tokens: n })),
    ...genLengths.filter((n) => n > 0).map((n): BenchTest => ({ name: `tg${n}`, kind: 'tg', tokens: n })),
  ];
}

export function parseBenchTest(name: string): BenchTest {
  const m = /^(pp|tg)([1-9][0-9]*)$/.exec(name);
  if (!m) throw new Error(`'${name}' is not a test name (ppN or tgN)`);
  return { name, kind: m[1] as 'pp' | 'tg', tokens: Number(m[2]) };
}

/** Context length a test needs (the same for every engine compared). */
export function testContextLength(test: BenchTest): number {
  return test.kind === 'pp' ? test.tokens : TG_PROMPT_TOKENS + test.tokens;
}

/** Comma-separated non-negative integers: "512,2048" -> [512, 2048]; 0 entries mean "none". */
export function parseCountList(text: string, option: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const out = parts.map((p) => Number(p));
  if (parts.some((p) => p === '') || out.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`${option} expects comma-separated non-negative integers, got '${text}'`);
  }
  return out;
}

/** Deterministic token ids in [0, vocabSize) (xorshift32 from `seed`). */
export function randomTokenIds(count: number, vocabSize: number, seed: number): number[] {
  let s = (seed ^ 0x9e3779b9) >>> 0 || 1;
  const ids: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    ids[i] = s % vocabSize;
  }
  return ids;
}
