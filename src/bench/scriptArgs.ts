// Argument parsing for the scripts under bench/: --help prints the usage, a bad option prints the problem and
// the usage (exit 2) instead of a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function parseScriptArgs<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nusage: ${usage}\n`);
    process.exit(2);
  }
}
