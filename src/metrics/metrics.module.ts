import {
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { createServer, type Server } from 'node:http';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AppConfig } from '../config/environment.js';

/** The buckets OpenTelemetry's HTTP semantic conventions advise for request durations, in seconds. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Methods reported by name; any other becomes `_OTHER`, so a client cannot mint label values. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Prometheus metrics (prom-client) on a listener of their own at METRICS_PORT, never on the
 * API port: the request duration histogram, the database pool's use, the audit events
 * written and the process defaults. Labels carry route patterns (`/api/patients/:id`), never a URL, so no id, email
 * or other personal data reaches them. The registry is the module's own (not prom-client's
 * global one), so that several applications can run in one process. prom-client is used
 * directly: `@willsoto/nestjs-prometheus` serves its controller on the API's own port.
 */
@Injectable()
export class Metrics implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  private readonly requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly dataSource: DataSource,
    private readonly config: ConfigService<AppConfig, true>,
    audit: AuditService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // The audit trail counts its own writes; these read the counts when scraped.
    new Counter({
      name: 'audit_events_written_total',
      help: 'Audit events stored: in the transaction of the change they record, or by the group commit of reads and failures.',
      labelNames: ['write'],
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ write: 'transaction' }, audit.committedInTransactions);
        this.inc({ write: 'group_commit' }, audit.batches.written);
      },
    });
    new Counter({
      name: 'audit_event_batches_total',
      help: 'Multi-row INSERTs of the group commit; the events it wrote divided by this is the batch size.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(audit.batches.writes);
      },
    });
    const pool = () => (this.dataSource.driver as unknown as { master?: Pool }).master;
    new Gauge({
      name: 'db_client_connection_count',
      help: 'Connections of the database pool, by state (idle or used).',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const connections = pool();
        this.set({ state: 'idle' }, connections?.idleCount ?? 0);
        this.set({ state: 'used' }, (connections?.totalCount ?? 0) - (connections?.idleCount ?? 0));
      },
    });
    new Gauge({
      name: 'db_client_connection_pending_requests',
      help: 'Queries waiting for a free connection of the database pool.',
      registers: [this.registry],
      collect() {
        this.set(pool()?.waitingCount ?? 0);
      },
    });
    new Gauge({
      name: 'db_client_connection_max',
      help: 'The most connections the database pool opens.',
      registers: [this.registry],
      collect() {
        this.set(pool()?.options.max ?? 0);
      },
    });
  }

  onModuleInit(): void {
    const fastify: FastifyInstance = this.adapterHost.httpAdapter.getInstance();
    fastify.addHook('onResponse', async (request, reply) => {
      this.requestDuration.observe(
        {
          http_request_method: KNOWN_METHODS.has(request.method) ? request.method : '_OTHER',
          http_route: request.routeOptions.url ?? 'unmatched',
          http_response_status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.get('metricsPort', { infer: true });
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.replace(/\/$/, '') !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        return;
      }
      this.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        () => response.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics failed\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', resolve);
    });
    this.server = server;
    this.logger.log(`Metrics on http://localhost:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/** Imported only when METRICS_PORT is set. */
@Module({ providers: [Metrics] })
export class MetricsModule {}
