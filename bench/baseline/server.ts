/**
 * The bare baseline of the benchmark: the five benchmarked requests served with no framework
 * (node:http, a `pg` pool of the service's size, HS256 with node:crypto, bcrypt), sending the
 * same SQL as the service and answering the same JSON. It exists to be measured against: the
 * service's requests per second divided by this server's is the figure the benchmark reports.
 *
 * Served: GET /health, GET /api/doctors/, GET /api/patients/<id>/, GET /api/mappings/,
 * POST /api/patients/, POST /auth/login/ (each with or without the trailing slash). List
 * filters are not implemented (a 400). It reads DATABASE_URL, PORT, JWT_SECRET,
 * JWT_ACCESS_TTL, JWT_REFRESH_TTL and BCRYPT_ROUNDS like the service, and needs a database
 * migrated by the service's migrations. It does the service's duties per request in the
 * plainest way: an audit event for each read and write it serves (one INSERT per request), the
 * refusal of ended sessions' tokens (a set in memory, refreshed from the database every second
 * with the service's query), a request id (X-Request-Id) and one pino line per request at
 * LOG_LEVEL (info by default), as the service logs it.
 */
import bcrypt from 'bcrypt';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import pg from 'pg';
import { pino } from 'pino';

const ISSUER = 'healthcare-api';
const AUDIENCE = 'healthcare-api';
const BODY_LIMIT_BYTES = 100_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex -- the service refuses these characters in text
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GENDERS = new Set(['female', 'male', 'other', 'unknown']);
const READ_ONLY = new Set(['id', 'version', 'createdAt', 'updatedAt', 'createdBy']);

function durationSeconds(text: string | undefined, fallback: number): number {
  const match = /^(\d+)([smhd])$/.exec(text ?? '');
  if (!match) return fallback;
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

const secret = process.env.JWT_SECRET ?? '';
if (secret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 3000);
const accessTtl = durationSeconds(process.env.JWT_ACCESS_TTL, 900);
const refreshTtl = durationSeconds(process.env.JWT_REFRESH_TTL, 7 * 86400);
const bcryptRounds = Number(process.env.BCRYPT_ROUNDS ?? 12);

/** `date` columns stay the YYYY-MM-DD text PostgreSQL sends. */
const DATE_OID = 1082;
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: 10, // the service's pool size (src/database/data-source-options.ts)
  connectionTimeoutMillis: 5_000,
  statement_timeout: 10_000,
  application_name: 'healthcare-api-baseline',
  types: {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === DATE_OID
        ? (value: string) => value
        : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  },
});

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });

/** Compared against when an email is unknown, so that both login failures cost one hash. */
const dummyHash = await bcrypt.hash(randomUUID(), bcryptRounds);

// ---------------------------------------------------------------------------------------------
// Ended sessions: their access tokens are refused, as src/sessions/ended-sessions.ts does

/** Session id → when (ms) its last access token expires; kept a minute past that. */
const endedSessions = new Map<string, number>();
/** Where the next look reads from: 30 s before the last one, so that none is missed. */
let endedSince: Date | undefined;

async function pollEndedSessions(): Promise<void> {
  const { rows } = await pool.query<{ now: Date; ended: { id: string; ageSeconds: number }[] }>(
    `SELECT now() AS "now", COALESCE(
       (SELECT json_agg(json_build_object(
          'id', "id", 'ageSeconds', EXTRACT(EPOCH FROM now() - "ended_at")))
        FROM "sessions"
        WHERE "ended_at" > COALESCE($1::timestamptz, now() - $2::int * interval '1 second')),
       '[]') AS "ended"`,
    [endedSince?.toISOString() ?? null, accessTtl],
  );
  const now = Date.now();
  for (const { id, ageSeconds } of rows[0].ended) {
    endedSessions.set(id, now + (accessTtl - ageSeconds) * 1000 + 60_000);
  }
  for (const [id, expiresAt] of endedSessions) if (expiresAt <= now) endedSessions.delete(id);
  endedSince = new Date(rows[0].now.getTime() - 30_000);
}

await pollEndedSessions();
setInterval(
  () =>
    void pollEndedSessions().catch((error: unknown) =>
      logger.warn(`Cannot read ended sessions: ${String(error)}`),
    ),
  1_000,
).unref();

