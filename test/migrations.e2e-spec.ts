import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { createDatabase, dropDatabase, freshDatabaseName } from '../scripts/lib/local-server.mjs';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { migrations } from '../src/database/migrations/index.js';
import { CreateRolesAndSessions1764300000000 } from '../src/database/migrations/1764300000000-CreateRolesAndSessions.js';
import { AddVersionsAndHistory1764400000000 } from '../src/database/migrations/1764400000000-AddVersionsAndHistory.js';
import { CountMappingsPerOwner1764900000000 } from '../src/database/migrations/1764900000000-CountMappingsPerOwner.js';
import { RevokeTokensOfEndedSessions1764910000000 } from '../src/database/migrations/1764910000000-RevokeTokensOfEndedSessions.js';
import { MapPatientsToTheirDoctors1764920000000 } from '../src/database/migrations/1764920000000-MapPatientsToTheirDoctors.js';
import { CountDoctors1764930000000 } from '../src/database/migrations/1764930000000-CountDoctors.js';

/** Runs `work` on `url` with the first `count` migrations applied. */
async function withMigrations(
  url: string,
  count: number,
  work: (database: DataSource) => Promise<void>,
): Promise<void> {
  const database = new DataSource({
    ...dataSourceOptions(url, false),
    migrations: migrations.slice(0, count),
  });
  await database.initialize();
  try {
    await database.runMigrations();
    await work(database);
  } finally {
    await database.destroy();
  }
}

/**
 * On a database of its own: `seed` with every migration before `migration` applied, then
 * `check` with `migration` applied too and no later one, so that undoing the last migration
 * undoes it.
 */
async function acrossMigration(
  migration: (typeof migrations)[number],
  seed: (database: DataSource) => Promise<void>,
  check: (database: DataSource) => Promise<void>,
): Promise<void> {
  const name = freshDatabaseName('healthcare_migration');
  const url = await createDatabase(name);
  try {
    const position = migrations.indexOf(migration);
    await withMigrations(url, position, seed);
    await withMigrations(url, position + 1, check);
  } finally {
    await dropDatabase(name);
  }
}

describe('migration CreateRolesAndSessions on a database with logins', () => {
  it('turns each refresh-token family into a session, ended when no token of it is usable', async () => {
    const userId = randomUUID();
    const [live, dead] = [randomUUID(), randomUUID()];
    await acrossMigration(
      CreateRolesAndSessions1764300000000,
      async (earlier) => {
        await earlier.query(
          `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', 'old@example.com', 'x')`,
          [userId],
        );
        await earlier.query(
          `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, revoked_at, created_at) VALUES
           ($1, $2, 'a', now() + interval '1 day', now() - interval '1 hour', now() - interval '2 hours'),
           ($1, $2, 'b', now() + interval '1 day', NULL, now() - interval '1 hour'),
           ($1, $3, 'c', now() + interval '1 day', now() - interval '3 hours', now() - interval '4 hours')`,
          [userId, live, dead],
        );
      },
      async (current) => {
        const sessions: { id: string; ended: boolean; last_used_at: Date; created_at: Date }[] =
          await current.query(
            `SELECT id, ended_at IS NOT NULL AS ended, created_at, last_used_at FROM sessions ORDER BY created_at`,
          );
        expect(sessions.map(({ id, ended }) => ({ id, ended }))).toEqual([
          { id: dead, ended: true },
          { id: live, ended: false },
        ]);
        expect(sessions[1].last_used_at.getTime()).toBeGreaterThan(
          sessions[1].created_at.getTime(),
        );
        const [user] = await current.query(`SELECT role, disabled FROM users WHERE id = $1`, [
          userId,
        ]);
        expect(user).toEqual({ role: 'user', disabled: false });
        await current.undoLastMigration();
        const [token] = await current.query(
          `SELECT family_id FROM refresh_tokens WHERE token_hash = 'b'`,
        );
        expect(token.family_id).toBe(live);
      },
    );
  });
});

