import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { createDatabase, dropDatabase, freshDatabaseName } from '../scripts/lib/local-server.mjs';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { migrations } from '../src/database/migrations/index.js';
import { CreateRolesAndSessions1764300000000 } from '../src/database/migrations/1764300000000-CreateRolesAndSessions.js';
import { AddVersionsAndHistory1764400000000 } from '../src/database/migrations/1764400000000-AddVersionsAndHistory.js';

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
