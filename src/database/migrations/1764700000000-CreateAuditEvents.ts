import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (see the README, "Audit trail"): a table partitioned by month on
 * `recorded_at`, a default partition for anything outside the months created ahead, and
 * triggers that refuse UPDATE, DELETE and TRUNCATE on the table and on every partition.
 */
export class CreateAuditEvents1764700000000 implements MigrationInterface {
  name = 'CreateAuditEvents1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "recorded_at" timestamptz NOT NULL DEFAULT clock_timestamp(),
        "action" varchar(32) NOT NULL,
        "outcome" varchar(7) NOT NULL,
        "status" smallint NOT NULL,
        "actor_id" uuid,
        "resource_type" varchar(32) NOT NULL,
        "resource_id" uuid,
        "patient_ids" uuid[] NOT NULL DEFAULT '{}',
        "request_id" varchar(64),
        "client_address" varchar(45),
        "user_agent" varchar(512),
        CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id", "recorded_at"),
        CONSTRAINT "audit_events_outcome_check" CHECK ("outcome" IN ('success', 'failure'))
      ) PARTITION BY RANGE ("recorded_at")`);
    await queryRunner.query(
      `CREATE TABLE "audit_events_default" PARTITION OF "audit_events" DEFAULT`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_recorded_at_idx" ON "audit_events" ("recorded_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_actor_id_recorded_at_idx" ON "audit_events" ("actor_id", "recorded_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_patient_ids_idx" ON "audit_events" USING gin ("patient_ids")`,
    );
    await queryRunner.query(`
      CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // Statement triggers refuse even a statement that matches no row; the row trigger is
    // cloned onto every partition, also one attached by hand. A statement on a partition
    // fires that partition's triggers only, so each partition gets the statement trigger too
    // (audit_events_add_partitions adds it).
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_append_only_rows" BEFORE UPDATE OR DELETE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_change"()`);
    for (const table of ['audit_events', 'audit_events_default']) {
      await queryRunner.query(`
        CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE ON "${table}"
        FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"()`);
    }
    // Creates the partitions of the months from this one to months_ahead later, if missing.
    // Serialized by an advisory lock, so that instances starting together do not collide.
    await queryRunner.query(`
      CREATE FUNCTION "audit_events_add_partitions"(months_ahead integer) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        month_start timestamptz;
        partition_name text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('audit_events_add_partitions'));
        FOR offset_months IN 0..months_ahead LOOP
          month_start := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            + make_interval(months => offset_months);
          partition_name := 'audit_events_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
          IF to_regclass(partition_name) IS NULL THEN
            BEGIN
              EXECUTE format(
                'CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                partition_name, month_start, month_start + interval '1 month');
              EXECUTE format(
                'CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE '
                'ON %I FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()',
                partition_name);
            EXCEPTION WHEN check_violation THEN
              -- The default partition already holds rows of that month: they stay there.
              RAISE WARNING 'audit_events: % not created, the default partition has its rows',
                partition_name;
            END;
          END IF;
        END LOOP;
      END $$`);
    await queryRunner.query(`SELECT "audit_events_add_partitions"(3)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_add_partitions"(integer)`);
    await queryRunner.query(`DROP FUNCTION "audit_events_refuse_change"()`);
  }
}
