import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Account,
  signUp,
  sql,
  TEST_JWT_SECRET,
  uniqueEmail,
  useTestServer,
} from './support/app.js';
import { uniqueLoopbackAddress } from './support/http.js';
import { AuditRepository } from '../src/audit/audit.repository.js';
import { throttleKeys } from '../src/auth/login-throttle.service.js';
import {
  LoginAccountThrottlesRepository,
  LoginThrottlesRepository,
} from '../src/auth/login-throttles.repository.js';
import { RefreshTokensRepository } from '../src/auth/refresh-tokens.repository.js';
import { DoctorVersionsRepository } from '../src/doctors/doctor-versions.repository.js';
import { DoctorsRepository } from '../src/doctors/doctors.repository.js';
import { MappingsRepository } from '../src/mappings/mappings.repository.js';
import { PatientVersionsRepository } from '../src/patients/patient-versions.repository.js';
import { PatientsRepository } from '../src/patients/patients.repository.js';
import { SessionsRepository } from '../src/sessions/sessions.repository.js';
import { UsersRepository } from '../src/users/users.repository.js';
import { createDoctor, createMapping, createPatient, patientBody } from './support/records.js';

const server = useTestServer();
let owner: Account;
let doctorIds: string[];
let firstPatientId: string;

/** The once-a-second look for ended sessions, which runs beside the requests, not for them. */
const ENDED_SESSIONS_POLL = /FROM "sessions"\s+WHERE "ended_at" >/;

function sqlText(call: unknown[]): string {
  const [first] = call;
  return typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
}

/** Every repository: each public method must be exercised below, with its statements counted. */
const REPOSITORIES = [
  DoctorsRepository,
  DoctorVersionsRepository,
  PatientsRepository,
  PatientVersionsRepository,
  MappingsRepository,
  AuditRepository,
  UsersRepository,
  SessionsRepository,
  RefreshTokensRepository,
  LoginThrottlesRepository,
  LoginAccountThrottlesRepository,
];
/** Never run for a request: the partitions' upkeep, an operator's command, the once-a-second look. */
const NOT_PER_REQUEST = new Set([
  'AuditRepository.addPartitions',
  'UsersRepository.setRoleByEmail',
  'SessionsRepository.endedSince',
]);

/** Counts the statements the service sends while `request` runs, and answers its response. */
async function countedRequest(request: () => Promise<{ status: number; body: any }>) {
  const query = vi.spyOn(pg.Client.prototype, 'query');
  const response = await request();
  const count = query.mock.calls.filter((call) => !ENDED_SESSIONS_POLL.test(sqlText(call))).length;
  query.mockRestore();
  return { count, response };
}

/** Counts the statements of a list request, and how many items it answered. */
async function countQueries(request: () => Promise<{ status: number; body: any }>) {
  const { count, response } = await countedRequest(request);
  expect(response.status).toBe(200);
  return { count, items: response.body.items.length as number };
}

const lists = {
  doctors: () => server.http.get('/api/doctors/?limit=50', { token: owner.accessToken }),
  patients: () => server.http.get('/api/patients/?limit=50', { token: owner.accessToken }),
  mappings: () => server.http.get('/api/mappings/?limit=50', { token: owner.accessToken }),
  patientDoctors: () =>
    server.http.get(`/api/patients/${firstPatientId}/doctors/?limit=50`, {
      token: owner.accessToken,
    }),
};

beforeAll(async () => {
  owner = await signUp(server.http, 'Query Counter');
  doctorIds = [];
  for (let i = 0; i < 50; i += 1)
    doctorIds.push((await createDoctor(server.http, owner.accessToken)).id);
  firstPatientId = (await createPatient(server.http, owner.accessToken, doctorIds[0])).id;
});
afterEach(() => vi.restoreAllMocks());

