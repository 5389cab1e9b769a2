import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A client's id is echoed if it is short and plain; otherwise a fresh one is made. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's id: the caller's `X-Request-Id` when acceptable, else a new UUID. */
export function requestIdOf(request: IncomingMessage & { id?: unknown }): string {
  if (typeof request.id === 'string') return request.id;
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
}
