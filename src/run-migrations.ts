import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { ConfigurationError, loadConfig } from './config/environment.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { runMigrationsOnce } from './database/migrate.js';

/**
 * Applies pending migrations and exits: the separate migration step (`npm run migration:run`,
 * the Kubernetes Job) for servers started with `MIGRATIONS_RUN=false`. It takes the same
 * advisory lock as a starting server, so the two never migrate at the same time.
 */
if (existsSync('.env')) process.loadEnvFile('.env');

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}

const embedded =
  config.databaseUrl === undefined ? await EmbeddedPostgres.start(config.dataDir) : undefined;
const dataSource = new DataSource(
  dataSourceOptions(config.databaseUrl ?? embedded!.url, embedded !== undefined),
);
try {
  await dataSource.initialize();
  const applied = await runMigrationsOnce(dataSource, { embedded: embedded !== undefined });
  console.log(
    applied.length === 0
      ? 'No pending migrations'
      : `Applied ${applied.length} migrations: ${applied.map((migration) => migration.name).join(', ')}`,
  );
} catch (error) {
  console.error(`Migrations failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  if (dataSource.isInitialized) await dataSource.destroy();
  await embedded?.stop();
}
