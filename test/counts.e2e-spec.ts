import { describe, expect, it } from 'vitest';
import { signUp, sql, useTestServer } from './support/app.js';
import { churnMappings, createDoctor, createPatient, doctorBody } from './support/records.js';

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

describe("the directory's total, from the doctors' count", () => {
  it('equals COUNT(*) after concurrent creates and deletes', async () => {
    const account = await signUp(server.http, 'Doctor Counter');
    const doomed: { id: string }[] = [];
    for (let i = 0; i < 6; i += 1)
      doomed.push(await createDoctor(server.http, account.accessToken));
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, () =>
        server.http.post('/api/doctors/', doctorBody(), { token: account.accessToken }),
      ),
      ...doomed.map((doctor) =>
        server.http.delete(`/api/doctors/${doctor.id}/`, { token: account.accessToken }),
      ),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([
      ...Array(12).fill(201),
      ...Array(6).fill(204),
    ]);
    // One statement, one snapshot: other suites create doctors meanwhile.
    const [{ counted, kept }] = await sql<{ counted: number; kept: number }>(
      `SELECT (SELECT count(*) FROM doctors)::int AS counted,
              (SELECT sum(doctors) FROM doctor_counts)::int AS kept`,
    );
    expect(kept).toBe(counted);
    const page = await server.http.get('/api/doctors/?limit=1', { token: account.accessToken });
    expect(page.body.total).toBeGreaterThanOrEqual(counted);
  });
});
