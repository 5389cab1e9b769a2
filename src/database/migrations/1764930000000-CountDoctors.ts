import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Slots: concurrent writers mostly update different rows. */
const SLOTS = 16;

/**
 * The number of doctors, kept by a trigger in the transaction of every INSERT and DELETE of
 * `doctors`, so that the directory's exact `total` is read with its page, in the same query,
 * instead of counting the table on every full page. As for `mapping_counts`: the sum of the
 * slots is exact (a slot may go negative), and the table has no entity (DoctorsRepository
 * alone reads it; TypeORM's schema comparison leaves it alone).
 */
export class CountDoctors1764930000000 implements MigrationInterface {
  name = 'CountDoctors1764930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "doctor_counts" (
        "slot" smallint NOT NULL CONSTRAINT "doctor_counts_pkey" PRIMARY KEY,
        "doctors" bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE FUNCTION count_doctors() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "doctor_counts" ("slot", "doctors")
        VALUES (pg_backend_pid() % ${SLOTS}, CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END)
        ON CONFLICT ("slot") DO UPDATE SET "doctors" = "doctor_counts"."doctors" + EXCLUDED."doctors";
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "doctors_count" AFTER INSERT OR DELETE ON "doctors"
      FOR EACH ROW EXECUTE FUNCTION count_doctors()`);
    await queryRunner.query(`
      CREATE FUNCTION forget_doctor_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM "doctor_counts";
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "doctors_truncate_counts" AFTER TRUNCATE ON "doctors"
      FOR EACH STATEMENT EXECUTE FUNCTION forget_doctor_counts()`);
    // The doctors that exist already, under a lock that keeps writers out until the commit.
    await queryRunner.query(`LOCK TABLE "doctors" IN SHARE MODE`);
    await queryRunner.query(
      `INSERT INTO "doctor_counts" ("slot", "doctors") SELECT 0, count(*) FROM "doctors"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "doctors_truncate_counts" ON "doctors"`);
    await queryRunner.query(`DROP FUNCTION forget_doctor_counts()`);
    await queryRunner.query(`DROP TRIGGER "doctors_count" ON "doctors"`);
    await queryRunner.query(`DROP FUNCTION count_doctors()`);
    await queryRunner.query(`DROP TABLE "doctor_counts"`);
  }
}
