// Small helpers over node:util parseArgs: typed numeric options with clear errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class CliError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: Options, usage: string): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true, strict: true }) as Parsed;
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${usage}`);
  }
  if (parsed.values.help) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  return parsed;
}

/** A string option's value (parseArgs guarantees the type for options declared as strings). */
export const str = (v: Parsed['values'][string]) => v as string | undefined;
export const strs = (v: Parsed['values'][string]) => v as string[] | undefined;

export function numberOption(value: unknown, name: string, check?: (n: number) => boolean, rule = ''): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || (check && !check(n))) {
    throw new CliError(`--${name} expects ${rule || 'a number'}, got '${String(value)}'`);
  }
  return n;
}

export const isPositiveInt = (n: number) => Number.isInteger(n) && n > 0;
export const isNonNegativeInt = (n: number) => Number.isInteger(n) && n >= 0;
