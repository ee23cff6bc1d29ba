// Errors as the OpenAI API reports them: HTTP status + {"error": {message, type, param, code}}.

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    /** OpenAI's machine-readable code (not fastify's error code) */
    readonly errorCode: string | null = null,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.errorCode } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, 'invalid_request_error', param, code);

export const notFound = (message: string, param: string | null = null, code: string | null = 'not_found') =>
  new ApiError(404, message, 'invalid_request_error', param, code);

export const unauthorized = () =>
  new ApiError(401, 'Incorrect or missing API key: send "Authorization: Bearer <key>"', 'invalid_request_error', null,
    'invalid_api_key');

export const queueFull = (waiting: number, limit: number) =>
  new ApiError(429, `The server is busy: ${waiting} requests are waiting (the limit is ${limit}); retry later`,
    'rate_limit_error', null, 'queue_full');

export const shuttingDown = () =>
  new ApiError(503, 'The server is shutting down', 'service_unavailable_error', null, 'shutting_down');

export const serverError = (message: string) => new ApiError(500, message, 'server_error', null, null);

/** Any thrown value as an ApiError: fastify's own errors keep their 4xx status. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { statusCode?: unknown; message?: unknown; code?: unknown };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (status === 413) return new ApiError(413, message, 'invalid_request_error', null, 'request_too_large');
  if (status >= 400 && status < 500) return new ApiError(status, message, 'invalid_request_error', null, null);
  return serverError(message);
}
