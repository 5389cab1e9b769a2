import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ending a session revokes its refresh tokens, in the same statement's transaction, whatever
 * ended it: the database keeps this rule, so that the sessions' SQL (SessionsRepository) need
 * not write `refresh_tokens`, which AuthService's RefreshTokensRepository owns.
 */
export class RevokeTokensOfEndedSessions1764910000000 implements MigrationInterface {
  name = 'RevokeTokensOfEndedSessions1764910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION revoke_tokens_of_ended_session() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE "refresh_tokens" SET "revoked_at" = now()
        WHERE "session_id" = NEW.id AND "revoked_at" IS NULL;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "sessions_revoke_tokens" AFTER UPDATE OF "ended_at" ON "sessions"
      FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL)
      EXECUTE FUNCTION revoke_tokens_of_ended_session()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "sessions_revoke_tokens" ON "sessions"`);
    await queryRunner.query(`DROP FUNCTION revoke_tokens_of_ended_session()`);
  }
}
