import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../src/audit/audit.service.js';
import { UsersService } from '../src/users/users.service.js';
import { type Account, signUp, sql, startApp, type TestApp, uniqueEmail } from './support/app.js';
import type { HttpResponse } from './support/http.js';
import {
  createDoctor,
  createPatient,
  doctorBody,
  patientBody,
  problemOf,
} from './support/records.js';

const USER_AGENT = 'audit-test/1.0';
const PASSWORD = 'correct horse battery staple';

interface Sent extends HttpResponse {
  requestId: string;
}

interface StoredEvent {
  id: string;
  recordedAt: Date;
  action: string;
  outcome: string;
  status: number;
  actorId: string | null;
  resourceType: string;
  resourceId: string | null;
  patientIds: string[];
  requestId: string;
  clientAddress: string;
  userAgent: string;
}

/** The events stored for one request, as the database holds them. */
async function eventsOf(requestId: string): Promise<StoredEvent[]> {
  return sql<StoredEvent>(
    `SELECT id, recorded_at AS "recordedAt", action, outcome, status, actor_id AS "actorId",
            resource_type AS "resourceType", resource_id AS "resourceId",
            patient_ids AS "patientIds", request_id AS "requestId",
            client_address AS "clientAddress", user_agent AS "userAgent"
     FROM audit_events WHERE request_id = $1`,
    [requestId],
  );
}

/** Asserts that exactly one event was stored for the request, and that it is `expected`. */
async function expectEvent(
  sent: Sent,
  expected: Pick<StoredEvent, 'action' | 'outcome' | 'actorId' | 'resourceType' | 'resourceId'> & {
    patientIds?: string[];
    clientAddress?: string;
  },
): Promise<void> {
  const events = await eventsOf(sent.requestId);
  expect(events).toEqual([
    {
      id: expect.any(String),
      recordedAt: expect.any(Date),
      status: sent.status,
      requestId: sent.requestId,
      clientAddress: '127.0.0.1',
      userAgent: USER_AGENT,
      ...expected,
      patientIds: expect.toSatisfy(
        (ids: string[]) =>
          JSON.stringify([...ids].sort()) ===
          JSON.stringify([...(expected.patientIds ?? [])].sort()),
        `patientIds ${JSON.stringify(expected.patientIds ?? [])}`,
      ),
    },
  ]);
}

/** Headers that make a request's event unstorable while `whileUnstorable` runs. */
function unstorable(suffix: string): Record<string, string> {
  return { 'x-request-id': `unstorable-${suffix}-${randomUUID()}` };
}

/** Runs `test` while the database refuses the events of requests sent with `unstorable()`. */
async function whileUnstorable(test: () => Promise<void>): Promise<void> {
  // Refuses the events of these requests only: other suites share the database.
  await sql(`
    CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.request_id LIKE 'unstorable-%' THEN RAISE EXCEPTION 'refused for the test'; END IF;
      RETURN NEW;
    END $$`);
  await sql(`CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_events
             FOR EACH ROW EXECUTE FUNCTION audit_test_refuse()`);
  try {
    await test();
  } finally {
    await sql(`DROP TRIGGER audit_test_refuse ON audit_events`);
    await sql(`DROP FUNCTION audit_test_refuse()`);
  }
}

