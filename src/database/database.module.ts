import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/environment.js';
import { dataSourceOptions } from './data-source-options.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { migrateAtStartup } from './migrate.js';

/** Starts the embedded database when no DATABASE_URL is configured, and stops it last. */
class EmbeddedPostgresHolder implements OnApplicationShutdown {
  private instance?: EmbeddedPostgres;

  async start(dataDir: string): Promise<string> {
    this.instance = await EmbeddedPostgres.start(dataDir);
    new Logger('Database').log(
      `No DATABASE_URL: using the embedded development database (PGlite) in ${dataDir}`,
    );
    return this.instance.url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.instance?.stop();
  }
}

@Module({
  providers: [EmbeddedPostgresHolder],
  exports: [EmbeddedPostgresHolder],
})
class EmbeddedPostgresModule {}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [ConfigService, EmbeddedPostgresHolder],
      useFactory: async (
        config: ConfigService<AppConfig, true>,
        embedded: EmbeddedPostgresHolder,
      ) => {
        const configuredUrl = config.get('databaseUrl', { infer: true });
        const url = configuredUrl ?? (await embedded.start(config.get('dataDir')));
        return {
          ...dataSourceOptions(url, configuredUrl === undefined),
          autoLoadEntities: true,
          retryAttempts: 0,
          // Applied by the factory below, under a lock, rather than by TypeORM itself.
          migrationsRun: config.get('migrationsRun', { infer: true }),
        };
      },
      // Migrating here, before the data source is handed to any module, means that nothing
      // (a module's start-up query included) ever sees an unmigrated schema.
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('The database options are missing');
        const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
        await migrateAtStartup(dataSource, options.migrationsRun === true);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
