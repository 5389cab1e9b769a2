import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../../config/environment.js';

/**
 * Structured JSON logs (pino through nestjs-pino). Requests are logged by `logRequests`
 * (one line each, from the route pattern, never the URL, headers or body), so no route runs
 * pino-http's middleware: nothing logs through a request-bound logger, and building one per
 * request (with its async context) only cost time.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => ({
        pinoHttp: { level: config.get('logLevel'), autoLogging: false },
        forRoutes: [],
      }),
    }),
  ],
})
export class LoggingModule {}
