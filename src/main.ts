import 'reflect-metadata';
import { loadProcessConfig } from './config/environment.js';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory.js';
import { Readiness } from './health/readiness.js';

const config = loadProcessConfig();

const app = await createApp(config);
await app.listen({ port: config.port, host: '0.0.0.0' });
const logger = app.get(Logger);
logger.log(`Listening on http://localhost:${config.port} (docs at /docs)`, 'Bootstrap');

/** How long requests in flight may take to finish after a shutdown signal. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Graceful shutdown. On SIGTERM (an orchestrator's stop) the instance first turns not ready
 * and keeps serving for SHUTDOWN_DELAY_SECONDS, the time a load balancer needs to see the
 * failing readiness check and stop sending to it. Then, as on SIGINT (a developer's Ctrl-C,
 * which skips the delay): stop accepting connections, let the requests in flight finish,
 * close the database pool (and the embedded database), and exit 0. Keep-alive connections
 * are closed as soon as they fall idle, so that a client's open connection cannot hold the
 * process; whatever is still open after the grace period is cut.
 */
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.get(Readiness).beginShutdown();
    const delayMs = signal === 'SIGTERM' ? config.shutdownDelaySeconds * 1000 : 0;
    logger.log(
      `${signal} received: not ready; serving ${delayMs / 1000} s more, then finishing the requests in flight and exiting`,
      'Bootstrap',
    );
    setTimeout(() => {
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
    }, delayMs);
  });
}
