import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { RedisConnection } from '../redis/redis.module.js';
import { Readiness } from './readiness.js';

class HealthResponse {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status: 'ok' | 'error';

  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  database: 'up' | 'down';
}

class LivenessResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';
}

class ReadinessResponse {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status: 'ok' | 'error';

  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  database: 'up' | 'down';

  @ApiPropertyOptional({
    enum: ['up', 'down'],
    example: 'up',
    description: 'Present when the server is configured with Redis (`REDIS_URL`).',
  })
  redis?: 'up' | 'down';

  @ApiProperty({
    example: false,
    description: 'Whether the instance is shutting down (then it is never ready).',
  })
  shuttingDown: boolean;
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisConnection,
    private readonly readiness: Readiness,
  ) {}

  @Public()
  @Get()
  @ApiEndpoint({
    operationId: 'getHealth',
    summary: 'Liveness and database reachability',
    response: HealthResponse,
    success: 'The service is up and reaches its database.',
  })
  @ApiServiceUnavailableResponse({
    type: HealthResponse,
    description: 'The database is unreachable.',
    example: { status: 'error', database: 'down' },
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponse> {
    const database = await this.databaseState();
    if (database === 'down') reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: database === 'up' ? 'ok' : 'error', database };
  }

  @Public()
  @Get('live')
  @ApiEndpoint({
    operationId: 'getLiveness',
    summary: 'Whether the process runs (for a liveness probe)',
    description:
      'Checks nothing outside the process, so that an outage of the database does not get ' +
      'every healthy instance restarted.',
    response: LivenessResponse,
    success: 'The process runs.',
  })
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @ApiEndpoint({
    operationId: 'getReadiness',
    summary: 'Whether the instance should receive traffic (for a readiness probe)',
    description:
      'Ready when the database answers, and Redis too when it is configured. Not ready from ' +
      'the moment a shutdown begins, so that the load balancer stops sending requests ' +
      'before the instance closes its connections.',
    response: ReadinessResponse,
    success: 'Ready to serve.',
  })
  @ApiServiceUnavailableResponse({
    type: ReadinessResponse,
    description: 'A dependency is down, or the instance is shutting down.',
    example: { status: 'error', database: 'up', redis: 'down', shuttingDown: false },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessResponse> {
    const [database, redis] = await Promise.all([
      this.databaseState(),
      this.redis.client ? this.redis.isUp().then((up) => (up ? 'up' : 'down')) : undefined,
    ]);
    const shuttingDown = this.readiness.isShuttingDown;
    const ready = database === 'up' && redis !== 'down' && !shuttingDown;
    if (!ready) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'error', database, ...(redis ? { redis } : {}), shuttingDown };
  }

  private async databaseState(): Promise<'up' | 'down'> {
    try {
      await this.health.check([() => this.database.pingCheck('database', { timeout: 2_000 })]);
      return 'up';
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return 'down';
    }
  }
}
