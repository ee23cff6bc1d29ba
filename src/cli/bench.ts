// `fastfill bench <what>`: a small dispatcher; each benchmark lives under src/bench/<what>/.
import { benchModelCommand } from '../bench/model/benchModelCommand.js';
import { benchServeCommand } from '../bench/serve/benchServeCommand.js';
import { CliError } from './args.js';

const BENCHMARKS: Record<string, (argv: string[]) => Promise<void> | void> = {
  model: benchModelCommand,
  serve: benchServeCommand,
};

const USAGE = `usage: fastfill bench <benchmark> [options]
benchmarks: ${Object.keys(BENCHMARKS).join(', ')}
Run 'fastfill bench <benchmark> --help' for its options.`;

export async function benchCommand(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const bench = BENCHMARKS[name];
  if (!bench) throw new CliError(`unknown benchmark '${name}'\n${USAGE}`);
  await bench(rest);
}
