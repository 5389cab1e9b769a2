import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts get a role and can be disabled; each login becomes a session row that its refresh
 * tokens belong to (the former refresh-token family), so that a session can be listed and ended.
 */
export class CreateRolesAndSessions1764300000000 implements MigrationInterface {
  name = 'CreateRolesAndSessions1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "users"
        ADD "role" varchar(16) NOT NULL DEFAULT 'user'
          CONSTRAINT "users_role_check" CHECK ("role" IN ('user', 'admin')),
        ADD "disabled" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`
      CREATE TABLE "sessions" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL
          CONSTRAINT "sessions_user_id_fkey" REFERENCES "users" ("id") ON DELETE CASCADE,
        "user_agent" varchar(500),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz NOT NULL DEFAULT now(),
        "ended_at" timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX "sessions_user_id_idx" ON "sessions" ("user_id") WHERE "ended_at" IS NULL`,
    );
    // What every instance polls each second: the sessions ended since its last look.
    await queryRunner.query(
      `CREATE INDEX "sessions_ended_at_idx" ON "sessions" ("ended_at") WHERE "ended_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" RENAME COLUMN "family_id" TO "session_id"`,
    );
    await queryRunner.query(
      `ALTER INDEX "refresh_tokens_family_id_idx" RENAME TO "refresh_tokens_session_id_idx"`,
    );
    // The families of earlier logins become sessions; one with no usable token is ended.
    await queryRunner.query(`
      INSERT INTO "sessions" ("id", "user_id", "created_at", "last_used_at", "ended_at")
      SELECT "session_id", "user_id", min("created_at"), max("created_at"),
        CASE WHEN bool_and("revoked_at" IS NOT NULL OR "expires_at" <= now())
          THEN max(COALESCE("revoked_at", "expires_at")) END
      FROM "refresh_tokens"
      GROUP BY "session_id", "user_id"`);
    await queryRunner.query(`
      ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_id_fkey"
        FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" DROP CONSTRAINT "refresh_tokens_session_id_fkey"`,
    );
    await queryRunner.query(
      `ALTER INDEX "refresh_tokens_session_id_idx" RENAME TO "refresh_tokens_family_id_idx"`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" RENAME COLUMN "session_id" TO "family_id"`,
    );
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "disabled", DROP COLUMN "role"`);
  }
}
