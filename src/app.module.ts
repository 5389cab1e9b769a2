import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter.js';
import { JwtAuthGuard } from './common/guards/jwt-auth.guard.js';
import type { AppConfig } from './config/environment.js';
import { DatabaseModule } from './database/database.module.js';
import { DoctorsModule } from './doctors/doctors.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MappingsModule } from './mappings/mappings.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PatientsModule } from './patients/patients.module.js';
import { RedisModule } from './redis/redis.module.js';

@Module({})
export class AppModule {
  /** The application for one validated configuration (tests start several side by side). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [() => ({ ...config })],
        }),
        LoggingModule,
        DatabaseModule,
        RedisModule,
        HealthModule,
        AuthModule,
        DoctorsModule,
        PatientsModule,
        MappingsModule,
        ...(config.metricsPort === undefined ? [] : [MetricsModule]),
      ],
      providers: [
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
