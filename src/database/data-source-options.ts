import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations/index.js';

/** How long a query may run before PostgreSQL cancels it. */
export const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * Connection options shared by the application and the TypeORM CLI (`ormconfig.ts`).
 * `synchronize` stays off: the schema only ever changes through migrations.
 */
export function dataSourceOptions(url: string, embedded: boolean): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrations,
    migrationsRun: false,
    poolSize: embedded ? 1 : 10,
    extra: {
      connectionTimeoutMillis: embedded ? 15_000 : 5_000,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      // A connection that stops answering (not even an error) fails the query too.
      query_timeout: STATEMENT_TIMEOUT_MS + 2_000,
      application_name: 'healthcare-api',
    },
  };
}
