import { randomUUID } from 'node:crypto';

/** `prefix-` + 32 hex digits, like OpenAI's cmpl-… and chatcmpl-… ids. */
export const responseId = (prefix: string) => `${prefix}-${randomUUID().replaceAll('-', '')}`;

/** Seconds since the epoch, as OpenAI's `created`. */
export const unixSeconds = () => Math.floor(Date.now() / 1000);
