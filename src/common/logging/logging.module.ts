import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../../config/environment.js';

/**
 * Structured JSON logs (pino through nestjs-pino). Requests are logged by `logRequests`
 * (one line each, from the route pattern, never the URL, headers or body).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => ({
        pinoHttp: { level: config.get('logLevel'), autoLogging: false, quietReqLogger: true },
      }),
    }),
  ],
})
export class LoggingModule {}
