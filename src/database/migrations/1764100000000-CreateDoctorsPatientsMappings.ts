import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDoctorsPatientsMappings1764100000000 implements MigrationInterface {
  name = 'CreateDoctorsPatientsMappings1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "doctors" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "name" varchar(100) NOT NULL,
        "specialization" varchar(100) NOT NULL,
        "email" varchar(254) NOT NULL,
        "phone" varchar(30),
        "created_by" uuid NOT NULL REFERENCES "users" ("id"),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "doctors_email_key" ON "doctors" (lower("email"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "doctors_created_at_idx" ON "doctors" ("created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "doctors_specialization_idx" ON "doctors" ("specialization", "created_at", "id")`,
    );
    await queryRunner.query(`CREATE INDEX "doctors_created_by_idx" ON "doctors" ("created_by")`);

    await queryRunner.query(`
      CREATE TABLE "patients" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "name" varchar(100) NOT NULL,
        "date_of_birth" date NOT NULL,
        "gender" varchar(7) NOT NULL CHECK ("gender" IN ('female', 'male', 'other', 'unknown')),
        "email" varchar(254),
        "phone" varchar(30),
        "address" varchar(500),
        "medical_history" varchar(10000),
        "doctor_id" uuid NOT NULL CONSTRAINT "patients_doctor_id_fkey" REFERENCES "doctors" ("id"),
        "created_by" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "patients_id_created_by_key" UNIQUE ("id", "created_by")
      )`);
    await queryRunner.query(
      `CREATE INDEX "patients_created_by_created_at_idx" ON "patients" ("created_by", "created_at", "id")`,
    );
    await queryRunner.query(`CREATE INDEX "patients_doctor_id_idx" ON "patients" ("doctor_id")`);

    // created_by repeats the patient's owner so that a user's mappings are one index range;
    // the composite foreign key keeps it equal to the patient's.
    await queryRunner.query(`
      CREATE TABLE "mappings" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "patient_id" uuid NOT NULL,
        "doctor_id" uuid NOT NULL CONSTRAINT "mappings_doctor_id_fkey" REFERENCES "doctors" ("id"),
        "created_by" uuid NOT NULL,
        "notes" varchar(1000),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "mappings_patient_fkey" FOREIGN KEY ("patient_id", "created_by")
          REFERENCES "patients" ("id", "created_by") ON DELETE CASCADE ON UPDATE CASCADE
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "mappings_patient_id_doctor_id_key" ON "mappings" ("patient_id", "doctor_id")`,
    );
    await queryRunner.query(`CREATE INDEX "mappings_doctor_id_idx" ON "mappings" ("doctor_id")`);
    await queryRunner.query(
      `CREATE INDEX "mappings_created_by_created_at_idx" ON "mappings" ("created_by", "created_at", "id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "mappings"`);
    await queryRunner.query(`DROP TABLE "patients"`);
    await queryRunner.query(`DROP TABLE "doctors"`);
  }
}
