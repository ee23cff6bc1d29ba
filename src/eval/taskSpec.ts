// The text formats of the long-context tasks (models/default/tasks.json, shared with tools/train/tasks.py).
import { readTextAsset, TASKS_PATH } from './assets.js';

export interface PasskeySpec { intro: string; needle: string; question: string; answer: string; key_digits: number }
export interface KvSpec {
  intro: string; line: string; question: string; answer: string; key_letters: number; value_digits: number;
}
export interface NiahSpec {
  intro: string; needle: string; question: string; answer: string; number_digits: number; needles: number;
  hop_needle: string; names: string[];
}
export interface TaskSpec { passkey: PasskeySpec; kv: KvSpec; niah: NiahSpec; eos: string }

export function loadTaskSpec(file = TASKS_PATH): TaskSpec {
  let spec: TaskSpec;
  try {
    spec = JSON.parse(readTextAsset(file)) as TaskSpec;
  } catch (error) {
    throw new Error(`${file}: not a task spec: ${(error as Error).message}`);
  }
  for (const key of ['passkey', 'kv', 'niah'] as const) {
    if (typeof spec[key]?.question !== 'string') throw new Error(`${file}: task '${key}' is missing or has no question`);
  }
  return spec;
}

/** Fills {name} placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
