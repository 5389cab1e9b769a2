import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/environment.js';
import { pendingMigrations, runMigrationsOnce } from './migrate.js';

/**
 * Applies pending migrations before the server listens (`MIGRATIONS_RUN`, on by default).
 * Switched off, when migrations run as a separate step, it only warns about pending ones.
 */
@Injectable()
export class MigrationsOnStartup implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.get('migrationsRun', { infer: true })) {
      if ((await pendingMigrations(this.dataSource)).length > 0) {
        this.logger.warn('MIGRATIONS_RUN=false and migrations are pending: run them first');
      }
      return;
    }
    const embedded = this.config.get('databaseUrl', { infer: true }) === undefined;
    const applied = await runMigrationsOnce(this.dataSource, { embedded });
    this.logger.log(
      applied.length === 0
        ? 'No pending migrations'
        : `Applied ${applied.length} migrations: ${applied.map((migration) => migration.name).join(', ')}`,
    );
  }
}
