import { type Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ListQueryType } from './list-query.js';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The column of each sort field of a list: a sort field without its column does not compile. */
export type SortColumns<Fields extends readonly string[]> = Record<Fields[number], string>;

/** The OpenAPI schema of a page of `item`s. */
export function PageOf<T>(item: Type<T>) {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item], maxItems: 100, description: 'At most `limit` items.' })
    items: T[];

    @ApiProperty({ example: 1, description: 'How many items match, over all pages.' })
    total: number;

    @ApiProperty({ example: 20 })
    limit: number;

    @ApiProperty({ example: 0 })
    offset: number;
  }
  return PageOfItems;
}

/** Escapes LIKE's metacharacters so that `q` matches itself as a substring. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * The total a page gives by itself: a page that is neither full nor past the end is the last
 * one, so nothing needs counting; `undefined` otherwise.
 */
export function lastPageTotal(found: number, query: ListQueryType): number | undefined {
  return found > 0 && found < query.limit ? query.offset + found : undefined;
}

/**
 * Applies a list query's sort (a whitelisted field mapped to its column, the primary key
 * breaking ties), limit and offset, and returns the page with its total. Lists join only
 * many-to-one, so a plain LIMIT/OFFSET pages them (no distinct-id subquery).
 */
export async function paginate<Entity extends ObjectLiteral, Item>(
  builder: SelectQueryBuilder<Entity>,
  query: ListQueryType,
  sortColumns: Record<string, string>,
  toItem: (entity: Entity) => Item,
  countBuilder: SelectQueryBuilder<Entity> = builder,
): Promise<Page<Item>> {
  const descending = query.sort.startsWith('-');
  const column = sortColumns[descending ? query.sort.slice(1) : query.sort];
  const direction = descending ? 'DESC' : 'ASC';
  builder.orderBy(column, direction);
  for (const key of builder.expressionMap.mainAlias!.metadata.primaryColumns) {
    const keyColumn = `${builder.alias}.${key.propertyPath}`;
    if (keyColumn !== column) builder.addOrderBy(keyColumn, direction);
  }
  const entities = await builder.limit(query.limit).offset(query.offset).getMany();
  const total = lastPageTotal(entities.length, query) ?? (await countRows(countBuilder));
  return { items: entities.map(toItem), total, limit: query.limit, offset: query.offset };
}

/**
 * Counts the rows a list query matches. Every row is one item (lists join only many-to-one,
 * or on a unique pair), so a plain COUNT(*) is exact and needs none of TypeORM's DISTINCT.
 */
async function countRows<Entity extends ObjectLiteral>(
  builder: SelectQueryBuilder<Entity>,
): Promise<number> {
  const row = await builder
    .clone()
    .orderBy()
    .limit(undefined)
    .offset(undefined)
    .select('COUNT(*)', 'total')
    .getRawOne<{ total: string }>();
  return Number(row?.total ?? 0);
}
