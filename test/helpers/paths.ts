import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/packageRoot.js';

/** Repository root (where package.json is). */
export const REPO_ROOT = PACKAGE_ROOT;

/** `../shared/` beside the repository: read-only reference data (models, tokenizers, cases). */
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');

/** Committed small fixtures (made by tools/make_fixtures.py). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');

/**
 * Path of a file under ../shared, or a skip reason when it is absent, for
 * `test(name, { skip: sharedSkip(p) }, ...)`.
 */
export function sharedPath(relative: string): string {
  return path.join(SHARED_DIR, relative);
}

export function sharedSkip(relative: string): string | false {
  const p = sharedPath(relative);
  return existsSync(p) ? false : `reference data ${p} is absent (../shared/ beside the repo); skipping`;
}