describe('lists issue a constant number of queries, whatever their size', () => {
  it('counts at most three or four for a page of 1 and for a page of 50', async () => {
    const small = {
      patients: await countQueries(lists.patients),
      mappings: await countQueries(lists.mappings),
      patientDoctors: await countQueries(lists.patientDoctors),
    };
    expect(small.patients.items).toBe(1);
    expect(small.mappings.items).toBe(1);
    expect(small.patientDoctors.items).toBe(1);

    for (let i = 1; i < 50; i += 1) {
      await createPatient(server.http, owner.accessToken, doctorIds[i]);
      await createMapping(server.http, owner.accessToken, firstPatientId, doctorIds[i]);
    }
    const large = {
      patients: await countQueries(lists.patients),
      mappings: await countQueries(lists.mappings),
      patientDoctors: await countQueries(lists.patientDoctors),
    };
    expect(large.patients.items).toBe(50);
    expect(large.mappings.items).toBe(50);
    expect(large.patientDoctors.items).toBe(50);
    // The page query and, once a page is full, the count (plus the ownership check of the
    // patient for its doctors), and the audit event's INSERT, which concurrent requests share
    // (one here, the requests being sequential): never one per item.
    const ceiling = { patients: 3, mappings: 3, patientDoctors: 4 };
    for (const list of ['patients', 'mappings', 'patientDoctors'] as const) {
      expect(small[list].count, list).toBeGreaterThanOrEqual(1);
      expect(small[list].count, list).toBeLessThanOrEqual(ceiling[list]);
      expect(large[list].count, list).toBeLessThanOrEqual(ceiling[list]);
    }
  });

  it('serves the doctor directory in at most two queries, and the mappings with their summaries and their audit event in three', async () => {
    const doctors = await countQueries(lists.doctors);
    expect(doctors.items).toBe(50);
    expect(doctors.count).toBeLessThanOrEqual(2);
    expect((await countQueries(lists.mappings)).count).toBeLessThanOrEqual(3);
  });
});

/** Every describe's cases, for the check that they exercise every repository method. */
const CASE_LISTS: (() => [string, Case][])[] = [];

/** What one request costs: its statements, START TRANSACTION and COMMIT included. */
interface Case {
  /** The repository methods it exercises. */
  covers: string[];
  request: () => Promise<{ status: number; body: any }>;
  status: number;
  statements: number;
}

