import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is on the other end of a request, signed in or not. */
export interface Client {
  /**
   * The client's address as Fastify reports it (`request.ip`): the socket's peer, or the
   * forwarded address when the server is configured to trust a proxy.
   */
  address: string;
}

export const CurrentClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Client => ({
    address: context.switchToHttp().getRequest<FastifyRequest>().ip,
  }),
);
