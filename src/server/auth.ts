// Bearer-token check for every route but /health.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { unauthorized } from './errors.js';

const OPEN_ROUTES = new Set(['/health']);

const digest = (text: string) => createHash('sha256').update(text).digest();

/** An onRequest hook; comparing digests keeps the comparison constant-time whatever the lengths. */
export function bearerAuth(apiKey: string) {
  const expected = digest(`Bearer ${apiKey}`);
  return async (request: FastifyRequest): Promise<void> => {
    if (OPEN_ROUTES.has(request.url.split('?')[0]!)) return;
    const header = request.headers.authorization ?? '';
    if (!timingSafeEqual(digest(header), expected)) throw unauthorized();
  };
}
