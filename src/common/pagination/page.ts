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
 * Applies a list query's sort (a whitelisted field mapped to its column, `id` breaking
 * ties), limit and offset, and returns the page with its total. Lists join only
 * many-to-one, so a plain LIMIT/OFFSET pages them (no distinct-id subquery).
 */
export async function paginate<Entity extends ObjectLiteral, Item>(
  builder: SelectQueryBuilder<Entity>,
  query: ListQueryType,
  sortColumns: Record<string, string>,
  toItem: (entity: Entity) => Item,
): Promise<Page<Item>> {
  const descending = query.sort.startsWith('-');
  const column = sortColumns[descending ? query.sort.slice(1) : query.sort];
  const direction = descending ? 'DESC' : 'ASC';
  const [entities, total] = await builder
    .orderBy(column, direction)
    .addOrderBy(`${builder.alias}.id`, direction)
    .limit(query.limit)
    .offset(query.offset)
    .getManyAndCount();
  return { items: entities.map(toItem), total, limit: query.limit, offset: query.offset };
}
