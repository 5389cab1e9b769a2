import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { answerClientError, sendProblem } from './common/filters/problem-details.filter.js';
import { requestIdOf } from './common/logging/request-id.js';
import { logRequests } from './common/logging/request-logging.js';
import { addResponseHeaders } from './common/security-headers.js';
import { StrictValidationPipe } from './common/validation/validation.pipe.js';
import type { AppConfig, TrustProxy } from './config/environment.js';
import { serveOpenApi } from './openapi.js';

/** The contract's limit on a request body: 100 kB. */
export const BODY_LIMIT_BYTES = 100_000;

/**
 * TRUST_PROXY in the form Fastify takes. Fastify 5.12 treats a number as "trust nothing"
 * (a hop count cannot tell a proxy from a client that sends the header itself), so a hop
 * count becomes the function proxy-addr used to build for it: believe the nearest `hops`
 * addresses. It is only safe when the instances are reachable through the proxies alone.
 */
function trustedProxies(
  trustProxy: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy !== 'number') return trustProxy;
  return (_address: string, hop: number) => hop < trustProxy;
}

/** Builds the application for one configuration, ready to listen. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Whose X-Forwarded-For to believe (TRUST_PROXY): `request.ip` is the client address
    // that rate limits and request logs use.
    trustProxy: trustedProxies(config.trustProxy),
    // Long path parameters reach the id check (a 400) instead of Fastify's 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    genReqId: (request: IncomingMessage) => requestIdOf(request),
    // Errors Fastify raises before routing (a path that is not valid UTF-8, say).
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(request, reply, { status: 400, detail: 'The URL is not valid.' }),
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    abortOnError: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  addResponseHeaders(fastify);
  logRequests(fastify, app.get(Logger));
  // JSON is the only body this API reads: anything else is a 415, not a string to validate.
  fastify.removeContentTypeParser('text/plain');
  app.useGlobalPipes(new StrictValidationPipe());
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      exposedHeaders: ['Location', 'Retry-After', 'ETag'],
    });
  }
  serveOpenApi(app);
  await app.init();
  return app;
}
