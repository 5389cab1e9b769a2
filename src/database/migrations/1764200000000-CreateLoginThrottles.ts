import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-email failed-login counters (the email kept only as its SHA-256). */
export class CreateLoginThrottles1764200000000 implements MigrationInterface {
  name = 'CreateLoginThrottles1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "login_throttles" (
        "email_hash" char(64) PRIMARY KEY,
        "failures" integer NOT NULL,
        "locked_until" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "login_throttles_updated_at_idx" ON "login_throttles" ("updated_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_throttles"`);
  }
}
