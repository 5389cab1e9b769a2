import type { EntityManager, EntityTarget, ObjectLiteral, QueryDeepPartialEntity } from 'typeorm';

/**
 * Updates the row with this id and answers the version and time the database gave the
 * change (the `set_version` trigger makes every UPDATE a new version, so there is no
 * changing a row without one).
 */
export async function updateVersioned<Entity extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<Entity>,
  id: string,
  changes: QueryDeepPartialEntity<Entity>,
): Promise<{ version: number; updatedAt: Date }> {
  const result = await manager
    .createQueryBuilder()
    .update(target)
    .set(changes)
    .where('id = :id', { id })
    .returning('version, updated_at')
    .execute();
  const [row] = result.raw as { version: number; updated_at: Date }[];
  return { version: row.version, updatedAt: row.updated_at };
}
