// Where the read-only reference data (../shared beside the repository) is, for tools that use it when present.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../packageRoot.js';

/** FASTFILL_SHARED, else `../shared` beside the repository root; undefined when neither exists. */
export function findSharedDir(): string | undefined {
  const fromEnv = process.env.FASTFILL_SHARED;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const shared = path.resolve(PACKAGE_ROOT, '..', 'shared');
  return existsSync(shared) ? shared : undefined;
}