describe('audit trail', () => {
  let server: TestApp;
  let owner: Account;
  let other: Account;
  let admin: Account;

  /** Sends a request with its own X-Request-Id, so that its event can be found. */
  async function send(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    http = server.http,
  ) {
    const requestId = `audit-${randomUUID()}`;
    const response = await http.request(method, path, body, {
      token,
      headers: { 'x-request-id': requestId, 'user-agent': USER_AGENT },
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    return { ...response, requestId } satisfies Sent;
  }

  beforeAll(async () => {
    server = await startApp();
    owner = await signUp(server.http, 'Audit Owner');
    other = await signUp(server.http, 'Audit Other');
    admin = await signUp(server.http, 'Audit Admin');
    await sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
  });
  afterAll(() => server.close());

  describe('authentication events', () => {
    it('records a registration, and a refused duplicate', async () => {
      const email = uniqueEmail();
      const registered = await send('POST', '/auth/register/', {
        name: 'N',
        email,
        password: PASSWORD,
      });
      expect(registered.status).toBe(201);
      const id = registered.body.id as string;
      await expectEvent(registered, {
        action: 'auth.register',
        outcome: 'success',
        actorId: id,
        resourceType: 'user',
        resourceId: id,
      });

      const duplicate = await send('POST', '/auth/register/', {
        name: 'N',
        email,
        password: PASSWORD,
      });
      expect(duplicate.status).toBe(409);
      await expectEvent(duplicate, {
        action: 'auth.register',
        outcome: 'failure',
        actorId: null,
        resourceType: 'user',
        resourceId: null,
      });
    });

    it('records logins: success, a wrong password (naming the account) and an unknown email', async () => {
      const login = await send('POST', '/auth/login/', {
        email: owner.email,
        password: owner.password,
      });
      expect(login.status).toBe(200);
      const user = { resourceType: 'user', actorId: owner.id, resourceId: owner.id };
      await expectEvent(login, { action: 'auth.login', outcome: 'success', ...user });

      const wrong = await send('POST', '/auth/login/', {
        email: owner.email,
        password: 'wrong password 1',
      });
      expect(wrong.status).toBe(401);
      await expectEvent(wrong, { action: 'auth.login', outcome: 'failure', ...user });

      const unknown = await send('POST', '/auth/login/', {
        email: uniqueEmail(),
        password: PASSWORD,
      });
      expect(unknown.status).toBe(401);
      await expectEvent(unknown, {
        action: 'auth.login',
        outcome: 'failure',
        actorId: null,
        resourceType: 'user',
        resourceId: null,
      });
    });

    it('records a login refused by the lock that failures from one address set', async () => {
      const account = await signUp(server.http, 'Locked Out');
      const from = server.http.from('127.0.0.3');
      let locked: Sent | undefined;
      for (let attempt = 0; attempt < 10 && !locked; attempt += 1) {
        const sent = await send(
          'POST',
          '/auth/login/',
          { email: account.email, password: 'wrong password 2' },
          undefined,
          from,
        );
        if (sent.status === 429) locked = sent;
      }
      expect(locked?.status).toBe(429);
      await expectEvent(locked!, {
        action: 'auth.login',
        outcome: 'failure',
        actorId: account.id,
        resourceType: 'user',
        resourceId: account.id,
        clientAddress: '127.0.0.3',
      });
    });

    it('records a refresh, a refused token, the reuse of a rotated one, and a logout', async () => {
      const account = await signUp(server.http, 'Refresher');
      const user = { resourceType: 'user', actorId: account.id, resourceId: account.id };
      const refreshed = await send('POST', '/auth/refresh/', {
        refreshToken: account.refreshToken,
      });
      expect(refreshed.status).toBe(200);
      await expectEvent(refreshed, { action: 'auth.refresh', outcome: 'success', ...user });

      const garbage = await send('POST', '/auth/refresh/', { refreshToken: 'not-a-token' });
      expect(garbage.status).toBe(401);
      await expectEvent(garbage, {
        action: 'auth.refresh',
        outcome: 'failure',
        actorId: null,
        resourceType: 'user',
        resourceId: null,
      });

      const reused = await send('POST', '/auth/refresh/', { refreshToken: account.refreshToken });
      expect(reused.status).toBe(401);
      await expectEvent(reused, { action: 'auth.refresh-reuse', outcome: 'failure', ...user });

      const again = await signUp(server.http, 'Leaver');
      const logout = await send(
        'POST',
        '/auth/logout/',
        { refreshToken: again.refreshToken },
        again.accessToken,
      );
      expect(logout.status).toBe(204);
      await expectEvent(logout, {
        action: 'auth.logout',
        outcome: 'success',
        actorId: again.id,
        resourceType: 'user',
        resourceId: again.id,
      });
    });
  });

  describe('doctor, patient and mapping events', () => {
    it('records each change of a doctor, and a change refused to another user', async () => {
      const token = owner.accessToken;
      const doctor = { actorId: owner.id, resourceType: 'doctor' };
      const created = await send('POST', '/api/doctors/', doctorBody(), token);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      await expectEvent(created, {
        action: 'doctor.create',
        outcome: 'success',
        ...doctor,
        resourceId: id,
      });

      const patched = await send('PATCH', `/api/doctors/${id}/`, { phone: '+1 555 0100' }, token);
      expect(patched.status).toBe(200);
      await expectEvent(patched, {
        action: 'doctor.update',
        outcome: 'success',
        ...doctor,
        resourceId: id,
      });

      const put = await send('PUT', `/api/doctors/${id}/`, doctorBody(), token);
      expect(put.status).toBe(200);
      await expectEvent(put, {
        action: 'doctor.update',
        outcome: 'success',
        ...doctor,
        resourceId: id,
      });

      const refused = await send('DELETE', `/api/doctors/${id}/`, undefined, other.accessToken);
      expect(refused.status).toBe(403);
      await expectEvent(refused, {
        action: 'doctor.delete',
        outcome: 'failure',
        actorId: other.id,
        resourceType: 'doctor',
        resourceId: id,
      });

      const deleted = await send('DELETE', `/api/doctors/${id}/`, undefined, token);
      expect(deleted.status).toBe(204);
      await expectEvent(deleted, {
        action: 'doctor.delete',
        outcome: 'success',
        ...doctor,
        resourceId: id,
      });
      // Reading the directory is not patient data: it records nothing.
      const list = await send('GET', '/api/doctors/', undefined, token);
      expect(await eventsOf(list.requestId)).toEqual([]);
    });

    it('records every read and change of a patient, with the patients it disclosed', async () => {
      const token = owner.accessToken;
      const patient = { actorId: owner.id, resourceType: 'patient' };
      const doctor = await createDoctor(server.http, token);
      const created = await send('POST', '/api/patients/', patientBody(doctor.id), token);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const named = { ...patient, resourceId: id, patientIds: [id] };
      await expectEvent(created, { action: 'patient.create', outcome: 'success', ...named });

      const read = await send('GET', `/api/patients/${id}/`, undefined, token);
      expect(read.status).toBe(200);
      await expectEvent(read, { action: 'patient.read', outcome: 'success', ...named });

      const second = await createPatient(server.http, token, doctor.id);
      const search = await send('GET', `/api/patients/?doctorId=${doctor.id}`, undefined, token);
      expect(search.body.items).toHaveLength(2);
      await expectEvent(search, {
        action: 'patient.search',
        outcome: 'success',
        ...patient,
        resourceId: null,
        patientIds: [id, second.id],
      });

      const doctors = await send('GET', `/api/patients/${id}/doctors/`, undefined, token);
      expect(doctors.status).toBe(200);
      await expectEvent(doctors, { action: 'patient.read', outcome: 'success', ...named });

      const patched = await send('PATCH', `/api/patients/${id}/`, { phone: '+1 555 0101' }, token);
      expect(patched.status).toBe(200);
      await expectEvent(patched, { action: 'patient.update', outcome: 'success', ...named });

      const put = await send('PUT', `/api/patients/${id}/`, patientBody(doctor.id), token);
      expect(put.status).toBe(200);
      await expectEvent(put, { action: 'patient.update', outcome: 'success', ...named });

      const history = await send('GET', `/api/patients/${id}/history/`, undefined, token);
      expect(history.status).toBe(200);
      await expectEvent(history, { action: 'patient.history', outcome: 'success', ...named });
      const version = await send('GET', `/api/patients/${id}/history/1/`, undefined, token);
      expect(version.status).toBe(200);
      await expectEvent(version, { action: 'patient.history', outcome: 'success', ...named });

      const current = await server.http.get(`/api/patients/${id}/`, { token });
      const etag = current.headers.get('etag') as string;
      const unchanged = await server.http.request('GET', `/api/patients/${id}/`, undefined, {
        token,
        headers: {
          'x-request-id': `audit-${randomUUID()}`,
          'user-agent': USER_AGENT,
          'if-none-match': etag,
        },
      });
      expect(unchanged.status).toBe(304);
      await expectEvent(
        { ...unchanged, requestId: unchanged.headers.get('x-request-id') as string },
        { action: 'patient.read', outcome: 'success', ...named },
      );
      const stale = await server.http.request(
        'PATCH',
        `/api/patients/${id}/`,
        { phone: '+1 555 0102' },
        {
          token,
          headers: {
            'x-request-id': `audit-${randomUUID()}`,
            'user-agent': USER_AGENT,
            'if-match': '"1"',
          },
        },
      );
      expect(stale.status).toBe(412);
      await expectEvent(
        { ...stale, requestId: stale.headers.get('x-request-id') as string },
        { action: 'patient.update', outcome: 'failure', ...named },
      );

      const deleted = await send('DELETE', `/api/patients/${id}/`, undefined, token);
      expect(deleted.status).toBe(204);
      await expectEvent(deleted, { action: 'patient.delete', outcome: 'success', ...named });

      const gone = await send('GET', `/api/patients/${id}/`, undefined, token);
      expect(gone.status).toBe(404);
      await expectEvent(gone, { action: 'patient.read', outcome: 'failure', ...named });
    });

    it('records every read and change of a mapping, with the patient it belongs to', async () => {
      const token = owner.accessToken;
      const mapping = { actorId: owner.id, resourceType: 'mapping' };
      const [first, second] = [
        await createDoctor(server.http, token),
        await createDoctor(server.http, token),
      ];
      const patient = await createPatient(server.http, token, first.id);
      const movedTo = await createPatient(server.http, token, first.id);

      const created = await send(
        'POST',
        '/api/mappings/',
        { patientId: patient.id, doctorId: second.id },
        token,
      );
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const named = { ...mapping, resourceId: id, patientIds: [patient.id] };
      await expectEvent(created, { action: 'mapping.create', outcome: 'success', ...named });

      const duplicate = await send(
        'POST',
        '/api/mappings/',
        { patientId: patient.id, doctorId: second.id },
        token,
      );
      expect(duplicate.status).toBe(409);
      await expectEvent(duplicate, {
        action: 'mapping.create',
        outcome: 'failure',
        ...mapping,
        resourceId: null,
        patientIds: [patient.id],
      });

      const read = await send('GET', `/api/mappings/${id}/`, undefined, token);
      expect(read.status).toBe(200);
      await expectEvent(read, { action: 'mapping.read', outcome: 'success', ...named });

      const search = await send('GET', `/api/mappings/?doctorId=${first.id}`, undefined, token);
      expect(search.body.items).toHaveLength(2);
      await expectEvent(search, {
        action: 'mapping.search',
        outcome: 'success',
        ...mapping,
        resourceId: null,
        patientIds: [patient.id, movedTo.id],
      });

      const moved = await send('PATCH', `/api/mappings/${id}/`, { patientId: movedTo.id }, token);
      expect(moved.status).toBe(200);
      await expectEvent(moved, {
        action: 'mapping.update',
        outcome: 'success',
        ...mapping,
        resourceId: id,
        patientIds: [patient.id, movedTo.id],
      });

      const deleted = await send('DELETE', `/api/mappings/${id}/`, undefined, token);
      expect(deleted.status).toBe(204);
      await expectEvent(deleted, {
        action: 'mapping.delete',
        outcome: 'success',
        ...mapping,
        resourceId: id,
        patientIds: [movedTo.id],
      });

      const assigned = (await server.http.get(`/api/mappings/?patientId=${patient.id}`, { token }))
        .body.items[0].id as string;
      const refused = await send('DELETE', `/api/mappings/${assigned}/`, undefined, token);
      expect(refused.status).toBe(409);
      await expectEvent(refused, {
        action: 'mapping.delete',
        outcome: 'failure',
        ...mapping,
        resourceId: assigned,
        patientIds: [patient.id],
      });
    });
  });

  describe("a patient's trail, for its owner", () => {
    it('shows another user probing the patient, who gets 404s, and is itself recorded', async () => {
      const doctor = await createDoctor(server.http, owner.accessToken);
      const patient = await createPatient(server.http, owner.accessToken, doctor.id);
      const mappingId = (
        await server.http.get(`/api/mappings/?patientId=${patient.id}`, {
          token: owner.accessToken,
        })
      ).body.items[0].id as string;

      // From another address, which the event names.
      const probe = await send(
        'GET',
        `/api/patients/${patient.id}/`,
        undefined,
        other.accessToken,
        server.http.from('127.0.0.2'),
      );
      problemOf(probe, 404);
      await expectEvent(probe, {
        action: 'patient.read',
        outcome: 'failure',
        actorId: other.id,
        resourceType: 'patient',
        resourceId: patient.id,
        patientIds: [patient.id],
        clientAddress: '127.0.0.2',
      });
      const mappingProbe = await send(
        'GET',
        `/api/mappings/${mappingId}/`,
        undefined,
        other.accessToken,
      );
      problemOf(mappingProbe, 404);
      await expectEvent(mappingProbe, {
        action: 'mapping.read',
        outcome: 'failure',
        actorId: other.id,
        resourceType: 'mapping',
        resourceId: mappingId,
        patientIds: [patient.id],
      });
      const trailProbe = await send(
        'GET',
        `/api/patients/${patient.id}/audit-events/`,
        undefined,
        other.accessToken,
      );
      problemOf(trailProbe, 404);

      const trail = await send(
        'GET',
        `/api/patients/${patient.id}/audit-events/?outcome=failure&sort=recordedAt`,
        undefined,
        owner.accessToken,
      );
      expect(trail.status).toBe(200);
      expect(trail.body.items.map((event: StoredEvent) => event.requestId)).toEqual([
        probe.requestId,
        mappingProbe.requestId,
        trailProbe.requestId,
      ]);
      expect(trail.body.items[0]).toEqual({
        id: expect.any(String),
        recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        action: 'patient.read',
        outcome: 'failure',
        status: 404,
        actorId: other.id,
        resourceType: 'patient',
        resourceId: patient.id,
        patientIds: [patient.id],
        requestId: probe.requestId,
        clientAddress: '127.0.0.2',
        userAgent: USER_AGENT,
      });
      await expectEvent(trail, {
        action: 'audit.search',
        outcome: 'success',
        actorId: owner.id,
        resourceType: 'audit-event',
        resourceId: null,
        patientIds: [patient.id],
      });

      const everything = await server.http.get(`/api/patients/${patient.id}/audit-events/`, {
        token: owner.accessToken,
      });
      expect(everything.body.total).toBe(everything.body.items.length);
      // Newest first by default: the trail read just now leads.
      expect(everything.body.items[0].requestId).toBe(trail.requestId);
      expect(everything.body.items.map((event: StoredEvent) => event.action)).toContain(
        'patient.create',
      );
    });

    it('filters by actor, action, outcome and time (from inclusive, to exclusive), and pages', async () => {
      const doctor = await createDoctor(server.http, owner.accessToken);
      const patient = await createPatient(server.http, owner.accessToken, doctor.id);
      const path = `/api/patients/${patient.id}/audit-events/`;
      const token = { token: owner.accessToken };
      await server.http.get(`/api/patients/${patient.id}/`, token);
      await server.http.get(`/api/patients/${patient.id}/`, { token: other.accessToken });

      const reads = await server.http.get(`${path}?action=patient.read`, token);
      expect(reads.body.items.map((event: StoredEvent) => event.outcome).sort()).toEqual([
        'failure',
        'success',
      ]);
      const byOther = await server.http.get(`${path}?actorId=${other.id}`, token);
      expect(byOther.body.items.map((event: StoredEvent) => event.actorId)).toEqual([other.id]);

      const all = (await server.http.get(`${path}?sort=recordedAt&limit=100`, token)).body.items;
      const middle = all[1].recordedAt as string;
      const from = await server.http.get(`${path}?sort=recordedAt&from=${middle}`, token);
      expect(from.body.items[0].id).toBe(all[1].id);
      const to = await server.http.get(`${path}?sort=recordedAt&to=${middle}`, token);
      expect(to.body.items.map((event: StoredEvent) => event.id)).toEqual([all[0].id]);

      const page = await server.http.get(`${path}?limit=1&offset=1&sort=recordedAt`, token);
      expect(page.body).toMatchObject({ limit: 1, offset: 1, items: [{ id: all[1].id }] });
      expect(page.body.total).toBeGreaterThanOrEqual(3);
    });

    it('refuses bad filters with a 400 naming them', async () => {
      const doctor = await createDoctor(server.http, owner.accessToken);
      const patient = await createPatient(server.http, owner.accessToken, doctor.id);
      const path = `/api/patients/${patient.id}/audit-events/`;
      for (const [query, field] of [
        ['action=patient.peek', 'action'],
        ['outcome=maybe', 'outcome'],
        ['actorId=nope', 'actorId'],
        ['from=yesterday', 'from'],
        ['to=2026-02-30T00:00:00Z', 'to'],
        ['from=2026-W01-1', 'from'],
        ['sort=createdAt', 'sort'],
        ['patientId=' + patient.id, 'patientId'],
      ]) {
        const response = await server.http.get(`${path}?${query}`, { token: owner.accessToken });
        expect(
          problemOf(response, 400).errors?.map((error) => error.field),
          query,
        ).toEqual([field]);
      }
    });
  });

  describe('sessions and accounts', () => {
    it('records a session ended by its owner, and a refused one', async () => {
      const account = await signUp(server.http, 'Session Ender');
      const sessions = await server.http.get('/auth/sessions/', { token: account.accessToken });
      const sessionId = sessions.body.items[0].id as string;
      const session = { actorId: account.id, resourceType: 'session', resourceId: sessionId };
      const probe = await send(
        'DELETE',
        `/auth/sessions/${sessionId}/`,
        undefined,
        other.accessToken,
      );
      expect(probe.status).toBe(404);
      await expectEvent(probe, {
        action: 'auth.session-end',
        outcome: 'failure',
        ...session,
        actorId: other.id,
      });
      const ended = await send(
        'DELETE',
        `/auth/sessions/${sessionId}/`,
        undefined,
        account.accessToken,
      );
      expect(ended.status).toBe(204);
      await expectEvent(ended, { action: 'auth.session-end', outcome: 'success', ...session });
    });

    it("records an administrator's change of an account, and a refused one", async () => {
      const account = await signUp(server.http, 'Disabled Later');
      const changed = await send(
        'PATCH',
        `/api/admin/users/${account.id}/`,
        { disabled: true },
        admin.accessToken,
      );
      expect(changed.status).toBe(200);
      const user = { actorId: admin.id, resourceType: 'user' };
      await expectEvent(changed, {
        action: 'user.update',
        outcome: 'success',
        ...user,
        resourceId: account.id,
      });
      const own = await send(
        'PATCH',
        `/api/admin/users/${admin.id}/`,
        { role: 'user' },
        admin.accessToken,
      );
      expect(own.status).toBe(409);
      await expectEvent(own, {
        action: 'user.update',
        outcome: 'failure',
        ...user,
        resourceId: admin.id,
      });
    });

    it("records an operator's command with its change, and nothing when it changes nothing", async () => {
      const account = await signUp(server.http, 'Operator Target');
      const audit = server.app.get(AuditService);
      const users = server.app.get(UsersService);
      const grant = (email: string) =>
        audit.runCommand('user.update', 'grant-admin', 200, () =>
          users.setRoleByEmail(email, 'admin'),
        );
      expect(await grant(account.email.toUpperCase())).toBe(true);
      expect(await grant(uniqueEmail())).toBe(false);
      const events = await sql(
        `SELECT action, outcome, status, actor_id AS "actorId", client_address AS "clientAddress",
                user_agent AS "userAgent"
         FROM audit_events WHERE resource_id = $1 AND action = 'user.update'`,
        [account.id],
      );
      expect(events).toEqual([
        {
          action: 'user.update',
          outcome: 'success',
          status: 200,
          actorId: null,
          clientAddress: null,
          userAgent: 'cli grant-admin',
        },
      ]);
    });

    it('records an administrators-only change or search refused to a user', async () => {
      const account = await signUp(server.http, 'Not Promoted');
      const change = await send(
        'PATCH',
        `/api/admin/users/${account.id}/`,
        { role: 'admin' },
        other.accessToken,
      );
      expect(change.status).toBe(403);
      await expectEvent(change, {
        action: 'user.update',
        outcome: 'failure',
        actorId: other.id,
        resourceType: 'user',
        resourceId: account.id,
      });
      const search = await send('GET', '/api/audit-events/', undefined, other.accessToken);
      expect(search.status).toBe(403);
      await expectEvent(search, {
        action: 'audit.search',
        outcome: 'failure',
        actorId: other.id,
        resourceType: 'audit-event',
        resourceId: null,
      });
    });
  });

  describe('the whole trail, for administrators', () => {
    it('shows an administrator the probes of a patient, filtered; refuses users; is itself recorded', async () => {
      const doctor = await createDoctor(server.http, owner.accessToken);
      const patient = await createPatient(server.http, owner.accessToken, doctor.id);
      const probe = await send('GET', `/api/patients/${patient.id}/`, undefined, other.accessToken);
      expect(probe.status).toBe(404);

      problemOf(await server.http.get('/api/audit-events/', { token: owner.accessToken }), 403);
      problemOf(await server.http.get('/api/audit-events/'), 401);

      const search = await send(
        'GET',
        `/api/audit-events/?patientId=${patient.id}&actorId=${other.id}&outcome=failure&action=patient.read`,
        undefined,
        admin.accessToken,
      );
      expect(search.status).toBe(200);
      expect(search.body).toMatchObject({ total: 1, limit: 20, offset: 0 });
      expect(search.body.items[0]).toMatchObject({
        requestId: probe.requestId,
        actorId: other.id,
        status: 404,
        patientIds: [patient.id],
      });
      await expectEvent(search, {
        action: 'audit.search',
        outcome: 'success',
        actorId: admin.id,
        resourceType: 'audit-event',
        resourceId: null,
      });

      const newest = await server.http.get('/api/audit-events/?limit=2', {
        token: admin.accessToken,
      });
      const [first, second] = newest.body.items as StoredEvent[];
      expect(new Date(first.recordedAt).getTime()).toBeGreaterThanOrEqual(
        new Date(second.recordedAt).getTime(),
      );
      const bad = await server.http.get('/api/audit-events/?patientId=nope', {
        token: admin.accessToken,
      });
      expect(problemOf(bad, 400).errors?.map((error) => error.field)).toEqual(['patientId']);
    });
  });

  describe('storage', () => {
    it('refuses UPDATE, DELETE and TRUNCATE through SQL, on the table and on its partitions, and keeps the rows', async () => {
      const before = await sql<{ count: string; sum: string }>(
        `SELECT count(*) AS count, sum(status) AS sum FROM audit_events`,
      );
      const [{ partition }] = await sql<{ partition: string }>(
        `SELECT tableoid::regclass::text AS partition FROM audit_events LIMIT 1`,
      );
      expect(partition).toMatch(/^audit_events_\d{4}_\d{2}$/);
      for (const table of ['audit_events', partition, 'audit_events_default']) {
        for (const statement of [
          `UPDATE ${table} SET status = 200`,
          `DELETE FROM ${table}`,
          `TRUNCATE ${table}`,
        ]) {
          await expect(sql(statement), statement).rejects.toThrow(/append-only/);
        }
      }
      const after = await sql<{ count: string; sum: string }>(
        `SELECT count(*) AS count, sum(status) AS sum FROM audit_events`,
      );
      expect(Number(after[0].count)).toBeGreaterThanOrEqual(Number(before[0].count));
      const stillThere = await sql(
        `SELECT 1 FROM audit_events WHERE request_id IS NOT NULL LIMIT 1`,
      );
      expect(stillThere).toHaveLength(1);
    });

    it('keeps partitions created months ahead, each with its own append-only trigger', async () => {
      const partitions = await sql<{ name: string; guarded: boolean }>(
        `SELECT child.relname AS name,
                EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = child.oid
                        AND t.tgname = 'audit_events_append_only') AS guarded
         FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
         WHERE pg_inherits.inhparent = 'audit_events'::regclass ORDER BY 1`,
      );
      const month = (offset: number) => {
        const date = new Date();
        date.setUTCDate(1);
        date.setUTCMonth(date.getUTCMonth() + offset);
        return `audit_events_${date.getUTCFullYear()}_${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
      };
      const names = partitions.map((partition) => partition.name);
      for (const offset of [0, 1, 2, 3]) expect(names).toContain(month(offset));
      expect(names).toContain('audit_events_default');
      expect(partitions.every((partition) => partition.guarded)).toBe(true);
    });

    it('answers 503, never the data, when the event cannot be stored; a change then does not happen', async () => {
      const doctor = await createDoctor(server.http, owner.accessToken);
      const patient = await createPatient(server.http, owner.accessToken, doctor.id, {
        name: 'Unaudited Name',
      });
      await whileUnstorable(async () => {
        const options = (suffix: string) => ({
          token: owner.accessToken,
          headers: unstorable(suffix),
          expectServerError: true,
        });
        for (const path of [
          `/api/patients/${patient.id}/`,
          '/api/patients/',
          `/api/mappings/?patientId=${patient.id}`,
        ]) {
          const read = await server.http.get(path, options('read'));
          expect(problemOf(read, 503).detail).toMatch(/audit trail cannot be written/);
          expect(read.text).not.toContain('Unaudited Name');
        }
        const change = await server.http.patch(
          `/api/patients/${patient.id}/`,
          { name: 'Changed Name' },
          options('change'),
        );
        problemOf(change, 503);
        const probe = await server.http.get(`/api/patients/${patient.id}/`, {
          ...options('probe'),
          token: other.accessToken,
        });
        problemOf(probe, 503);
      });
      const unchanged = await server.http.get(`/api/patients/${patient.id}/`, {
        token: owner.accessToken,
      });
      expect(unchanged.body.name).toBe('Unaudited Name');
    });

    it('keeps account and session changes with their events: when the event cannot be stored, nothing changes', async () => {
      const account = await signUp(server.http, 'Unaudited Sessions');
      const email = uniqueEmail();
      await whileUnstorable(async () => {
        const post = (path: string, body: unknown, token?: string) =>
          server.http.post(path, body, {
            token,
            headers: unstorable(path.replaceAll('/', '')),
            expectServerError: true,
          });
        problemOf(await post('/auth/register/', { name: 'N', email, password: PASSWORD }), 503);
        problemOf(
          await post('/auth/login/', { email: account.email, password: account.password }),
          503,
        );
        const { refreshToken } = account;
        problemOf(await post('/auth/logout/', { refreshToken }, account.accessToken), 503);
        const sessions = await server.http.get('/auth/sessions/', { token: account.accessToken });
        const sessionId = sessions.body.items[0].id as string;
        const end = await server.http.delete(`/auth/sessions/${sessionId}/`, {
          token: account.accessToken,
          headers: unstorable('end'),
          expectServerError: true,
        });
        problemOf(end, 503);
        const disable = await server.http.patch(
          `/api/admin/users/${account.id}/`,
          { disabled: true },
          { token: admin.accessToken, headers: unstorable('disable'), expectServerError: true },
        );
        problemOf(disable, 503);
      });
      expect(await sql('SELECT 1 FROM users WHERE email = $1', [email])).toEqual([]);
      const [state] = await sql<{ disabled: boolean; live: string }>(
        `SELECT u.disabled, (SELECT count(*) FROM sessions s
                             WHERE s.user_id = u.id AND s.ended_at IS NULL) AS live
         FROM users u WHERE u.id = $1`,
        [account.id],
      );
      // The sign-up's session only: the refused login started none, and none ended.
      expect(state).toEqual({ disabled: false, live: '1' });
      const me = await server.http.get('/auth/me/', { token: account.accessToken });
      expect(me.status).toBe(200);
      const refreshed = await server.http.post('/auth/refresh/', {
        refreshToken: account.refreshToken,
      });
      expect(refreshed.status).toBe(200);
    });

    it('ends the session of a reused refresh token and records it in one transaction', async () => {
      const account = await signUp(server.http, 'Reused Token');
      const rotated = await server.http.post('/auth/refresh/', {
        refreshToken: account.refreshToken,
      });
      expect(rotated.status).toBe(200);
      await whileUnstorable(async () => {
        const reuse = await server.http.post(
          '/auth/refresh/',
          { refreshToken: account.refreshToken },
          { headers: unstorable('reuse'), expectServerError: true },
        );
        problemOf(reuse, 503);
      });
      // Unrecorded, the reuse ended nothing: the current token still works.
      const live = await server.http.post('/auth/refresh/', {
        refreshToken: rotated.body.refreshToken,
      });
      expect(live.status).toBe(200);
      const reuse = await send('POST', '/auth/refresh/', { refreshToken: account.refreshToken });
      expect(reuse.status).toBe(401);
      const [event] = await eventsOf(reuse.requestId);
      expect(event).toMatchObject({
        action: 'auth.refresh-reuse',
        outcome: 'failure',
        status: 401,
      });
      const after = await server.http.post('/auth/refresh/', {
        refreshToken: live.body.refreshToken,
      });
      expect(after.status).toBe(401);
    });

    it('writes the events of concurrent reads in shared INSERTs, every one of them stored', async () => {
      const doctor = await createDoctor(server.http, owner.accessToken);
      const patient = await createPatient(server.http, owner.accessToken, doctor.id);
      const batches = server.app.get(AuditService).batches;
      const [writesBefore, writtenBefore] = [batches.writes, batches.written];
      const requests = 60;
      const answers = await Promise.all(
        Array.from({ length: requests }, () =>
          send('GET', `/api/patients/${patient.id}/`, undefined, owner.accessToken),
        ),
      );
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      const writes = batches.writes - writesBefore;
      const written = batches.written - writtenBefore;
      console.log(
        `group commit: ${written} events in ${writes} INSERTs (${(written / writes).toFixed(1)} a batch)`,
      );
      expect(written).toBe(requests);
      expect(writes).toBeLessThan(requests);
      const stored = await sql<{ count: string }>(
        `SELECT count(*) FROM audit_events WHERE request_id = ANY($1)`,
        [answers.map((answer) => answer.requestId)],
      );
      expect(Number(stored[0].count)).toBe(requests);
    });
  });
});
