// Where the read-only reference data (../shared beside the repository) is, for tools that use it when present.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** FASTFILL_SHARED, else `../shared` beside the repository root; undefined when neither exists. */
export function findSharedDir(): string | undefined {
  const fromEnv = process.env.FASTFILL_SHARED;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  const shared = path.resolve(dir, '..', 'shared');
  return existsSync(shared) ? shared : undefined;
}
