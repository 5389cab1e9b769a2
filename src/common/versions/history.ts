import { applyDecorators, Param, type PipeTransform, type Type } from '@nestjs/common';
import { ApiParam, ApiProperty } from '@nestjs/swagger';
import type { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ApiTimestamp } from '../openapi.js';
import { ListQuery } from '../pagination/list-query.js';
import { type Page, paginate } from '../pagination/page.js';
import { ValidationProblem } from '../problem-details.js';
import { MAX_VERSION } from './entity-tags.js';

export const VERSION_OPERATIONS = ['create', 'update'] as const;
export type VersionOperation = (typeof VERSION_OPERATIONS)[number];

/** A history list: newest first by default, and sortable by version only. */
export class HistoryQuery extends ListQuery(['version'] as const, '-version') {}

/** The OpenAPI schema of one version of a `resource`. */
export function HistoryEntryOf<T>(resource: Type<T>, noun: string) {
  class HistoryEntry {
    @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_VERSION, example: 2 })
    version: number;

    @ApiProperty({
      enum: VERSION_OPERATIONS,
      example: 'update',
      description: `Whether this version created the ${noun} or changed it.`,
    })
    operation: VersionOperation;

    @ApiTimestamp()
    changedAt: Date;

    @ApiProperty({
      format: 'uuid',
      description: 'The user who made this version.',
      example: '0b7e8f6c-3d0a-4c7b-9a59-2f6d1c8e4a11',
    })
    changedBy: string;

    @ApiProperty({
      type: resource,
      description: `The ${noun} as it was at this version, exactly as the API answered then.`,
    })
    resource: T;
  }
  return HistoryEntry;
}

/** A page of `entries`: one record's versions, a query whose alias is `entry`. */
export function versionsPage<Version extends ObjectLiteral>(
  entries: SelectQueryBuilder<Version>,
  query: HistoryQuery,
): Promise<Page<Version>> {
  return paginate(entries, query, { version: 'entry.version' }, (entry) => entry);
}

/** The version numbered `version` among `entries` (aliased `entry`), if there is one. */
export function versionNumbered<Version extends ObjectLiteral>(
  entries: SelectQueryBuilder<Version>,
  version: number,
): Promise<Version | null> {
  return entries.andWhere('entry.version = :version', { version }).getOne();
}

/** The stored form of a version: the row as the history trigger copied it (`to_jsonb`). */
export interface StoredVersion {
  version: number;
  operation: VersionOperation;
  changedAt: Date;
  changedBy: string;
  resource: Record<string, unknown>;
}

/**
 * Turns a stored version back into the entity it was, column by column, with the driver's
 * own conversions (a timestamp string becomes a Date, a date stays `YYYY-MM-DD`), so that the
 * service's response mapper answers it exactly as it answered the live row.
 */
export function hydrateVersion<Entity extends ObjectLiteral, Response>(
  dataSource: DataSource,
  target: EntityTarget<Entity>,
  stored: StoredVersion,
  toResponse: (entity: Entity) => Response,
) {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as Entity;
  for (const column of metadata.columns) {
    // A join column that only a relation declares has no property to restore.
    if (column.isVirtual) continue;
    const value = stored.resource[column.databaseName];
    (entity as Record<string, unknown>)[column.propertyName] =
      dataSource.driver.prepareHydratedValue(value, column);
  }
  const { version, operation, changedAt, changedBy } = stored;
  return { version, operation, changedAt, changedBy, resource: toResponse(entity) };
}

const parseVersion: PipeTransform<string, number> = {
  transform(value: string): number {
    if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > MAX_VERSION) {
      throw new ValidationProblem(
        [{ field: 'version', message: 'version must be a whole number from 1' }],
        'The version in the path is not a version number.',
      );
    }
    return Number(value);
  },
};

/** The `version` path parameter: a whole number from 1, or a 400 before any query runs. */
export const VersionParam = (): ParameterDecorator => Param('version', parseVersion);

/** Documents the `version` path parameter. */
export const ApiVersionParam = () =>
  applyDecorators(
    ApiParam({
      name: 'version',
      schema: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_VERSION, example: 2 },
      description: 'A version number, as in the `version` of the resource',
    }),
  );
