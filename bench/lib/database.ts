import pg from 'pg';
import * as shared from '../../scripts/lib/local-server.mjs';
import { cpuMs } from './processes.js';

/** The PostgreSQL server the benchmark creates its databases on (as the tests do). */
export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? shared.POSTGRES_URL;

export const databaseUrl = (name: string) => shared.databaseUrl(name, SERVER_URL);

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-runner' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const createDatabase = (name: string) =>
  shared.createDatabase(name, { serverUrl: SERVER_URL });

/** A copy of `template` (which nobody may be connected to): the same rows, ids and times. */
export const copyDatabase = (name: string, template: string) =>
  shared.createDatabase(name, { serverUrl: SERVER_URL, template });

export const dropDatabase = (name: string) => shared.dropDatabase(name, { serverUrl: SERVER_URL });

export const serverVersion = () =>
  withClient(SERVER_URL, async (client) => {
    const { rows } = await client.query('SHOW server_version');
    return String(rows[0].server_version);
  });

/**
 * Statistics and visibility map up to date, as autovacuum would leave a settled database, and
 * the dirty pages written out, so that no checkpoint competes with the measurements.
 */
export const vacuumAnalyze = (name: string) =>
  withClient(databaseUrl(name), async (client) => {
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
  });

export interface RowCounts {
  doctors: number;
  patients: number;
  mappings: number;
}

export const rowCounts = (name: string): Promise<RowCounts> =>
  withClient(databaseUrl(name), async (client) => {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM doctors)::int AS doctors,
              (SELECT count(*) FROM patients)::int AS patients,
              (SELECT count(*) FROM mappings)::int AS mappings`,
    );
    return rows[0] as RowCounts;
  });

/**
 * Grows the data set to `target` counts with bulk SQL (seeding 50,000 patients through the API
 * would take minutes per server): doctors, patients each mapped to its assigned doctor, and
 * extra mappings to a second doctor. The rows look like the API's and are dated before them.
 */
export async function growTo(
  name: string,
  userId: string,
  target: { doctors: number; patients: number; extraMappings: number },
): Promise<RowCounts> {
  await withClient(databaseUrl(name), async (client) => {
    await client.query('BEGIN');
    const before = (await client.query('SELECT count(*)::int AS n FROM doctors')).rows[0].n;
    await client.query(
      `INSERT INTO doctors (name, specialization, email, phone, created_by, created_at, updated_at)
       SELECT 'Dr. Scale ' || g,
              (ARRAY['Cardiology','Dermatology','Neurology','Oncology','Pediatrics','Psychiatry',
                     'Radiology','Surgery','Urology','General practice'])[1 + g % 10],
              'scale-doctor-' || g || '@bench.example', '+1 555 ' || lpad((g % 10000)::text, 4, '0'),
              $1, now() - interval '1 day' - g * interval '1 second',
              now() - interval '1 day' - g * interval '1 second'
       FROM generate_series(1, greatest($2::int - $3::int, 0)) g`,
      [userId, target.doctors, before],
    );
    await client.query(
      `CREATE TEMP TABLE scale_doctors ON COMMIT DROP AS
       SELECT id, (row_number() OVER (ORDER BY id)) - 1 AS n FROM doctors`,
    );
    const doctors = (await client.query('SELECT count(*)::int AS n FROM scale_doctors')).rows[0].n;
    const patients = (
      await client.query('SELECT count(*)::int AS n FROM patients WHERE created_by = $1', [userId])
    ).rows[0].n;
    const added = Math.max(target.patients - patients, 0);
    await client.query(
      `WITH new_patients AS (
         INSERT INTO patients (name, date_of_birth, gender, email, phone, address, medical_history,
                               doctor_id, created_by, created_at, updated_at)
         SELECT 'Scale Patient ' || g, DATE '1940-01-01' + (g % 25000),
                (ARRAY['female','male','other','unknown'])[1 + g % 4],
                'scale-patient-' || g || '@bench.example', '+1 555 ' || lpad((g % 10000)::text, 4, '0'),
                g || ' Bench Street, Springfield', 'Seeded in bulk for the 10x phase of the benchmark.',
                d.id, $1, now() - interval '1 day' - g * interval '1 millisecond',
                now() - interval '1 day' - g * interval '1 millisecond'
         FROM generate_series(1, $2::int) g JOIN scale_doctors d ON d.n = g % $3::int
         RETURNING id, doctor_id, created_by, created_at)
       INSERT INTO mappings (patient_id, doctor_id, created_by, created_at, updated_at)
       SELECT id, doctor_id, created_by, created_at, created_at FROM new_patients`,
      [userId, added, doctors],
    );
    const extra = (
      await client.query(
        'SELECT count(*)::int AS n FROM mappings m JOIN patients p ON p.id = m.patient_id ' +
          'WHERE m.created_by = $1 AND m.doctor_id <> p.doctor_id',
        [userId],
      )
    ).rows[0].n;
    await client.query(
      `INSERT INTO mappings (patient_id, doctor_id, created_by, notes, created_at, updated_at)
       SELECT p.id, d.id, p.created_by, 'Second opinion (bulk seed).', p.created_at, p.created_at
       FROM (SELECT id, doctor_id, created_by, created_at, row_number() OVER (ORDER BY id) AS rn
             FROM patients
             WHERE created_by = $1 AND name LIKE 'Scale Patient %') p
       JOIN scale_doctors d ON d.n = (p.rn + $3::int / 2) % $3::int
       WHERE d.id <> p.doctor_id
       ORDER BY p.rn
       LIMIT $2::int
       ON CONFLICT DO NOTHING`,
      [userId, Math.max(target.extraMappings - extra, 0), doctors],
    );
    await client.query('COMMIT');
  });
  await vacuumAnalyze(name);
  return rowCounts(name);
}

/** CPU time used by the database's server processes (its backends), in milliseconds. */
export class DatabaseCpu {
  private startMs = new Map<number, number>();

  constructor(private readonly name: string) {}

  private backends(): Promise<number[]> {
    return withClient(SERVER_URL, async (client) => {
      const { rows } = await client.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
        [this.name],
      );
      return rows.map((row) => Number(row.pid));
    });
  }

  async start(): Promise<void> {
    this.startMs = new Map((await this.backends()).map((pid) => [pid, cpuMs(pid) ?? 0]));
  }

  /** CPU used since start() by the backends open then or opened since. */
  async stop(): Promise<number> {
    const pids = new Set([...this.startMs.keys(), ...(await this.backends())]);
    let total = 0;
    for (const pid of pids) {
      const before = this.startMs.get(pid) ?? 0;
      total += Math.max((cpuMs(pid) ?? before) - before, 0);
    }
    return total;
  }
}
