import { Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/environment.js';

/** How long one Redis command may take before the caller treats Redis as down. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * The connection to the Redis named by `REDIS_URL`, or none when it is unset. Commands fail
 * fast while Redis is unreachable (no offline queue, a short timeout) so that callers can
 * fall back at once instead of holding requests; ioredis keeps reconnecting in the
 * background. Outages are logged once when they begin and once when they end.
 */
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private down = false;

  constructor(readonly client?: Redis) {
    client?.on('error', (error: Error) => this.reportDown(error));
    client?.on('ready', () => {
      if (this.down) this.logger.log('Redis is reachable again');
      this.down = false;
    });
  }

  static connect(url?: string): RedisConnection {
    if (url === undefined) return new RedisConnection();
    return new RedisConnection(
      new Redis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: COMMAND_TIMEOUT_MS,
        connectTimeout: 2_000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
        connectionName: 'healthcare-api',
      }),
    );
  }

  /**
   * Waits for the first connection attempt to end (either way), so that the first requests
   * use Redis rather than the fallback. Redis being down does not stop the start-up.
   */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const settled = () => {
        client.off('ready', settled);
        client.off('error', settled);
        resolve();
      };
      client.on('ready', settled);
      client.on('error', settled);
    });
  }

  /** Logs the first failure of an outage as a warning; the rest of it stays quiet. */
  reportDown(error: Error): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(`Redis is unreachable (${error.message})`);
  }

  /** Whether Redis answers a PING now. */
  async isUp(): Promise<boolean> {
    if (!this.client) return false;
    try {
      return (await this.client.ping()) === 'PONG';
    } catch (error) {
      this.reportDown(error as Error);
      return false;
    }
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}

/** The optional Redis connection, shared by the rate limiter and the readiness check. */
@Module({
  providers: [
    {
      provide: RedisConnection,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) =>
        RedisConnection.connect(config.get('redisUrl', { infer: true })),
    },
  ],
  exports: [RedisConnection],
})
export class RedisModule {}
