import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadProcessConfig } from './config/environment.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { describeRun, pendingMigrations, runMigrationsOnce } from './database/migrate.js';

/**
 * Applies pending migrations and exits: the separate migration step (`npm run migration:run`,
 * the Kubernetes Job) for servers started with `MIGRATIONS_RUN=false`. It takes the same
 * advisory lock as a starting server, so the two never migrate at the same time.
 *
 * With `--wait` it applies nothing: it waits until no migration is pending (the Job has
 * run), for at most WAIT_LIMIT_MS, and exits 0, or 1 if they are still pending then. The
 * Kubernetes pods run it first, so that a new pod does not serve an old schema.
 */
const WAIT_LIMIT_MS = 5 * 60_000;
const WAIT_POLL_MS = 2_000;
const config = loadProcessConfig();

const embedded =
  config.databaseUrl === undefined ? await EmbeddedPostgres.start(config.dataDir) : undefined;
const dataSource = new DataSource(
  dataSourceOptions(config.databaseUrl ?? embedded!.url, embedded !== undefined),
);
try {
  await dataSource.initialize();
  if (process.argv.includes('--wait')) {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while ((await pendingMigrations(dataSource)).length > 0 && Date.now() < deadline) {
      await new Promise((wait) => setTimeout(wait, WAIT_POLL_MS));
    }
    if ((await pendingMigrations(dataSource)).length > 0) {
      console.error('Migrations are still pending: has the migration step run?');
      process.exitCode = 1;
    } else {
      console.log('No pending migrations');
    }
  } else {
    console.log(describeRun(await runMigrationsOnce(dataSource)));
  }
} catch (error) {
  console.error(`Migrations failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  if (dataSource.isInitialized) await dataSource.destroy();
  await embedded?.stop();
}
