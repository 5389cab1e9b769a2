import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigurationError, loadConfig } from './config/environment.js';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory.js';

if (existsSync('.env')) process.loadEnvFile('.env');

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}

const app = await createApp(config);
await app.listen({ port: config.port, host: '0.0.0.0' });
const logger = app.get(Logger);
logger.log(`Listening on http://localhost:${config.port} (docs at /docs)`, 'Bootstrap');

/** How long requests in flight may take to finish after a shutdown signal. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Graceful shutdown: stop accepting connections, let the requests in flight finish, close
 * the database pool (and the embedded database), then exit 0. Keep-alive connections are
 * closed as soon as they fall idle, so that a client's open connection cannot hold the
 * process; whatever is still open after the grace period is cut.
 */
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.log(`${signal} received: finishing requests in flight, then exiting`, 'Bootstrap');
    const server = app.getHttpServer();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    app.close().then(
      () => {
        clearInterval(sweep);
        clearTimeout(deadline);
        process.exit(0);
      },
      () => process.exit(1),
    );
  });
}
