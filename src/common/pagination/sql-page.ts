import type { Sql } from '../../database/sql.js';
import type { ListQueryType } from './list-query.js';
import { lastPageTotal, type Page } from './page.js';

/** The numbered parameters of one hand-written statement: `add` answers the placeholder. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A list's SELECT in parts: the page and its count are built from the same FROM and WHERE. */
export interface ListStatement {
  columns: string;
  from: string;
  where: string[];
  parameters: SqlParameters;
  /** The column of each sort field (whitelisted: only these reach the SQL). */
  sortColumns: Record<string, string>;
  /** The primary key, which breaks ties so that pages never overlap. */
  key: string;
  /**
   * The exact total as an expression that reads a few rows (a count a trigger keeps), when
   * there is one for this list: read with the page, in the same query, instead of counting.
   */
  total?: string;
}

const whereOf = (conditions: string[]) =>
  conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';

/** The `total` of a list: COUNT(*) over its FROM and WHERE (every row is one item). */
export async function countRows(sql: Sql, statement: ListStatement): Promise<number> {
  const [row] = await sql<{ total: number }>(
    `SELECT count(*)::int AS "total" FROM ${statement.from}${whereOf(statement.where)}`,
    statement.parameters.values,
  );
  return row.total;
}

/**
 * Runs a list's page (the sort field's column, then the key, LIMIT/OFFSET) and its total. The
 * last page gives the total itself (`lastPageTotal`); a full one reads the statement's `total`
 * with it when there is one; `count` (COUNT(*) unless given) runs only otherwise.
 */
export async function listPage<Row, Item = Row>(
  sql: Sql,
  statement: ListStatement,
  query: ListQueryType,
  toItem: (row: Row) => Item,
  count: () => Promise<number> = () => countRows(sql, statement),
): Promise<Page<Item>> {
  const descending = query.sort.startsWith('-');
  const column = statement.sortColumns[descending ? query.sort.slice(1) : query.sort];
  const direction = descending ? 'DESC' : 'ASC';
  const order =
    column === statement.key
      ? `${column} ${direction}`
      : `${column} ${direction}, ${statement.key} ${direction}`;
  const parameters = [...statement.parameters.values, query.limit, query.offset];
  const columns = statement.total
    ? `${statement.columns}, ${statement.total} AS "listTotal"`
    : statement.columns;
  const rows = await sql<Row & { listTotal?: string | number }>(
    `SELECT ${columns} FROM ${statement.from}${whereOf(statement.where)} ` +
      `ORDER BY ${order} LIMIT $${parameters.length - 1} OFFSET $${parameters.length}`,
    parameters,
  );
  const total =
    lastPageTotal(rows.length, query) ??
    (rows[0]?.listTotal !== undefined ? Number(rows[0].listTotal) : await count());
  return { items: rows.map(toItem), total, limit: query.limit, offset: query.offset };
}
