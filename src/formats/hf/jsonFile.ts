import fs from 'node:fs';
import { ModelFormatError } from '../errors.js';

/** Reads a JSON file that must hold an object; every problem names the file. */
export function readJsonObject(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModelFormatError(path, `cannot read file (${(e as Error).message})`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(path, `not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelFormatError(path, 'expected a JSON object at the top level');
  }
  return parsed as Record<string, unknown>;
}