// ---------------------------------------------------------------------------------------------
// Responses

/** The headers @fastify/helmet adds to every answer of the service, with its CSP directives. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';" +
    "frame-ancestors 'self';img-src 'self' data:;object-src 'none';" +
    "script-src 'self' 'unsafe-inline';script-src-attr 'none';style-src 'self' 'unsafe-inline';" +
    'upgrade-insecure-requests',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

interface FieldError {
  field: string;
  message: string;
}

/** An answer that ends the request: thrown by handlers, sent as a problem document. */
class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
  contentType = 'application/json; charset=utf-8',
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function sendProblem(res: ServerResponse, path: string, problem: Problem): void {
  send(
    res,
    problem.status,
    {
      type: 'about:blank',
      title: STATUS_CODES[problem.status] ?? 'Error',
      status: problem.status,
      detail: problem.detail,
      instance: path,
      ...(problem.errors?.length ? { errors: problem.errors } : {}),
    },
    problem.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
    'application/problem+json; charset=utf-8',
  );
}

const invalid = (errors: FieldError[]) =>
  new Problem(400, 'The request is invalid: see errors.', errors);

// ---------------------------------------------------------------------------------------------
// Access tokens: HS256 JWTs with sub, jti, iat, exp, iss and aud, as the service issues them

const JWT_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function sign(userId: string, sessionId: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(
    JSON.stringify({
      sub: userId,
      sid: sessionId,
      iat,
      exp: iat + accessTtl,
      aud: AUDIENCE,
      iss: ISSUER,
      jti: randomUUID(),
    }),
  ).toString('base64url');
  const signature = createHmac('sha256', secret)
    .update(`${JWT_HEADER}.${payload}`)
    .digest('base64url');
  return `${JWT_HEADER}.${payload}.${signature}`;
}

const UNAUTHORIZED = 'A valid bearer access token is required.';

/** The caller's id from `Authorization: Bearer <jwt>`, or a 401. */
function authenticate(req: IncomingMessage): string {
  const header = req.headers.authorization;
  if (!header || !header.startsWith('Bearer ')) throw new Problem(401, UNAUTHORIZED);
  const parts = header.slice(7).trim().split('.');
  if (parts.length !== 3) throw new Problem(401, UNAUTHORIZED);
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  let jwtHeader: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    jwtHeader = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
  } catch {
    throw new Problem(401, UNAUTHORIZED);
  }
  if (jwtHeader?.alg !== 'HS256' || typeof claims !== 'object' || claims === null) {
    throw new Problem(401, UNAUTHORIZED);
  }
  const expected = createHmac('sha256', secret)
    .update(`${encodedHeader}.${encodedPayload}`)
    .digest();
  const given = Buffer.from(encodedSignature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Problem(401, UNAUTHORIZED);
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || now >= claims.exp) {
    throw new Problem(401, 'The access token has expired.');
  }
  if (typeof claims.nbf === 'number' && now < claims.nbf) throw new Problem(401, UNAUTHORIZED);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== ISSUER || !audience.includes(AUDIENCE)) throw new Problem(401, UNAUTHORIZED);
  if (
    typeof claims.sub !== 'string' ||
    !UUID.test(claims.sub) ||
    typeof claims.jti !== 'string' ||
    typeof claims.sid !== 'string'
  ) {
    throw new Problem(401, UNAUTHORIZED);
  }
  if (endedSessions.has(claims.sid)) throw new Problem(401, 'The session has ended: log in again.');
  return claims.sub;
}

