import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run compiled from dist/test/..., so walk up to package.json). */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

/** `../shared/` beside the repository: read-only reference data (models, tokenizers, cases). */
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');

/** Committed small fixtures (made by tools/make_fixtures.py). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

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
