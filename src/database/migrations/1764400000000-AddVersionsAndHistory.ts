import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions and history of records. The database owns both, so that no code path can change a
 * row without making a version of it:
 *
 * - `set_version()`, before every INSERT or UPDATE of doctors, patients and mappings, makes
 *   an inserted row version 1 and every update one more than the row it replaces (and stamps
 *   `updated_at`);
 * - `record_doctor_version()` and `record_patient_version()`, after every INSERT or UPDATE,
 *   copy the row as it now is into `doctor_versions` / `patient_versions`, in the same
 *   transaction, with who made the change (`updated_by`, which the services set) and when.
 *
 * A version goes with its record (ON DELETE CASCADE): deleting a patient erases its medical
 * data, earlier versions included (the README says why).
 */
export class AddVersionsAndHistory1764400000000 implements MigrationInterface {
  name = 'AddVersionsAndHistory1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['doctors', 'patients', 'mappings']) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD "version" integer NOT NULL DEFAULT 1 CONSTRAINT "${table}_version_check" CHECK ("version" >= 1)`,
      );
    }
    for (const table of ['doctors', 'patients']) {
      // Existing rows were last changed by their creator, as far as anyone can tell.
      await queryRunner.query(`ALTER TABLE "${table}" ADD "updated_by" uuid`);
      await queryRunner.query(`UPDATE "${table}" SET "updated_by" = "created_by"`);
      await queryRunner.query(`ALTER TABLE "${table}" ALTER "updated_by" SET NOT NULL`);
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "${table}_updated_by_fkey" FOREIGN KEY ("updated_by") REFERENCES "users" ("id")`,
      );
    }

    await queryRunner.query(`
      CREATE FUNCTION set_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          NEW.version := 1;
        ELSE
          NEW.version := OLD.version + 1;
          NEW.updated_at := now();
        END IF;
        RETURN NEW;
      END
      $$`);
    for (const table of ['doctors', 'patients', 'mappings']) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_set_version" BEFORE INSERT OR UPDATE ON "${table}"
         FOR EACH ROW EXECUTE FUNCTION set_version()`,
      );
    }

    for (const [table, history, key] of [
      ['doctors', 'doctor_versions', 'doctor_id'],
      ['patients', 'patient_versions', 'patient_id'],
    ]) {
      await queryRunner.query(`
        CREATE TABLE "${history}" (
          "${key}" uuid NOT NULL CONSTRAINT "${history}_${key}_fkey"
            REFERENCES "${table}" ("id") ON DELETE CASCADE,
          "version" integer NOT NULL,
          "operation" varchar(6) NOT NULL
            CONSTRAINT "${history}_operation_check" CHECK ("operation" IN ('create', 'update')),
          "changed_at" timestamptz NOT NULL,
          "changed_by" uuid NOT NULL CONSTRAINT "${history}_changed_by_fkey" REFERENCES "users" ("id"),
          "resource" jsonb NOT NULL,
          CONSTRAINT "${history}_pkey" PRIMARY KEY ("${key}", "version")
        )`);
      await queryRunner.query(`
        CREATE FUNCTION record_${history.replace(/s$/, '')}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO "${history}" ("${key}", "version", "operation", "changed_at", "changed_by", "resource")
          VALUES (NEW.id, NEW.version, CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'update' END,
                  NEW.updated_at, NEW.updated_by, to_jsonb(NEW));
          RETURN NULL;
        END
        $$`);
      await queryRunner.query(
        `CREATE TRIGGER "${table}_record_version" AFTER INSERT OR UPDATE ON "${table}"
         FOR EACH ROW EXECUTE FUNCTION record_${history.replace(/s$/, '')}()`,
      );
    }

    // Versions for the rows that exist already: each one's current state, as a creation.
    await queryRunner.query(`
      INSERT INTO "doctor_versions" ("doctor_id", "version", "operation", "changed_at", "changed_by", "resource")
      SELECT "id", "version", 'create', "updated_at", "updated_by", to_jsonb("doctors") FROM "doctors"`);
    await queryRunner.query(`
      INSERT INTO "patient_versions" ("patient_id", "version", "operation", "changed_at", "changed_by", "resource")
      SELECT "id", "version", 'create', "updated_at", "updated_by", to_jsonb("patients") FROM "patients"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, history] of [
      ['doctors', 'doctor_versions'],
      ['patients', 'patient_versions'],
    ]) {
      await queryRunner.query(`DROP TRIGGER "${table}_record_version" ON "${table}"`);
      await queryRunner.query(`DROP FUNCTION record_${history.replace(/s$/, '')}()`);
      await queryRunner.query(`DROP TABLE "${history}"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "updated_by"`);
    }
    for (const table of ['doctors', 'patients', 'mappings']) {
      await queryRunner.query(`DROP TRIGGER "${table}_set_version" ON "${table}"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "version"`);
    }
    await queryRunner.query(`DROP FUNCTION set_version()`);
  }
}