describe('every repository method, in the requests that use it', () => {
  let other: Account;
  let doctorId: string;
  let spareDoctorId: string;
  let patientId: string;
  let mappingId: string;
  let othersMappingId: string;
  let othersPatientId: string;
  let deletableDoctorId: string;
  let newDoctorId: string;
  const missing = '00000000-0000-4000-8000-000000000000';
  const as = (headers: Record<string, string> = {}) => ({ token: owner.accessToken, headers });

  beforeAll(async () => {
    other = await signUp(server.http, 'Query Bystander');
    doctorId = (await createDoctor(server.http, owner.accessToken)).id;
    spareDoctorId = (await createDoctor(server.http, owner.accessToken)).id;
    patientId = (await createPatient(server.http, owner.accessToken, doctorId)).id;
    await createPatient(server.http, owner.accessToken, doctorId);
    mappingId = (await createMapping(server.http, owner.accessToken, patientId, spareDoctorId)).id;
    deletableDoctorId = (await createDoctor(server.http, owner.accessToken)).id;
    newDoctorId = (await createDoctor(server.http, owner.accessToken)).id;
    othersPatientId = (await createPatient(server.http, other.accessToken, doctorId)).id;
    othersMappingId = (
      await createMapping(server.http, other.accessToken, othersPatientId, spareDoctorId)
    ).id;
  });

  const cases = (): [string, Case][] => [
    [
      'the doctor directory (S1), a full page',
      {
        covers: ['DoctorsRepository.page'],
        request: () => server.http.get('/api/doctors/?limit=2', as()),
        status: 200,
        // The page, with the directory's kept count.
        statements: 1,
      },
    ],
    [
      'a doctor',
      {
        covers: ['DoctorsRepository.findById'],
        request: () => server.http.get(`/api/doctors/${doctorId}/`, as()),
        status: 200,
        statements: 1,
      },
    ],
    [
      'a new doctor',
      {
        covers: ['DoctorsRepository.insert', 'AuditRepository.insert'],
        request: () =>
          server.http.post(
            '/api/doctors/',
            { name: 'Dr. Count', specialization: 'Counting', email: `count-${Date.now()}@e.com` },
            as(),
          ),
        status: 201,
        // START TRANSACTION, INSERT, the audit event's INSERT, COMMIT.
        statements: 4,
      },
    ],
    [
      'a changed doctor',
      {
        covers: ['DoctorsRepository.lock', 'DoctorsRepository.update'],
        request: () =>
          server.http.patch(`/api/doctors/${doctorId}/`, { phone: '+1 555 0100' }, as()),
        status: 200,
        statements: 5,
      },
    ],
    [
      "a doctor's history",
      {
        covers: ['DoctorVersionsRepository.page'],
        request: () => server.http.get(`/api/doctors/${doctorId}/history/`, as()),
        status: 200,
        statements: 1,
      },
    ],
    [
      'the history of a doctor that does not exist (404)',
      {
        covers: ['DoctorsRepository.exists'],
        request: () => server.http.get(`/api/doctors/${missing}/history/`, as()),
        status: 404,
        // The empty page, its count and the doctor's existence.
        statements: 3,
      },
    ],
    [
      "a doctor's first version",
      {
        covers: ['DoctorVersionsRepository.find'],
        request: () => server.http.get(`/api/doctors/${doctorId}/history/1/`, as()),
        status: 200,
        statements: 1,
      },
    ],
    [
      'the deletion of a doctor patients depend on (409)',
      {
        covers: ['MappingsRepository.patientCountOf'],
        request: () => server.http.delete(`/api/doctors/${spareDoctorId}/`, as()),
        status: 409,
        // START, the lock, the dependants, ROLLBACK; the refusal's audit event.
        statements: 5,
      },
    ],
    [
      "the caller's patients, a full page",
      {
        covers: ['PatientsRepository.page'],
        request: () => server.http.get('/api/patients/?limit=1', as()),
        status: 200,
        statements: 3,
      },
    ],
    [
      'a patient (S2)',
      {
        covers: ['PatientsRepository.findOwned'],
        request: () => server.http.get(`/api/patients/${patientId}/`, as()),
        status: 200,
        statements: 2,
      },
    ],
    [
      'a new patient (S4)',
      {
        covers: ['PatientsRepository.insert'],
        request: () => server.http.post('/api/patients/', patientBody(doctorId), as()),
        status: 201,
        // START, the patient (its mapping by trigger), the audit event, COMMIT.
        statements: 4,
      },
    ],
    [
      'a patient given another doctor',
      {
        covers: ['PatientsRepository.update'],
        request: () =>
          server.http.patch(`/api/patients/${patientId}/`, { doctorId: newDoctorId }, as()),
        status: 200,
        // START, the locked read, UPDATE (the new doctor's mapping by trigger), the event, COMMIT.
        statements: 5,
      },
    ],
    [
      "a patient's doctors",
      {
        covers: ['MappingsRepository.doctorIdsOf'],
        request: () => server.http.get(`/api/patients/${patientId}/doctors/`, as()),
        status: 200,
        statements: 3,
      },
    ],
    [
      "another user's patient's doctors (404)",
      {
        covers: ['PatientsRepository.existsOwned'],
        request: () => server.http.get(`/api/patients/${othersPatientId}/doctors/`, as()),
        status: 404,
        // No mapped doctors, no such patient of the caller's, the refusal's event.
        statements: 3,
      },
    ],
    [
      "a patient's history",
      {
        covers: ['PatientVersionsRepository.page'],
        request: () => server.http.get(`/api/patients/${patientId}/history/`, as()),
        status: 200,
        statements: 2,
      },
    ],
    [
      "a patient's first version",
      {
        covers: ['PatientVersionsRepository.find'],
        request: () => server.http.get(`/api/patients/${patientId}/history/1/`, as()),
        status: 200,
        statements: 2,
      },
    ],
    [
      "a patient's audit trail",
      {
        covers: ['AuditRepository.search'],
        request: () => server.http.get(`/api/patients/${patientId}/audit-events/`, as()),
        status: 200,
        statements: 3,
      },
    ],
    [
      "the caller's mappings (S3), a full page",
      {
        covers: ['MappingsRepository.page'],
        request: () => server.http.get('/api/mappings/?limit=1', as()),
        status: 200,
        // The page with the owner's kept count, and the audit event.
        statements: 2,
      },
    ],
    [
      "the caller's mappings, past the last page",
      {
        covers: ['MappingsRepository.countOwned'],
        request: () => server.http.get('/api/mappings/?offset=10000', as()),
        status: 200,
        // The empty page, the owner's count and the audit event.
        statements: 3,
      },
    ],
    [
      "a patient's mappings, a full page",
      {
        covers: ['MappingsRepository.page'],
        request: () => server.http.get(`/api/mappings/?limit=1&patientId=${patientId}`, as()),
        status: 200,
        // The page, its COUNT(*) and the audit event.
        statements: 3,
      },
    ],
    [
      'a mapping',
      {
        covers: ['MappingsRepository.findOwned'],
        request: () => server.http.get(`/api/mappings/${mappingId}/`, as()),
        status: 200,
        statements: 2,
      },
    ],
    [
      "another user's mapping (404)",
      {
        covers: ['MappingsRepository.patientOfAny'],
        request: () => server.http.get(`/api/mappings/${othersMappingId}/`, as()),
        status: 404,
        statements: 3,
      },
    ],
    [
      'a new mapping',
      {
        covers: ['MappingsRepository.insertForOwnedPatient'],
        request: () =>
          server.http.post('/api/mappings/', { patientId, doctorId: doctorIds[1] }, as()),
        status: 201,
        // START, the guarded INSERT, the event, the mapping with its summaries, COMMIT.
        statements: 5,
      },
    ],
    [
      'a changed mapping',
      {
        covers: ['MappingsRepository.update'],
        request: () => server.http.patch(`/api/mappings/${mappingId}/`, { notes: 'Counted' }, as()),
        status: 200,
        statements: 6,
      },
    ],
    [
      'a deleted mapping',
      {
        covers: ['MappingsRepository.delete'],
        request: () => server.http.delete(`/api/mappings/${mappingId}/`, as()),
        status: 204,
        statements: 5,
      },
    ],
    [
      'a patient deleted at a stale version (412)',
      {
        covers: ['PatientsRepository.deleteOwned'],
        request: () =>
          server.http.delete(`/api/patients/${patientId}/`, as({ 'if-match': '"99"' })),
        status: 412,
        // START, the DELETE that matches nothing, the current version, ROLLBACK; the event.
        statements: 5,
      },
    ],
    [
      'a deleted doctor',
      {
        covers: ['DoctorsRepository.delete'],
        request: () => server.http.delete(`/api/doctors/${deletableDoctorId}/`, as()),
        status: 204,
        // START, the lock, the dependants (none), DELETE, the event, COMMIT.
        statements: 6,
      },
    ],
  ];

  CASE_LISTS.push(cases);

  it('answers each request in a fixed number of statements', async () => {
    const counted: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const [name, { request, status, statements }] of cases()) {
      const { count, response } = await countedRequest(request);
      expect(response.status, name).toBe(status);
      counted[name] = count;
      expected[name] = statements;
    }
    expect(counted).toEqual(expected);
  });
});

