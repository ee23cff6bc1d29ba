/**
 * Every problem found in a model file (or folder) is reported as a ModelFormatError naming the file
 * and the problem, so callers can catch one type and print one clear line.
 */
export class ModelFormatError extends Error {
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'ModelFormatError';
    this.file = file;
    this.problem = problem;
  }
}

/**
 * Runs `body`; a ModelFormatError it throws is re-thrown with `context` in front of its problem
 * (e.g. "tensor #3 'blk.0.attn_q.weight': ..."), so low-level readers need not know where they are.
 */
export function withContext<T>(context: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof ModelFormatError) {
      throw new ModelFormatError(e.file, `${context}: ${e.problem}`, { cause: e.cause });
    }
    throw e;
  }
}

/** A name from a file, cut short for error messages (hostile files can hold huge names). */
export function shortName(name: string, max = 80): string {
  return name.length <= max ? name : `${name.slice(0, max - 3)}...`;
}
