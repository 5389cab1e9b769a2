import { Logger } from '@nestjs/common';
import { type DataSource, type Migration, MigrationExecutor } from 'typeorm';

/** The key of the PostgreSQL advisory lock that lets one migration run at a time (any constant). */
export const MIGRATION_LOCK_KEY = 1_764_090_014;

/** How often an instance retries the lock while another one migrates. */
const LOCK_RETRY_MS = 250;

/**
 * Runs the pending migrations while holding a session-level advisory lock, so that instances
 * started together migrate the schema once: the first takes the lock and migrates, the
 * others wait, then find nothing pending. The migrations run on the connection that holds
 * the lock, so one connection is enough (the embedded PGlite database has only one). The
 * lock is polled (`pg_try_advisory_lock`) rather than awaited, so that a long migration
 * elsewhere does not run into this session's statement timeout.
 */
export async function runMigrationsOnce(dataSource: DataSource): Promise<Migration[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    while (true) {
      const [{ locked }] = (await queryRunner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (locked) break;
      await new Promise((wait) => setTimeout(wait, LOCK_RETRY_MS));
    }
    try {
      return await new MigrationExecutor(dataSource, queryRunner).executePendingMigrations();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await queryRunner.release();
  }
}

/**
 * The names of the migrations not yet applied, read without writing anything (TypeORM's
 * `showMigrations` creates the migrations table, which would race a migration run).
 */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const [{ found }] = await dataSource.query<{ found: string | null }[]>(
    'SELECT to_regclass($1) AS found',
    [table],
  );
  const rows =
    found === null ? [] : await dataSource.query<{ name: string }[]>(`SELECT name FROM "${table}"`);
  const applied = new Set(rows.map((row) => row.name));
  return dataSource.migrations
    .map((migration) => migration.name ?? '')
    .filter((name) => !applied.has(name));
}

/** One line saying what a migration run did. */
export function describeRun(applied: Migration[]): string {
  return applied.length === 0
    ? 'No pending migrations'
    : `Applied ${applied.length} migrations: ${applied.map((migration) => migration.name).join(', ')}`;
}

/**
 * What a starting server does before any module uses the database: apply pending
 * migrations (`MIGRATIONS_RUN`, on by default), or, when they run as a separate step, refuse
 * to start while any is pending rather than serve a schema older than the code.
 */
export async function migrateAtStartup(dataSource: DataSource, run: boolean): Promise<void> {
  if (run) {
    new Logger('Migrations').log(describeRun(await runMigrationsOnce(dataSource)));
    return;
  }
  const pending = await pendingMigrations(dataSource);
  if (pending.length > 0) {
    throw new Error(
      `MIGRATIONS_RUN=false and ${pending.length} migrations are pending: run the migration step first (npm run migration:run)`,
    );
  }
}
