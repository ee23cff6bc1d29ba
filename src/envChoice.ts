// Reads an environment variable that names one of a fixed set of choices (FASTFILL_PRECISION and the like).

/** The value of `name` when set and non-empty, or undefined; a value outside `allowed` throws makeError's error. */
export function envChoice<T extends string>(name: string, allowed: readonly T[],
  makeError: (message: string) => Error = (message) => new RangeError(message)): T | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw makeError(`${name}=${value} is not one of ${allowed.join(', ')}`);
  return value as T;
}