describe('every account, session and login-counter method, in the requests that use it', () => {
  const address = uniqueLoopbackAddress();
  const from = () => server.http.from(address);
  let account: Account;
  let admin: Account;
  let target: Account;
  let sessionToEnd: string;
  let liveToken: string;
  const lockedEmail = uniqueEmail('locked');
  const ceilingEmail = uniqueEmail('ceiling');
  const login = (email: string, password: string) =>
    from().post('/auth/login/', { email, password });

  beforeAll(async () => {
    account = await signUp(server.http, 'Session Counter');
    admin = await signUp(server.http, 'Admin Counter');
    await sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    target = await signUp(server.http, 'Disabled Counter');
    const second = await server.http.post('/auth/login/', {
      email: account.email,
      password: account.password,
    });
    liveToken = (
      await server.http.post('/auth/login/', { email: account.email, password: account.password })
    ).body.accessToken;
    sessionToEnd = (
      await server.http.get('/auth/sessions/?sort=-createdAt&limit=1', {
        token: second.body.accessToken,
      })
    ).body.items[0].id;
    // Five failures lock the pair; the account's ceiling is locked by SQL (it takes 50).
    for (let i = 0; i < 5; i += 1) await login(lockedEmail, 'not the password');
    await login(ceilingEmail, 'not the password');
    await sql(
      `UPDATE login_account_throttles SET locked_until = now() + interval '1 hour'
       WHERE email_hash = $1`,
      [throttleKeys(TEST_JWT_SECRET).email(ceilingEmail)],
    );
  });

  const cases = (): [string, Case][] => [
    [
      'a registration',
      {
        covers: ['UsersRepository.insert'],
        request: () =>
          server.http.post('/auth/register/', {
            name: 'Registered',
            email: uniqueEmail(),
            password: 'correct horse battery staple',
          }),
        status: 201,
        // START, INSERT, the audit event, COMMIT.
        statements: 4,
      },
    ],
    [
      'a login',
      {
        covers: [
          'LoginThrottlesRepository.count',
          'LoginAccountThrottlesRepository.count',
          'UsersRepository.findByEmail',
          'LoginThrottlesRepository.forget',
          'LoginAccountThrottlesRepository.endStreak',
          'SessionsRepository.start',
          'RefreshTokensRepository.insert',
        ],
        request: () => login(account.email, account.password),
        status: 200,
        // The counters' transaction (4), the account, the two resets, and the session's
        // transaction: START, the session, its refresh token, the audit event, COMMIT.
        statements: 12,
      },
    ],
    [
      'a login that also prunes forgotten counters',
      {
        covers: ['LoginThrottlesRepository.prune', 'LoginAccountThrottlesRepository.prune'],
        request: async () => {
          vi.spyOn(Math, 'random').mockReturnValue(0);
          return login(account.email, account.password);
        },
        status: 200,
        statements: 14,
      },
    ],
    [
      'a login from a locked-out client (429)',
      {
        covers: ['LoginThrottlesRepository.secondsLocked'],
        request: () => login(lockedEmail, 'not the password'),
        status: 429,
        // START, the refused count, its lock's time, ROLLBACK, the account; the event.
        statements: 6,
      },
    ],
    [
      'a login to a locked account (429)',
      {
        covers: ['LoginAccountThrottlesRepository.secondsLocked'],
        request: () => login(ceilingEmail, 'not the password'),
        status: 429,
        statements: 7,
      },
    ],
    [
      'the caller',
      {
        covers: ['UsersRepository.findById'],
        request: () => server.http.get('/auth/me/', { token: account.accessToken }),
        status: 200,
        statements: 1,
      },
    ],
    [
      'a refresh',
      {
        covers: [
          'RefreshTokensRepository.findForUpdate',
          'SessionsRepository.touchLive',
          'RefreshTokensRepository.revoke',
        ],
        request: () => server.http.post('/auth/refresh/', { refreshToken: account.refreshToken }),
        status: 200,
        // START, the locked token, the session, the revocation, the new token, the event, COMMIT.
        statements: 7,
      },
    ],
    [
      'a reused refresh token (401)',
      {
        covers: ['SessionsRepository.end'],
        request: () => server.http.post('/auth/refresh/', { refreshToken: account.refreshToken }),
        status: 401,
        // START, the locked token, the session's end, the event, COMMIT.
        statements: 5,
      },
    ],
    [
      "the caller's sessions",
      {
        covers: ['SessionsRepository.page'],
        request: () => server.http.get('/auth/sessions/', { token: admin.accessToken }),
        status: 200,
        statements: 1,
      },
    ],
    [
      'an ended session',
      {
        covers: ['SessionsRepository.endOwned'],
        request: () => server.http.delete(`/auth/sessions/${sessionToEnd}/`, { token: liveToken }),
        status: 204,
        statements: 4,
      },
    ],
    [
      'the accounts, for an administrator',
      {
        covers: ['UsersRepository.page'],
        request: () => server.http.get('/api/admin/users/?limit=1', { token: admin.accessToken }),
        status: 200,
        // The role's check, the page and its count.
        statements: 3,
      },
    ],
    [
      'an account disabled by an administrator',
      {
        covers: ['UsersRepository.update', 'SessionsRepository.endAllOf'],
        request: () =>
          server.http.patch(
            `/api/admin/users/${target.id}/`,
            { disabled: true },
            { token: admin.accessToken },
          ),
        status: 200,
        // The role's check; START, the account, its sessions' end, the event, COMMIT; the answer.
        statements: 7,
      },
    ],
    [
      'a logout',
      {
        covers: ['SessionsRepository.endByRefreshToken'],
        request: () =>
          server.http.post(
            '/auth/logout/',
            { refreshToken: admin.refreshToken },
            { token: admin.accessToken },
          ),
        status: 204,
        statements: 4,
      },
    ],
  ];
  CASE_LISTS.push(cases);

  it('answers each request in a fixed number of statements', async () => {
    const counted: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const [name, { request, status, statements }] of cases()) {
      const { count, response } = await countedRequest(request);
      vi.restoreAllMocks();
      expect(response.status, name).toBe(status);
      counted[name] = count;
      expected[name] = statements;
    }
    expect(counted).toEqual(expected);
  });
});

describe('the cases above', () => {
  it('exercise every method of every repository', () => {
    const methods = REPOSITORIES.flatMap((repository) =>
      Object.getOwnPropertyNames(repository.prototype)
        .filter((name) => name !== 'constructor')
        .map((name) => `${repository.name}.${name}`),
    ).filter((method) => !NOT_PER_REQUEST.has(method));
    const covered = new Set(
      CASE_LISTS.flatMap((list) => list()).flatMap(([, { covers }]) => covers),
    );
    expect(methods.filter((method) => !covered.has(method))).toEqual([]);
    expect([...covered].filter((method) => !methods.includes(method))).toEqual([]);
  });
});
