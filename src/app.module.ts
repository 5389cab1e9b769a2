import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter.js';
import { JwtAuthGuard } from './common/guards/jwt-auth.guard.js';
import { RolesGuard } from './common/guards/roles.guard.js';
import { configurationModule } from './config/configuration.module.js';
import type { AppConfig } from './config/environment.js';
import { DatabaseModule } from './database/database.module.js';
import { DoctorsModule } from './doctors/doctors.module.js';
import { FhirModule } from './fhir/fhir.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MappingsModule } from './mappings/mappings.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PatientsModule } from './patients/patients.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  /** The application for one validated configuration (tests start several side by side). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configurationModule(config),
        LoggingModule,
        DatabaseModule,
        AuditModule,
        HealthModule,
        AuthModule,
        DoctorsModule,
        PatientsModule,
        MappingsModule,
        FhirModule,
        AdminModule,
        UsersModule,
        ...(config.metricsPort === undefined ? [] : [MetricsModule]),
      ],
      providers: [
        // In this order: who the caller is, then what their role allows.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
