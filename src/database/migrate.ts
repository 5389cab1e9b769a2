import type { DataSource, Migration } from 'typeorm';

/** The key of the PostgreSQL advisory lock that lets one migration run at a time (any constant). */
export const MIGRATION_LOCK_KEY = 1_764_090_014;

/** How often an instance retries the lock while another one migrates. */
const LOCK_RETRY_MS = 250;

/**
 * Runs the pending migrations while holding a session-level advisory lock on a connection
 * of its own, so that instances started together migrate the schema once: the first takes
 * the lock and migrates, the others wait, then find nothing pending. The lock is polled
 * (`pg_try_advisory_lock`) rather than awaited, so that a long migration elsewhere does not
 * run into this session's statement timeout. The embedded database serves one process and
 * one connection, so there it runs without the lock.
 */
export async function runMigrationsOnce(
  dataSource: DataSource,
  { embedded }: { embedded: boolean },
): Promise<Migration[]> {
  if (embedded) return dataSource.runMigrations();
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    while (true) {
      const [{ locked }] = (await lockHolder.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (locked) break;
      await new Promise((wait) => setTimeout(wait, LOCK_RETRY_MS));
    }
    try {
      return await dataSource.runMigrations();
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockHolder.release();
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