describe('migration AddVersionsAndHistory on a database with records', () => {
  it('gives existing records version 1, their creator as last editor and a first version; and reverts', async () => {
    const [userId, doctorId, patientId] = [randomUUID(), randomUUID(), randomUUID()];
    await acrossMigration(
      AddVersionsAndHistory1764400000000,
      async (earlier) => {
        await earlier.query(
          `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', 'old@example.com', 'x')`,
          [userId],
        );
        await earlier.query(
          `INSERT INTO doctors (id, name, specialization, email, created_by)
         VALUES ($1, 'Dr. Old', 'Geriatrics', 'old-doctor@example.com', $2)`,
          [doctorId, userId],
        );
        await earlier.query(
          `INSERT INTO patients (id, name, date_of_birth, gender, doctor_id, created_by)
         VALUES ($1, 'Old Patient', '1950-01-01', 'male', $2, $3)`,
          [patientId, doctorId, userId],
        );
      },
      async (current) => {
        const [patient] = await current.query(
          `SELECT version, updated_by, updated_at FROM patients WHERE id = $1`,
          [patientId],
        );
        expect(patient).toMatchObject({ version: 1, updated_by: userId });
        const versions = await current.query(
          `SELECT version, operation, changed_by, changed_at, resource->>'name' AS name
         FROM patient_versions WHERE patient_id = $1`,
          [patientId],
        );
        expect(versions).toEqual([
          {
            version: 1,
            operation: 'create',
            changed_by: userId,
            changed_at: patient.updated_at,
            name: 'Old Patient',
          },
        ]);
        const doctorVersions = await current.query(
          `SELECT version, operation FROM doctor_versions WHERE doctor_id = $1`,
          [doctorId],
        );
        expect(doctorVersions).toEqual([{ version: 1, operation: 'create' }]);

        await current.query(`UPDATE patients SET name = 'Renamed' WHERE id = $1`, [patientId]);
        const [{ count }] = await current.query(
          `SELECT count(*)::int AS count FROM patient_versions WHERE patient_id = $1`,
          [patientId],
        );
        expect(count).toBe(2);

        await current.undoLastMigration();
        const columns = await current.query(
          `SELECT column_name FROM information_schema.columns
         WHERE table_name = 'patients' AND column_name IN ('version', 'updated_by')`,
        );
        expect(columns).toEqual([]);
        await current.query(`UPDATE patients SET name = 'After the revert' WHERE id = $1`, [
          patientId,
        ]);
      },
    );
  });
});

describe('migration CountMappingsPerOwner on a database with mappings', () => {
  it("counts each owner's existing mappings, keeps counting, and reverts", async () => {
    const [alice, bob, doctorId] = [randomUUID(), randomUUID(), randomUUID()];
    const patients = [randomUUID(), randomUUID(), randomUUID()];
    await acrossMigration(
      CountMappingsPerOwner1764900000000,
      async (earlier) => {
        for (const [id, email] of [
          [alice, 'alice@example.com'],
          [bob, 'bob@example.com'],
        ]) {
          await earlier.query(
            `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', $2, 'x')`,
            [id, email],
          );
        }
        await earlier.query(
          `INSERT INTO doctors (id, name, specialization, email, created_by, updated_by)
           VALUES ($1, 'Dr. Old', 'Geriatrics', 'old-doctor@example.com', $2, $2)`,
          [doctorId, alice],
        );
        for (const [index, patientId] of patients.entries()) {
          const owner = index < 2 ? alice : bob;
          await earlier.query(
            `INSERT INTO patients (id, name, date_of_birth, gender, doctor_id, created_by, updated_by)
             VALUES ($1, 'Old Patient', '1950-01-01', 'male', $2, $3, $3)`,
            [patientId, doctorId, owner],
          );
          await earlier.query(
            'INSERT INTO mappings (patient_id, doctor_id, created_by) VALUES ($1, $2, $3)',
            [patientId, doctorId, owner],
          );
        }
      },
      async (current) => {
        const counts = async () =>
          Object.fromEntries(
            (
              await current.query(
                `SELECT owner_id AS owner, sum(mappings)::int AS total FROM mapping_counts
                 GROUP BY owner_id`,
              )
            ).map((row: { owner: string; total: number }) => [row.owner, row.total]),
          );
        expect(await counts()).toEqual({ [alice]: 2, [bob]: 1 });
        await current.query('DELETE FROM mappings WHERE patient_id = $1', [patients[0]]);
        expect(await counts()).toEqual({ [alice]: 1, [bob]: 1 });
        await current.query('TRUNCATE mappings');
        expect(await counts()).toEqual({});

        await current.undoLastMigration();
        const [{ exists }] = await current.query(
          `SELECT to_regclass('mapping_counts') IS NOT NULL AS exists`,
        );
        expect(exists).toBe(false);
        await current.query(
          'INSERT INTO mappings (patient_id, doctor_id, created_by) VALUES ($1, $2, $3)',
          [patients[1], doctorId, alice],
        );
      },
    );
  });
});

