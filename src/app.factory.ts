import helmet from '@fastify/helmet';
import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { StrictValidationPipe } from './common/validation/validation.pipe.js';
import type { AppConfig } from './config/environment.js';
import { serveOpenApi } from './openapi.js';

/** The contract's limit on a request body: 100 kB. */
export const BODY_LIMIT_BYTES = 100_000;

const LOG_LEVELS: Record<string, LogLevel[] | false> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Builds the application for one configuration, ready to listen. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Long path parameters reach the id check (a 400) instead of Fastify's 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    abortOnError: false,
    logger: LOG_LEVELS[config.logLevel],
  });
  // JSON is the only body this API reads: anything else is a 415, not a string to validate.
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  app.useGlobalPipes(new StrictValidationPipe());
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`, `'unsafe-inline'`],
      },
    },
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['Location', 'Retry-After'] });
  }
  serveOpenApi(app);
  app.enableShutdownHooks();
  await app.init();
  return app;
}
