import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/environment.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { EmbeddedPostgres } from './src/database/embedded-postgres.js';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run`, `migration:generate`).
 * It reads the same configuration as the server: `DATABASE_URL`, or the embedded
 * database in `DATA_DIR` when no URL is set.
 */
if (existsSync('.env')) process.loadEnvFile('.env');
const config = loadConfig(process.env);
const url = config.databaseUrl ?? (await EmbeddedPostgres.start(config.dataDir)).url;

export default new DataSource({
  ...dataSourceOptions(url, config.databaseUrl === undefined),
  entities: [`${import.meta.dirname}/src/**/*.entity.{ts,js}`],
});
