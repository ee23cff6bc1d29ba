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

/** The issue with the deepest path; inside a failed union, the issue of the branch that came closest. */
function mostSpecific(issues: readonly Issue[]): Issue {
  let best = resolveUnion(issues[0]!);
  for (const issue of issues.slice(1)) {
    const candidate = resolveUnion(issue);
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

/** A union's branches that got inside the value (not a plain type mismatch); the one with fewest issues wins. */
function resolveUnion(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  const inside = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
  if (inside.length === 0) return issue;
  const closest = inside.reduce((a, b) => (b.length < a.length ? b : a));
  const inner = resolveUnion(closest[0]!);
  return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
}
