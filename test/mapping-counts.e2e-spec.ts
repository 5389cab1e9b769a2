import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, dropDatabase, freshDatabaseName } from '../scripts/lib/local-server.mjs';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { CountMappingsPerOwner1764900000000 } from '../src/database/migrations/1764900000000-CountMappingsPerOwner.js';
import { migrations } from '../src/database/migrations/index.js';
import { signUp, sql, useTestServer } from './support/app.js';
import { churnMappings, createDoctor, createPatient } from './support/records.js';

const server = useTestServer();

const countedTotal = async (token: string) =>
  (await server.http.get('/api/mappings/?limit=1', { token })).body.total as number;

describe("the mappings page's total, from the owner's count", () => {
  it('equals COUNT(*) after concurrent creates, failed duplicates, deletes and a cascade', async () => {
    const owner = await signUp(server.http, 'Count Owner');
    const bystander = await signUp(server.http, 'Count Bystander');
    const doctor = await createDoctor(server.http, bystander.accessToken);
    await createPatient(server.http, bystander.accessToken, doctor.id);

    const [expected] = await Promise.all([
      churnMappings(server.http, owner.accessToken),
      churnMappings(server.http, bystander.accessToken),
    ]);

    for (const [account, own] of [
      [owner, expected],
      [bystander, expected + 1],
    ] as const) {
      const [{ count }] = await sql<{ count: number }>(
        'SELECT count(*)::int AS count FROM mappings WHERE created_by = $1',
        [account.id],
      );
      expect(count).toBe(own);
      expect(await countedTotal(account.accessToken)).toBe(own);
    }
  });

  it('counts a mapping moved to another owner by SQL under both owners', async () => {
    const [from, to] = [await signUp(server.http, 'Mover'), await signUp(server.http, 'Receiver')];
    const doctor = await createDoctor(server.http, from.accessToken);
    const patient = await createPatient(server.http, from.accessToken, doctor.id);
    await createPatient(server.http, to.accessToken, doctor.id);
    // The composite foreign key moves a patient's mappings with it (ON UPDATE CASCADE).
    await sql('UPDATE patients SET created_by = $1 WHERE id = $2', [to.id, patient.id]);
    expect(await countedTotal(from.accessToken)).toBe(0);
    expect(await countedTotal(to.accessToken)).toBe(2);
  });
});

describe('migration CountMappingsPerOwner on a database with mappings', () => {
  const name = freshDatabaseName('healthcare_migration');
  let url: string;

  beforeAll(async () => {
    url = await createDatabase(name);
  });
  afterAll(() => dropDatabase(name));

  it("counts each owner's existing mappings, keeps counting, and reverts", async () => {
    const before = migrations.indexOf(CountMappingsPerOwner1764900000000);
    const dataSource = new DataSource({
      ...dataSourceOptions(url, false),
      migrations: migrations.slice(0, before),
    });
    const [alice, bob, doctorId] = [randomUUID(), randomUUID(), randomUUID()];
    const patients = [randomUUID(), randomUUID(), randomUUID()];
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      for (const [id, email] of [
        [alice, 'alice@example.com'],
        [bob, 'bob@example.com'],
      ]) {
        await dataSource.query(
          `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', $2, 'x')`,
          [id, email],
        );
      }
      await dataSource.query(
        `INSERT INTO doctors (id, name, specialization, email, created_by, updated_by)
         VALUES ($1, 'Dr. Old', 'Geriatrics', 'old-doctor@example.com', $2, $2)`,
        [doctorId, alice],
      );
      for (const [index, patientId] of patients.entries()) {
        const owner = index < 2 ? alice : bob;
        await dataSource.query(
          `INSERT INTO patients (id, name, date_of_birth, gender, doctor_id, created_by, updated_by)
           VALUES ($1, 'Old Patient', '1950-01-01', 'male', $2, $3, $3)`,
          [patientId, doctorId, owner],
        );
        await dataSource.query(
          'INSERT INTO mappings (patient_id, doctor_id, created_by) VALUES ($1, $2, $3)',
          [patientId, doctorId, owner],
        );
      }
    } finally {
      await dataSource.destroy();
    }

    const current = new DataSource({
      ...dataSourceOptions(url, false),
      migrations: migrations.slice(0, before + 1),
    });
    await current.initialize();
    const counts = () =>
      current.query(
        `SELECT owner_id AS owner, sum(mappings)::int AS total FROM mapping_counts
         GROUP BY owner_id ORDER BY total DESC`,
      );
    try {
      await current.runMigrations();
      expect(await counts()).toEqual([
        { owner: alice, total: 2 },
        { owner: bob, total: 1 },
      ]);
      await current.query('DELETE FROM mappings WHERE patient_id = $1', [patients[0]]);
      expect(await counts()).toEqual([
        { owner: alice, total: 1 },
        { owner: bob, total: 1 },
      ]);
      await current.query('TRUNCATE mappings');
      expect(await counts()).toEqual([]);

      await current.undoLastMigration();
      const [{ exists }] = await current.query(
        `SELECT to_regclass('mapping_counts') IS NOT NULL AS exists`,
      );
      expect(exists).toBe(false);
      await current.query(
        'INSERT INTO mappings (patient_id, doctor_id, created_by) VALUES ($1, $2, $3)',
        [patients[1], doctorId, alice],
      );
    } finally {
      await current.destroy();
    }
  });
});
