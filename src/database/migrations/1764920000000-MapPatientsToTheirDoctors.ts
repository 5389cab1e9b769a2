import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A patient is always mapped to its assigned doctor: when it is inserted, and when it is given
 * another doctor (the former one's mapping stays), the database inserts that mapping in the
 * same transaction unless the pair is mapped already. The rule then holds for every write
 * and costs no round trip of its own; the patients' SQL never writes `mappings`.
 */
export class MapPatientsToTheirDoctors1764920000000 implements MigrationInterface {
  name = 'MapPatientsToTheirDoctors1764920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION map_patient_to_its_doctor() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.doctor_id = NEW.doctor_id THEN
          RETURN NULL;
        END IF;
        INSERT INTO "mappings" ("patient_id", "doctor_id", "created_by")
        VALUES (NEW.id, NEW.doctor_id, NEW.created_by)
        ON CONFLICT ("patient_id", "doctor_id") DO NOTHING;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "patients_map_doctor" AFTER INSERT OR UPDATE OF "doctor_id" ON "patients"
      FOR EACH ROW EXECUTE FUNCTION map_patient_to_its_doctor()`);
    // Every patient was mapped so already (the service did it); this makes sure of it.
    await queryRunner.query(`
      INSERT INTO "mappings" ("patient_id", "doctor_id", "created_by")
      SELECT "id", "doctor_id", "created_by" FROM "patients"
      ON CONFLICT ("patient_id", "doctor_id") DO NOTHING`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "patients_map_doctor" ON "patients"`);
    await queryRunner.query(`DROP FUNCTION map_patient_to_its_doctor()`);
  }
}