describe('migration RevokeTokensOfEndedSessions', () => {
  it("revokes a session's live refresh tokens when it ends, and only then; and reverts", async () => {
    const userId = randomUUID();
    const [ending, staying] = [randomUUID(), randomUUID()];
    await acrossMigration(
      RevokeTokensOfEndedSessions1764910000000,
      async (earlier) => {
        await earlier.query(
          `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', 'old@example.com', 'x')`,
          [userId],
        );
        for (const sessionId of [ending, staying]) {
          await earlier.query('INSERT INTO sessions (id, user_id) VALUES ($1, $2)', [
            sessionId,
            userId,
          ]);
          for (const hash of ['a', 'b']) {
            await earlier.query(
              `INSERT INTO refresh_tokens (user_id, session_id, token_hash, expires_at)
               VALUES ($1, $2, $3, now() + interval '1 day')`,
              [userId, sessionId, `${hash}${sessionId}`.padEnd(64, '0').slice(0, 64)],
            );
          }
        }
      },
      async (current) => {
        const revoked = async () =>
          (
            await current.query(
              `SELECT session_id AS "sessionId", count(revoked_at)::int AS revoked
               FROM refresh_tokens GROUP BY session_id ORDER BY revoked DESC`,
            )
          ).map((row: { sessionId: string; revoked: number }) => [row.sessionId, row.revoked]);
        await current.query(`UPDATE sessions SET last_used_at = now()`);
        expect(await revoked()).toEqual(
          expect.arrayContaining([
            [ending, 0],
            [staying, 0],
          ]),
        );
        await current.query(`UPDATE sessions SET ended_at = now() WHERE id = $1`, [ending]);
        expect(await revoked()).toEqual([
          [ending, 2],
          [staying, 0],
        ]);

        await current.undoLastMigration();
        await current.query(`UPDATE sessions SET ended_at = now() WHERE id = $1`, [staying]);
        expect(await revoked()).toEqual([
          [ending, 2],
          [staying, 0],
        ]);
      },
    );
  });
});

describe('migration MapPatientsToTheirDoctors', () => {
  it('maps every patient to its assigned doctor, on insert and on a new doctor too; and reverts', async () => {
    const [userId, first, second, old, fresh] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    const insertPatient = (database: DataSource, id: string) =>
      database.query(
        `INSERT INTO patients (id, name, date_of_birth, gender, doctor_id, created_by, updated_by)
         VALUES ($1, 'Patient', '1950-01-01', 'male', $2, $3, $3)`,
        [id, first, userId],
      );
    await acrossMigration(
      MapPatientsToTheirDoctors1764920000000,
      async (earlier) => {
        await earlier.query(
          `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', 'old@example.com', 'x')`,
          [userId],
        );
        for (const [id, email] of [
          [first, 'first@example.com'],
          [second, 'second@example.com'],
        ]) {
          await earlier.query(
            `INSERT INTO doctors (id, name, specialization, email, created_by, updated_by)
             VALUES ($1, 'Dr. Old', 'Geriatrics', $2, $3, $3)`,
            [id, email, userId],
          );
        }
        // A patient the service would have mapped, but SQL did not.
        await insertPatient(earlier, old);
      },
      async (current) => {
        const pairs = async () =>
          (
            await current.query(
              `SELECT patient_id AS "patientId", doctor_id AS "doctorId" FROM mappings
               ORDER BY patient_id, doctor_id`,
            )
          ).map(
            (row: { patientId: string; doctorId: string }) => `${row.patientId} ${row.doctorId}`,
          );
        expect(await pairs()).toEqual([`${old} ${first}`]);
        await insertPatient(current, fresh);
        await current.query(`UPDATE patients SET doctor_id = $1 WHERE id = $2`, [second, old]);
        await current.query(`UPDATE patients SET name = 'Renamed' WHERE id = $1`, [fresh]);
        expect(await pairs()).toEqual(
          [`${old} ${first}`, `${old} ${second}`, `${fresh} ${first}`].sort(),
        );

        await current.undoLastMigration();
        await current.query(`UPDATE patients SET doctor_id = $1 WHERE id = $2`, [second, fresh]);
        expect(await pairs()).toHaveLength(3);
      },
    );
  });
});

describe('migration CountDoctors', () => {
  it('counts the existing doctors, keeps counting, and reverts', async () => {
    const userId = randomUUID();
    const insertDoctor = (database: DataSource, email: string) =>
      database.query(
        `INSERT INTO doctors (name, specialization, email, created_by, updated_by)
         VALUES ('Dr. Old', 'Geriatrics', $1, $2, $2)`,
        [email, userId],
      );
    await acrossMigration(
      CountDoctors1764930000000,
      async (earlier) => {
        await earlier.query(
          `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', 'old@example.com', 'x')`,
          [userId],
        );
        for (const email of ['a@example.com', 'b@example.com']) await insertDoctor(earlier, email);
      },
      async (current) => {
        const kept = async () =>
          (await current.query(`SELECT sum(doctors)::int AS kept FROM doctor_counts`))[0].kept;
        expect(await kept()).toBe(2);
        await insertDoctor(current, 'c@example.com');
        await current.query(`DELETE FROM doctors WHERE email = 'a@example.com'`);
        expect(await kept()).toBe(2);
        await current.query(`DELETE FROM doctors`);
        expect(await kept()).toBe(0);

        await current.undoLastMigration();
        const [{ exists }] = await current.query(
          `SELECT to_regclass('doctor_counts') IS NOT NULL AS exists`,
        );
        expect(exists).toBe(false);
        await insertDoctor(current, 'd@example.com');
      },
    );
  });
});
