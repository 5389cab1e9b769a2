import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Slots per owner: concurrent writers of one owner mostly update different rows. */
const SLOTS = 16;

/**
 * Each owner's number of mappings, kept by a trigger in the transaction of every INSERT and
 * DELETE (and change of owner) of `mappings`, so that a page's exact `total` reads a few rows
 * instead of counting the owner's whole range of the index.
 *
 * An owner's count is the sum of its slots; each backend adds to the slot of its process id,
 * so that concurrent writes of one owner (a pool's connections) do not queue on one row lock.
 * A slot may go negative (a mapping counted in one slot, deleted through another); the sum is
 * exact. The table has no entity: only the trigger writes it and the mappings repository reads
 * it, and TypeORM's schema comparison leaves tables without entities alone.
 */
export class CountMappingsPerOwner1764900000000 implements MigrationInterface {
  name = 'CountMappingsPerOwner1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "mapping_counts" (
        "owner_id" uuid NOT NULL,
        "slot" smallint NOT NULL,
        "mappings" bigint NOT NULL,
        CONSTRAINT "mapping_counts_pkey" PRIMARY KEY ("owner_id", "slot")
      )`);
    await queryRunner.query(`
      CREATE FUNCTION count_mapping(owner uuid, delta integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO "mapping_counts" ("owner_id", "slot", "mappings")
        VALUES (owner, pg_backend_pid() % ${SLOTS}, delta)
        ON CONFLICT ("owner_id", "slot")
        DO UPDATE SET "mappings" = "mapping_counts"."mappings" + delta
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION count_mappings() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.created_by = NEW.created_by THEN
          RETURN NULL;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          PERFORM count_mapping(NEW.created_by, 1);
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
          PERFORM count_mapping(OLD.created_by, -1);
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "mappings_count" AFTER INSERT OR DELETE OR UPDATE OF "created_by"
      ON "mappings" FOR EACH ROW EXECUTE FUNCTION count_mappings()`);
    await queryRunner.query(`
      CREATE FUNCTION forget_mapping_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM "mapping_counts";
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "mappings_truncate_counts" AFTER TRUNCATE ON "mappings"
      FOR EACH STATEMENT EXECUTE FUNCTION forget_mapping_counts()`);
    // The mappings that exist already, under a lock that keeps writers out until the commit.
    await queryRunner.query(`LOCK TABLE "mappings" IN SHARE MODE`);
    await queryRunner.query(`
      INSERT INTO "mapping_counts" ("owner_id", "slot", "mappings")
      SELECT "created_by", 0, count(*) FROM "mappings" GROUP BY "created_by"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "mappings_truncate_counts" ON "mappings"`);
    await queryRunner.query(`DROP FUNCTION forget_mapping_counts()`);
    await queryRunner.query(`DROP TRIGGER "mappings_count" ON "mappings"`);
    await queryRunner.query(`DROP FUNCTION count_mappings()`);
    await queryRunner.query(`DROP FUNCTION count_mapping(uuid, integer)`);
    await queryRunner.query(`DROP TABLE "mapping_counts"`);
  }
}
