import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../src/metrics/metrics.module.js';
import { type Account, signUp, startApp, type TestApp } from './support/app.js';
import { createDoctor, createPatient } from './support/records.js';
import { freePort } from './support/server-process.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const EMAIL = /[^\s"@]+@[^\s"@]+/;

/** The label sets of one metric in a Prometheus text exposition. */
function labelsOf(exposition: string, metric: string): Record<string, string>[] {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`))
    .map((line) => {
      const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
      return Object.fromEntries(
        [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value]),
      );
    });
}

describe('metrics on METRICS_PORT', () => {
  let server: TestApp;
  let metricsUrl: string;
  let user: Account;

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    server = await startApp({ METRICS_PORT: String(port) });
    user = await signUp(server.http, 'Metrics');
  });
  afterAll(() => server.close());

  it('records a request to a route with an id under its pattern, and no label carries an id or an email', async () => {
    const token = { token: user.accessToken };
    const doctor = await createDoctor(server.http, user.accessToken);
    const patient = await createPatient(server.http, user.accessToken, doctor.id);
    expect((await server.http.get(`/api/patients/${patient.id}/`, token)).status).toBe(200);
    expect((await server.http.get(`/api/patients/${randomUUID()}`, token)).status).toBe(404);
    await server.http.get(`/api/doctors/?q=${encodeURIComponent(user.email)}`, token);
    await server.http.get(`/nowhere/${user.email}/${randomUUID()}`);

    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = await response.text();

    const durations = labelsOf(exposition, 'http_server_request_duration_seconds_count');
    expect(durations).toContainEqual({
      http_request_method: 'GET',
      http_route: '/api/patients/:id',
      http_response_status_code: '200',
    });
    expect(durations).toContainEqual({
      http_request_method: 'GET',
      http_route: '/api/patients/:id',
      http_response_status_code: '404',
    });
    expect(durations).toContainEqual({
      http_request_method: 'POST',
      http_route: '/auth/register',
      http_response_status_code: '201',
    });
    expect(durations).toContainEqual({
      http_request_method: 'GET',
      http_route: 'unmatched',
      http_response_status_code: '404',
    });
    // Registering wrote its event by the group commit; logging in and creating the doctor and
    // the patient, in their transactions.
    const written = Object.fromEntries(
      exposition
        .split('\n')
        .filter((line) => line.startsWith('audit_events_written_total{'))
        .map((line) => [/write="(\w+)"/.exec(line)?.[1], Number(line.split(' ').pop())]),
    );
    expect(written.group_commit).toBeGreaterThanOrEqual(1);
    expect(written.transaction).toBeGreaterThanOrEqual(2);
    expect(exposition).toMatch(/^audit_event_batches_total [1-9]/m);
    const labelValues = exposition
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .flatMap((line) => [...line.matchAll(/="((?:[^"\\]|\\.)*)"/g)].map(([, value]) => value));
    expect(labelValues.length).toBeGreaterThan(0);
    for (const value of labelValues) {
      expect(value).not.toMatch(UUID);
      expect(value).not.toMatch(EMAIL);
    }

    expect(exposition).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m);
    expect(labelsOf(exposition, 'db_client_connection_count')).toEqual([
      { state: 'idle' },
      { state: 'used' },
    ]);
    expect(exposition).toMatch(/^db_client_connection_max 10$/m);
    expect(exposition).toMatch(/^db_client_connection_pending_requests \d+$/m);
    expect(exposition).toMatch(/^process_cpu_seconds_total /m);
    expect(exposition).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('are not served on the API port', async () => {
    expect((await server.http.get('/metrics')).status).toBe(404);
  });
});

describe('without METRICS_PORT', () => {
  it('has no metrics listener and no request hook', async () => {
    const server = await startApp();
    try {
      expect(() => server.app.get(Metrics, { strict: false })).toThrow();
    } finally {
      await server.close();
    }
  });
});
