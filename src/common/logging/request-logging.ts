import type { FastifyInstance } from 'fastify';
import type { Logger } from 'nestjs-pino';

/**
 * Logs one line per request: its id, client address (`request.ip`, which follows
 * TRUST_PROXY), method, route pattern (`/api/patients/:id`), status and duration.
 * Deliberately nothing else: a URL's query can carry a name, headers carry tokens,
 * bodies carry passwords and medical history.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const entry = {
      msg: status >= 500 ? 'request failed' : 'request completed',
      requestId: request.id,
      clientAddress: request.ip,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (status >= 500) logger.error(entry, 'HTTP');
    else logger.log(entry, 'HTTP');
  });
}
