// zod parse -> typed body, or a 400 naming the offending field the way OpenAI does ("messages[0].role").
import type { z } from 'zod';
import { badRequest } from './errors.js';

export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object', null);
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = mostSpecific(result.error.issues);
  const param = paramPath(issue.path);
  throw badRequest(param ? `${param}: ${issue.message}` : issue.message, param || null);
}

/** Formats a zod path: ['messages', 0, 'role'] -> "messages[0].role". */
export function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

type Issue = z.core.$ZodIssue;

/** The issue with the deepest path; inside a failed union, the branch that got furthest. */
function mostSpecific(issues: readonly Issue[]): Issue {
  let best = issues[0]!;
  for (const issue of issues) {
    const candidate = issue.code === 'invalid_union' ? deepestInUnion(issue) : issue;
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best.code === 'invalid_union' ? deepestInUnion(best) : best;
}

function deepestInUnion(issue: Issue & { code: 'invalid_union' }): Issue {
  let best: Issue = issue;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const full = { ...inner, path: [...issue.path, ...inner.path] } as Issue;
      // a branch that failed only at the top (wrong type) says less than the union itself
      if (full.path.length > best.path.length) best = full;
    }
  }
  return best;
}
