import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/**
 * Whether this instance should receive traffic. A shutdown makes it not ready before it
 * stops listening, so that the load balancer drains it first (see main.ts). Meanwhile every
 * response says `Connection: close`, so that clients and proxies holding keep-alive
 * connections reconnect, to another instance, instead of sending on a connection that the
 * end of the drain will cut.
 */
@Injectable()
export class Readiness implements OnModuleInit {
  private shuttingDown = false;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify: FastifyInstance = this.adapterHost.httpAdapter.getInstance();
    fastify.addHook('onSend', async (_request, reply) => {
      if (this.shuttingDown) reply.header('connection', 'close');
    });
  }

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
