import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/** Runs one parameterised statement and answers its rows. */
export type Sql = <Row>(text: string, parameters: unknown[]) => Promise<Row[]>;

/** A statement in `manager`'s transaction (or on a connection of its own, for the default one). */
export const managerSql =
  (manager: EntityManager): Sql =>
  (text, parameters) =>
    manager.query(text, parameters);

/**
 * A statement outside any transaction, straight on the driver's pool (the same connections,
 * timeouts included): TypeORM's query runner, set up and torn down for every statement, cost
 * more than the request paths' own work. Its errors are the driver's, which
 * database-errors.ts translates like TypeORM's (reads meet no constraint).
 */
export function poolSql(dataSource: DataSource): Sql {
  return async <Row>(text: string, parameters: unknown[]) => {
    const pool = (dataSource.driver as PostgresDriver).master as pg.Pool;
    return (await pool.query(text, parameters)).rows as Row[];
  };
}
