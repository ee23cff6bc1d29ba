// Prompt builders of the long-context tasks, in the formats of models/default/tasks.json. Each example asks for
// one number; `depth` (0..1) places the needle that holds it. A corrupted example replaces that number in the
// context by another one, so the right answer is nowhere in the prompt (a control: its accuracy must fall).
import { insertNeedles, type Haystack } from './haystack.js';
import type { EvalRandom } from './random.js';
import { fill, type TaskSpec } from './taskSpec.js';

export const TASK_NAMES = ['passkey', 'kv', 'niah'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface TaskExample {
  prompt: string;
  /** the number the model must answer with */
  answer: string;
}

export interface BuildContext {
  spec: TaskSpec;
  haystack: Haystack;
  /** tokens of a text */
  count: (text: string) => number;
  rng: EvalRandom;
  corrupt?: boolean;
}

/** room left for the answer and a little slack when sizing a prompt to `length` tokens */
const ANSWER_ROOM = 8;

function otherDigits(rng: EvalRandom, n: number, not: string): string {
  for (;;) {
    const d = rng.digits(n);
    if (d !== not) return d;
  }
}

export function passkeyExample(ctx: BuildContext, length: number, depth: number): TaskExample {
  const s = ctx.spec.passkey;
  const key = ctx.rng.digits(s.key_digits);
  const shown = ctx.corrupt ? otherDigits(ctx.rng, s.key_digits, key) : key;
  const needle = fill(s.needle, { key: shown });
  const fixed = ctx.count(`${s.intro} ${needle}${s.question}`) + ANSWER_ROOM;
  const body = insertNeedles(ctx.haystack.window(ctx.rng, length - fixed), [{ depth, text: needle }]);
  return { prompt: s.intro + body + s.question, answer: key };
}

export function kvExample(ctx: BuildContext, length: number, depth: number): TaskExample {
  const s = ctx.spec.kv;
  const sampleKey = 'a'.repeat(s.key_letters);
  const lineTokens = ctx.count(' ' + fill(s.line, { key: sampleKey, value: '1'.repeat(s.value_digits) })) + 1;
  const questionTokens = ctx.count(fill(s.question, { key: sampleKey })) + ANSWER_ROOM;
  const n = Math.max(2, Math.floor((length - ctx.count(s.intro) - questionTokens) / lineTokens));
  const keys = new Set<string>();
  while (keys.size < n) keys.add(ctx.rng.letters(s.key_letters));
  const pairs = [...keys].map((key) => ({ key, value: ctx.rng.digits(s.value_digits) }));
  const target = Math.min(n - 1, Math.round(depth * (n - 1)));
  const asked = pairs[target]!;
  const shown = ctx.corrupt ? otherDigits(ctx.rng, s.value_digits, asked.value) : asked.value;
  const body = pairs.map((p, i) => ' ' + fill(s.line, { key: p.key, value: i === target ? shown : p.value })).join('');
  return { prompt: s.intro + body + fill(s.question, { key: asked.key }), answer: asked.value };
}

/** Several needles "magic number for <name>"; the asked one sits at `depth`, the others at random depths. */
export function niahExample(ctx: BuildContext, length: number, depth: number): TaskExample {
  const s = ctx.spec.niah;
  const names = ctx.rng.sample(s.names, s.needles);
  const numbers = names.map(() => ctx.rng.digits(s.number_digits));
  const shown = ctx.corrupt ? otherDigits(ctx.rng, s.number_digits, numbers[0]!) : numbers[0]!;
  const needles = [{ depth, text: fill(s.needle, { name: names[0]!, number: shown }) }];
  for (let i = 1; i < names.length; i++) {
    needles.push({ depth: ctx.rng.next(), text: fill(s.needle, { name: names[i]!, number: numbers[i]! }) });
  }
  const question = fill(s.question, { name: names[0]! });
  const fixed = ctx.count(s.intro + needles.map((n) => ' ' + n.text).join('') + question) + ANSWER_ROOM;
  const body = insertNeedles(ctx.haystack.window(ctx.rng, length - fixed), needles);
  return { prompt: s.intro + body + question, answer: numbers[0]! };
}

export const TASK_BUILDERS: Record<TaskName, (ctx: BuildContext, length: number, depth: number) => TaskExample> = {
  passkey: passkeyExample,
  kv: kvExample,
  niah: niahExample,
};

/** The number a continuation starts with (after spaces), or '' when it starts otherwise. */
export function leadingNumber(continuation: string): string {
  return /^\s*(\d+)/.exec(continuation)?.[1] ?? '';
}
