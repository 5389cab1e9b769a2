import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { configurationModule } from '../config/configuration.module.js';
import type { AppConfig } from '../config/environment.js';
import { DatabaseModule } from '../database/database.module.js';
import { UsersModule } from '../users/users.module.js';
import {
  CreateAdminCommand,
  GrantAdminCommand,
  PasswordQuestion,
  RevokeAdminCommand,
} from './admin.commands.js';

/** The command line: the server's configuration, database and account modules, no HTTP. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [configurationModule(config), DatabaseModule, AuditModule, UsersModule, AuthModule],
      providers: [CreateAdminCommand, GrantAdminCommand, RevokeAdminCommand, PasswordQuestion],
    };
  }
}
