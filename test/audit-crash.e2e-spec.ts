import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { signUp, sql, TEST_JWT_SECRET } from './support/app.js';
import { HttpClient } from './support/http.js';
import { createDoctor, createPatient } from './support/records.js';
import { ServerProcess } from './support/server-process.js';

const ENV = {
  DATABASE_URL: inject('databaseUrl'),
  JWT_SECRET: TEST_JWT_SECRET,
  BCRYPT_ROUNDS: '4',
  AUTH_RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
};
const CLIENTS = 8;
/** Answers to receive before the kill: enough that many are in flight when it lands. */
const ANSWERS_BEFORE_KILL = 150;

describe('a crash under read load', () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop('SIGKILL');
  });

  it('loses the event of no answer a client received: each is stored after SIGKILL and restart', async () => {
    const server = await ServerProcess.start(ENV);
    servers.push(server);
    const http = new HttpClient(server.baseUrl);
    const user = await signUp(http, 'Crash Reader');
    const doctor = await createDoctor(http, user.accessToken);
    const patient = await createPatient(http, user.accessToken, doctor.id);

    const received: string[] = [];
    let killed: Promise<number | null> | undefined;
    const client = async () => {
      while (!killed) {
        const requestId = `crash-${randomUUID()}`;
        try {
          const response = await fetch(`${server.baseUrl}/api/patients/${patient.id}/`, {
            headers: { authorization: `Bearer ${user.accessToken}`, 'x-request-id': requestId },
          });
          const body = (await response.json()) as { id?: string };
          if (response.status === 200 && body.id === patient.id) received.push(requestId);
        } catch {
          // The connection was cut by the kill: this client received nothing for it.
        }
        if (received.length >= ANSWERS_BEFORE_KILL && !killed) killed = server.stop('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await killed;

    const restarted = await ServerProcess.start(ENV);
    servers.push(restarted);
    const stored = await sql<{ request_id: string; count: string }>(
      `SELECT request_id, count(*) FROM audit_events WHERE request_id = ANY($1) GROUP BY 1`,
      [received],
    );
    console.log(`crash: ${received.length} answers received, ${stored.length} of them audited`);
    expect(received.length).toBeGreaterThanOrEqual(ANSWERS_BEFORE_KILL);
    expect(stored.length).toBe(received.length);
    expect(stored.every((row) => Number(row.count) === 1)).toBe(true);
    const answer = await new HttpClient(restarted.baseUrl).get(`/api/patients/${patient.id}/`, {
      token: user.accessToken,
    });
    expect(answer.status).toBe(200);
  }, 120_000);
});