// ---------------------------------------------------------------------------------------------
// Request bodies and queries

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new Problem(415, 'The request body must be application/json.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) throw new Problem(413, 'The request body is larger than 100 kB.');
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Problem(400, 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Problem(400, 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function refuseUnknown(body: Record<string, unknown>, known: ReadonlySet<string>): FieldError[] {
  return Object.keys(body)
    .filter((key) => !known.has(key))
    .map((key) => ({
      field: key,
      message: READ_ONLY.has(key) ? `${key} is read-only` : `${key} is not a known property`,
    }));
}

interface TextRule {
  max: number;
  min?: number;
  optional?: boolean;
  trim?: boolean;
  bytes?: boolean;
  email?: boolean;
}

/** A text field as the service validates it: type, Unicode, control characters, length. */
function text(
  body: Record<string, unknown>,
  key: string,
  rule: TextRule,
  errors: FieldError[],
): string | null {
  let value = body[key];
  if (value === undefined || value === null) {
    if (!rule.optional)
      errors.push({ field: key, message: `${key} is required and must not be null` });
    return null;
  }
  if (typeof value !== 'string') {
    errors.push({ field: key, message: `${key} must be a string` });
    return null;
  }
  if (rule.trim !== false) value = value.trim();
  const textValue = value as string;
  const length = rule.bytes ? Buffer.byteLength(textValue) : [...textValue].length;
  let problem: string | undefined;
  if (!textValue.isWellFormed()) problem = 'must be valid Unicode text';
  else if (FORBIDDEN_CONTROL.test(textValue)) problem = 'must not contain control characters';
  else if (length < (rule.min ?? 1)) problem = 'must not be empty';
  else if (length > rule.max) problem = `must be at most ${rule.max} characters long`;
  else if (rule.email && !EMAIL.test(textValue)) problem = 'must be an email address';
  if (problem) errors.push({ field: key, message: `${key} ${problem}` });
  return textValue;
}

function isDateOfBirth(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return (
    !Number.isNaN(date.getTime()) &&
    date.toISOString().startsWith(value) &&
    value >= '1900-01-01' &&
    value <= new Date().toISOString().slice(0, 10)
  );
}

interface PageQuery {
  limit: number;
  offset: number;
  column: string;
  direction: 'ASC' | 'DESC';
}

/** `limit`, `offset` and `sort` as the service reads them; anything else is a 400. */
function pageQuery(search: URLSearchParams, sortColumns: Record<string, string>): PageQuery {
  const errors: FieldError[] = [];
  const query: PageQuery = { limit: 20, offset: 0, column: '', direction: 'DESC' };
  let sort = '-createdAt';
  for (const [key, value] of search) {
    if (key === 'limit') {
      const limit = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
      if (!(limit >= 1 && limit <= 100)) {
        errors.push({ field: key, message: 'limit must be a whole number from 1 to 100' });
      }
      query.limit = limit;
    } else if (key === 'offset') {
      const offset = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
      if (!(offset >= 0 && offset <= Number.MAX_SAFE_INTEGER)) {
        errors.push({ field: key, message: 'offset must be a whole number, 0 or more' });
      }
      query.offset = offset;
    } else if (key === 'sort') {
      sort = value;
    } else {
      errors.push({ field: key, message: `${key} is not supported by the baseline` });
    }
  }
  const descending = sort.startsWith('-');
  const column = sortColumns[descending ? sort.slice(1) : sort];
  if (column === undefined) errors.push({ field: 'sort', message: 'sort is not a sortable field' });
  if (errors.length) throw invalid(errors);
  query.column = column;
  query.direction = descending ? 'DESC' : 'ASC';
  return query;
}

// ---------------------------------------------------------------------------------------------
// The five requests, with the SQL the service sends (TypeORM's text, aliases included)

const DOCTOR_COLUMNS =
  '"doctor"."id" AS "doctor_id", "doctor"."name" AS "doctor_name", ' +
  '"doctor"."specialization" AS "doctor_specialization", "doctor"."email" AS "doctor_email", ' +
  '"doctor"."phone" AS "doctor_phone", "doctor"."created_by" AS "doctor_created_by", ' +
  '"doctor"."updated_by" AS "doctor_updated_by", "doctor"."version" AS "doctor_version", ' +
  '"doctor"."created_at" AS "doctor_created_at", "doctor"."updated_at" AS "doctor_updated_at"';

const DOCTOR_SORT: Record<string, string> = {
  name: '"doctor"."name"',
  specialization: '"doctor"."specialization"',
  email: '"doctor"."email"',
  createdAt: '"doctor"."created_at"',
  updatedAt: '"doctor"."updated_at"',
};

// ---------------------------------------------------------------------------------------------
// The audit trail, done naively: one INSERT per audited request, awaited before the answer.

interface AuditFields {
  action: string;
  outcome?: 'success' | 'failure';
  status: number;
  actorId: string | null;
  resourceType: string;
  resourceId: string | null;
  patientIds: string[];
}

async function recordAudit(
  queryable: Pick<pg.Pool, 'query'>,
  req: IncomingMessage,
  fields: AuditFields,
): Promise<void> {
  const userAgent = req.headers['user-agent'];
  await queryable.query(
    'INSERT INTO audit_events (action, outcome, status, actor_id, resource_type, resource_id, ' +
      'patient_ids, request_id, client_address, user_agent) ' +
      'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
    [
      fields.action,
      fields.outcome ?? 'success',
      fields.status,
      fields.actorId,
      fields.resourceType,
      fields.resourceId,
      fields.patientIds,
      requestIds.get(req),
      req.socket.remoteAddress ?? null,
      typeof userAgent === 'string' ? userAgent.slice(0, 512) : null,
    ],
  );
}

/** S1. Like TypeORM's getManyAndCount without joins: the count is skipped on a short page. */
async function listDoctors(search: URLSearchParams) {
  const query = pageQuery(search, DOCTOR_SORT);
  const client = await pool.connect();
  try {
    const { rows } = await client.query(
      `SELECT ${DOCTOR_COLUMNS} FROM "doctors" "doctor" ORDER BY ${query.column} ${query.direction}, ` +
        `"doctor"."id" ${query.direction} LIMIT ${query.limit} OFFSET ${query.offset}`,
    );
    let total = rows.length + query.offset;
    if (rows.length === query.limit || (rows.length === 0 && query.offset > 0)) {
      const count = await client.query('SELECT COUNT(1) AS "cnt" FROM "doctors" "doctor"');
      total = parseInt(count.rows[0]?.cnt ?? '0', 10);
    }
    return {
      items: rows.map((row) => ({
        id: row.doctor_id,
        name: row.doctor_name,
        specialization: row.doctor_specialization,
        email: row.doctor_email,
        phone: row.doctor_phone,
        createdBy: row.doctor_created_by,
        version: row.doctor_version,
        createdAt: row.doctor_created_at,
        updatedAt: row.doctor_updated_at,
      })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  } finally {
    client.release();
  }
}

interface PatientRow {
  id: string;
  name: string;
  dateOfBirth: string;
  gender: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  medicalHistory: string | null;
  doctorId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** S2. */
async function getPatient(userId: string, id: string): Promise<PatientRow> {
  const { rows } = await pool.query(
    'SELECT "Patient"."id" AS "Patient_id", "Patient"."name" AS "Patient_name", ' +
      '"Patient"."date_of_birth" AS "Patient_date_of_birth", "Patient"."gender" AS "Patient_gender", ' +
      '"Patient"."email" AS "Patient_email", "Patient"."phone" AS "Patient_phone", ' +
      '"Patient"."address" AS "Patient_address", "Patient"."medical_history" AS "Patient_medical_history", ' +
      '"Patient"."doctor_id" AS "Patient_doctor_id", "Patient"."created_by" AS "Patient_created_by", ' +
      '"Patient"."updated_by" AS "Patient_updated_by", "Patient"."version" AS "Patient_version", ' +
      '"Patient"."created_at" AS "Patient_created_at", "Patient"."updated_at" AS "Patient_updated_at" ' +
      'FROM "patients" "Patient" WHERE (("Patient"."id" = $1) AND ("Patient"."created_by" = $2)) LIMIT 1',
    [id, userId],
  );
  const row = rows[0];
  if (!row) throw new Problem(404, 'No patient with this id.');
  return {
    id: row.Patient_id,
    name: row.Patient_name,
    dateOfBirth: row.Patient_date_of_birth,
    gender: row.Patient_gender,
    email: row.Patient_email,
    phone: row.Patient_phone,
    address: row.Patient_address,
    medicalHistory: row.Patient_medical_history,
    doctorId: row.Patient_doctor_id,
    version: row.Patient_version,
    createdAt: row.Patient_created_at,
    updatedAt: row.Patient_updated_at,
  };
}

const MAPPING_FROM =
  'FROM "mappings" "mapping" INNER JOIN "patients" "patient" ON "patient"."id"="mapping"."patient_id"  ' +
  'INNER JOIN "doctors" "doctor" ON "doctor"."id"="mapping"."doctor_id" WHERE "mapping"."created_by" = $1';

const MAPPING_SORT: Record<string, string> = {
  createdAt: '"mapping"."created_at"',
  updatedAt: '"mapping"."updated_at"',
};

/** S3. A joined list: TypeORM always counts (a COUNT DISTINCT over the same join). */
async function listMappings(userId: string, search: URLSearchParams) {
  const query = pageQuery(search, MAPPING_SORT);
  const client = await pool.connect();
  try {
    const { rows } = await client.query(
      'SELECT "mapping"."id" AS "mapping_id", "mapping"."patient_id" AS "mapping_patient_id", ' +
        '"mapping"."doctor_id" AS "mapping_doctor_id", "mapping"."created_by" AS "mapping_created_by", ' +
        '"mapping"."notes" AS "mapping_notes", "mapping"."version" AS "mapping_version", ' +
        '"mapping"."created_at" AS "mapping_created_at", ' +
        '"mapping"."updated_at" AS "mapping_updated_at", "patient"."id" AS "patient_id", ' +
        '"patient"."name" AS "patient_name", "patient"."doctor_id" AS "patient_doctor_id", ' +
        '"doctor"."id" AS "doctor_id", "doctor"."name" AS "doctor_name", ' +
        `"doctor"."specialization" AS "doctor_specialization" ${MAPPING_FROM} ` +
        `ORDER BY ${query.column} ${query.direction}, "mapping"."id" ${query.direction} ` +
        `LIMIT ${query.limit} OFFSET ${query.offset}`,
      [userId],
    );
    const count = await client.query(
      `SELECT COUNT(DISTINCT("mapping"."id")) AS "cnt" ${MAPPING_FROM}`,
      [userId],
    );
    return {
      items: rows.map((row) => ({
        id: row.mapping_id,
        patientId: row.mapping_patient_id,
        doctorId: row.mapping_doctor_id,
        notes: row.mapping_notes,
        patient: { id: row.patient_id, name: row.patient_name },
        doctor: {
          id: row.doctor_id,
          name: row.doctor_name,
          specialization: row.doctor_specialization,
        },
        version: row.mapping_version,
        createdAt: row.mapping_created_at,
        updatedAt: row.mapping_updated_at,
      })),
      total: parseInt(count.rows[0]?.cnt ?? '0', 10),
      limit: query.limit,
      offset: query.offset,
    };
  } finally {
    client.release();
  }
}

const PATIENT_FIELDS = new Set([
  'name',
  'dateOfBirth',
  'gender',
  'email',
  'phone',
  'address',
  'medicalHistory',
  'doctorId',
]);

/** S4. The patient and its mapping to the assigned doctor, in one transaction. */
async function createPatient(
  req: IncomingMessage,
  userId: string,
  body: Record<string, unknown>,
): Promise<PatientRow> {
  const errors = refuseUnknown(body, PATIENT_FIELDS);
  const name = text(body, 'name', { max: 100 }, errors);
  if (!isDateOfBirth(body.dateOfBirth)) {
    errors.push({
      field: 'dateOfBirth',
      message: 'dateOfBirth must be a date YYYY-MM-DD from 1900-01-01 up to today',
    });
  }
  if (typeof body.gender !== 'string' || !GENDERS.has(body.gender)) {
    errors.push({
      field: 'gender',
      message: 'gender must be one of: female, male, other, unknown',
    });
  }
  const email = text(body, 'email', { max: 254, optional: true, email: true }, errors);
  const phone = text(body, 'phone', { max: 30, optional: true }, errors);
  const address = text(body, 'address', { max: 500, optional: true }, errors);
  const medicalHistory = text(body, 'medicalHistory', { max: 10_000, optional: true }, errors);
  if (typeof body.doctorId !== 'string' || !UUID.test(body.doctorId)) {
    errors.push({ field: 'doctorId', message: 'doctorId must be a UUID' });
  }
  if (errors.length) throw invalid(errors);
  const dateOfBirth = body.dateOfBirth as string;
  const gender = body.gender as string;
  const doctorId = body.doctorId as string;

  const client = await pool.connect();
  try {
    await client.query('START TRANSACTION');
    try {
      const inserted = await client.query(
        'INSERT INTO "patients"("id", "name", "date_of_birth", "gender", "email", "phone", "address", ' +
          '"medical_history", "doctor_id", "created_by", "updated_by", "version", "created_at", "updated_at") ' +
          'VALUES (DEFAULT, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, DEFAULT, DEFAULT, DEFAULT) ' +
          'RETURNING "id", "version", "created_at", "updated_at"',
        [
          name,
          dateOfBirth,
          gender,
          email,
          phone,
          address,
          medicalHistory,
          doctorId,
          userId,
          userId,
        ],
      );
      const patient = inserted.rows[0];
      await client.query(
        'INSERT INTO "mappings"("id", "patient_id", "doctor_id", "created_by", "notes", "version", ' +
          '"created_at", "updated_at") VALUES (DEFAULT, $1, $2, $3, DEFAULT, DEFAULT, DEFAULT, DEFAULT) ' +
          'ON CONFLICT DO NOTHING  RETURNING "id", "version", "created_at", "updated_at"',
        [patient.id, doctorId, userId],
      );
      await recordAudit(client, req, {
        action: 'patient.create',
        status: 201,
        actorId: userId,
        resourceType: 'patient',
        resourceId: patient.id,
        patientIds: [patient.id],
      });
      await client.query('COMMIT');
      return {
        id: patient.id,
        name: name as string,
        dateOfBirth,
        gender,
        email,
        phone,
        address,
        medicalHistory,
        doctorId,
        version: patient.version,
        createdAt: patient.created_at,
        updatedAt: patient.updated_at,
      };
    } catch (error) {
      await client.query('ROLLBACK');
      if ((error as { code?: string }).code === '23503') {
        throw invalid([{ field: 'doctorId', message: 'doctorId names no doctor' }]);
      }
      throw error;
    }
  } finally {
    client.release();
  }
}

const LOGIN_FIELDS = new Set(['email', 'password']);

/** S5. One bcrypt comparison (against a dummy hash for an unknown email), then a token pair. */
async function login(body: Record<string, unknown>) {
  const errors = refuseUnknown(body, LOGIN_FIELDS);
  const email = text(body, 'email', { max: 254, email: true }, errors)?.toLowerCase();
  const password = text(body, 'password', { max: 72, trim: false, bytes: true }, errors);
  if (errors.length) throw invalid(errors);
  const { rows } = await pool.query(
    'SELECT "User"."id" AS "User_id", "User"."name" AS "User_name", "User"."email" AS "User_email", ' +
      '"User"."password_hash" AS "User_password_hash", "User"."role" AS "User_role", ' +
      '"User"."disabled" AS "User_disabled", "User"."created_at" AS "User_created_at", ' +
      '"User"."updated_at" AS "User_updated_at" FROM "users" "User" WHERE (("User"."email" = $1)) LIMIT 1',
    [email],
  );
  const user = rows[0];
  const matches = await bcrypt.compare(password as string, user?.User_password_hash ?? dummyHash);
  if (!user || !matches || user.User_disabled) {
    throw new Problem(401, 'The email or password is incorrect.');
  }
  const refreshToken = randomBytes(32).toString('base64url');
  // The session and its first refresh token, in one transaction as the service does.
  const client = await pool.connect();
  let sessionId: string;
  try {
    await client.query('START TRANSACTION');
    const session = await client.query<{ id: string }>(
      'INSERT INTO "sessions" ("user_id", "user_agent")\n' +
        '       SELECT "id", $2 FROM "users" WHERE "id" = $1 AND NOT "disabled"\n' +
        '       RETURNING "id"',
      [user.User_id, null],
    );
    sessionId = session.rows[0].id;
    await client.query(
      'INSERT INTO "refresh_tokens"("id", "user_id", "session_id", "token_hash", "expires_at", "revoked_at", ' +
        '"created_at") VALUES (DEFAULT, $1, $2, $3, $4, DEFAULT, DEFAULT) RETURNING "id", "created_at"',
      [
        user.User_id,
        sessionId,
        createHash('sha256').update(refreshToken).digest('hex'),
        new Date(Date.now() + refreshTtl * 1000),
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return {
    userId: user.User_id as string,
    tokens: {
      accessToken: sign(user.User_id, sessionId),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: accessTtl,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Routing

async function route(req: IncomingMessage, res: ServerResponse, path: string, search: string) {
  const method = req.method ?? 'GET';
  const route = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (method === 'GET' && route === '/health') {
    await pool.query('SELECT 1');
    return send(res, 200, { status: 'ok', database: 'up' });
  }
  if (method === 'POST' && route === '/auth/login') {
    const { userId, tokens } = await login(await readJson(req));
    await recordAudit(pool, req, {
      action: 'auth.login',
      status: 200,
      actorId: userId,
      resourceType: 'user',
      resourceId: userId,
      patientIds: [],
    });
    return send(res, 200, tokens);
  }
  if (route === '/api/doctors' && method === 'GET') {
    authenticate(req);
    return send(res, 200, await listDoctors(new URLSearchParams(search)));
  }
  if (route === '/api/mappings' && method === 'GET') {
    const userId = authenticate(req);
    const page = await listMappings(userId, new URLSearchParams(search));
    await recordAudit(pool, req, {
      action: 'mapping.search',
      status: 200,
      actorId: userId,
      resourceType: 'mapping',
      resourceId: null,
      patientIds: [...new Set(page.items.map((item) => item.patientId as string))],
    });
    return send(res, 200, page);
  }
  if (route === '/api/patients' && method === 'POST') {
    const userId = authenticate(req);
    const patient = await createPatient(req, userId, await readJson(req));
    return send(res, 201, patient, { Location: `/api/patients/${patient.id}/` });
  }
  if (route.startsWith('/api/patients/') && method === 'GET') {
    const userId = authenticate(req);
    const id = route.slice('/api/patients/'.length);
    if (!UUID.test(id)) {
      throw new Problem(400, 'The id in the path is not a UUID.', [
        { field: 'id', message: 'id must be a UUID' },
      ]);
    }
    const patient = await getPatient(userId, id);
    await recordAudit(pool, req, {
      action: 'patient.read',
      status: 200,
      actorId: userId,
      resourceType: 'patient',
      resourceId: id,
      patientIds: [id],
    });
    return send(res, 200, patient);
  }
  throw new Problem(404, `Route ${method}:${path} not found`);
}

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const requestIds = new WeakMap<IncomingMessage, string>();

/** The route pattern a request log names (never the URL, which may carry a name). */
function routePattern(method: string, route: string): string {
  if (method === 'GET' && /^\/api\/patients\/[^/]+$/.test(route)) return '/api/patients/:id';
  return route;
}

const server = createServer((req, res) => {
  const started = performance.now();
  const url = req.url ?? '/';
  const question = url.indexOf('?');
  const path = question === -1 ? url : url.slice(0, question);
  const search = question === -1 ? '' : url.slice(question + 1);
  const incomingId = req.headers['x-request-id'];
  const requestId =
    typeof incomingId === 'string' && ACCEPTABLE_REQUEST_ID.test(incomingId)
      ? incomingId
      : randomUUID();
  requestIds.set(req, requestId);
  res.setHeader('X-Request-Id', requestId);
  res.once('finish', () => {
    const method = req.method ?? 'GET';
    const entry = {
      context: 'HTTP',
      msg: res.statusCode >= 500 ? 'request failed' : 'request completed',
      requestId,
      clientAddress: req.socket.remoteAddress,
      method,
      route: routePattern(method, path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path),
      status: res.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    if (res.statusCode >= 500) logger.error(entry);
    else logger.info(entry);
  });
  route(req, res, path, search).catch((error: unknown) => {
    if (!(error instanceof Problem)) {
      logger.error({ err: error }, `${req.method} ${path} failed`);
      error = new Problem(500, 'An unexpected error occurred. It has been logged.');
    }
    if (!res.headersSent) sendProblem(res, path, error as Problem);
    else res.destroy();
  });
});
server.keepAliveTimeout = 72_000; // Fastify's default, so that connections live as long

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
}

server.listen(port, '0.0.0.0', () => {
  logger.info(`Baseline listening on http://localhost:${port}`);
});
