import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed-login counters per (email, client) and per email, keyed by HMACs. The former
 * per-email counters are dropped, not migrated: they were keyed by a plain SHA-256 and
 * counted every client together, so they fit neither table, and losing them ends at most
 * the locks of the last 15 minutes.
 */
export class LoginThrottlesPerClient1764600000000 implements MigrationInterface {
  name = 'LoginThrottlesPerClient1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_throttles"`);
    await queryRunner.query(`
      CREATE TABLE "login_throttles" (
        "email_hash" char(64) NOT NULL,
        "client_hash" char(64) NOT NULL,
        "failures" integer NOT NULL,
        "locked_until" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("email_hash", "client_hash")
      )`);
    await queryRunner.query(
      `CREATE INDEX "login_throttles_updated_at_idx" ON "login_throttles" ("updated_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "login_account_throttles" (
        "email_hash" char(64) PRIMARY KEY,
        "window_started_at" timestamptz NOT NULL,
        "window_failures" integer NOT NULL,
        "consecutive_failures" integer NOT NULL,
        "locked_until" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "login_account_throttles_updated_at_idx" ON "login_account_throttles" ("updated_at")`,
    );
  }

  /** Back to the per-email table, empty: per-client counts do not add up to per-email streaks. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_account_throttles"`);
    await queryRunner.query(`DROP TABLE "login_throttles"`);
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
}
