import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  type HeadersObject,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
  type ServerObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { EXAMPLE_ID } from './common/decorators/id-param.decorator.js';
import {
  PROBLEM_INSTANCE_PLACEHOLDER,
  PROBLEM_SCHEMAS,
  problemResponse,
} from './common/openapi.js';
import { FHIR_SCHEMAS } from './fhir/fhir-openapi.js';

export const API_VERSION = '1.0.0';

const TAGS: Record<string, string> = {
  auth: 'Accounts, tokens and sessions: register, log in, rotate refresh tokens, list and end sessions.',
  admin:
    'Account management for administrators (role `admin`): list accounts, change roles, disable accounts.',
  doctors:
    'The doctor directory, which every signed-in user can read; only its creator may change a doctor.',
  patients: 'Patients are private: each user sees and changes only the patients they created.',
  mappings: "Which doctors treat which of the caller's patients.",
  fhir: 'A read-only FHIR R4 view of the records (`application/fhir+json`): Patient, Practitioner, CareTeam and the CapabilityStatement. Errors are OperationOutcomes.',
  audit:
    'The audit trail of every access to patient data, change of a record and authentication event, for administrators.',
  operations:
    'Health checks for load balancers and orchestrators (liveness, readiness, database reachability), without authentication.',
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Lengths fixed by a string's format: a UUID, a `YYYY-MM-DD` date, an ISO 8601 UTC instant. */
const FORMAT_LENGTHS: Record<string, number> = { uuid: 36, date: 10, 'date-time': 24 };

const MAX_SAFE_INTEGER = {
  type: 'integer',
  format: 'int64',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
};

/** Sent by the auth rate limiter (`AuthRateLimitGuard`) on every request it admits. */
const RATE_LIMIT_HEADERS: HeadersObject = {
  'X-RateLimit-Limit': {
    description: 'Attempts allowed per minute from this address (`AUTH_RATE_LIMIT`).',
    schema: MAX_SAFE_INTEGER,
    example: 10,
  },
  'X-RateLimit-Remaining': {
    description: 'Attempts left in the current minute.',
    schema: MAX_SAFE_INTEGER,
    example: 9,
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the current minute ends.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 60 },
    example: 60,
  },
};

const RATE_LIMIT_HEADER_REFS = Object.fromEntries(
  Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
);

/** Statuses answered before the rate limiter counts the request, or by the limiter itself. */
const UNCOUNTED_STATUSES = new Set(['413', '415', '429']);

/** The OpenAPI 3 document, built from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Healthcare records API')
    .setDescription(
      'Doctors, patients and who treats whom, behind JWT authentication. ' +
        'Send the `accessToken` from `POST /auth/login/` as `Authorization: Bearer <accessToken>`. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`). ' +
        'Every path also answers with a trailing slash.',
    )
    .setVersion(API_VERSION)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'The `accessToken` of a login or refresh: an HS256 JWT, checked as RFC8725 advises ' +
        '(the algorithm is pinned, and the issuer, audience and expiry are verified).',
    });
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const config = builder.build();
  delete config.info.contact;
  config.info.license = { name: 'Proprietary (UNLICENSED): all rights reserved' };
  // Relative, so that Swagger UI and other clients call the server that served the document.
  config.servers = [
    {
      url: '/',
      description: 'The server that serves this document, local or production alike',
      'x-internal': false,
    } as ServerObject,
  ];
  const document = SwaggerModule.createDocument(app, config, { extraModels: PROBLEM_SCHEMAS });
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const operation of operationsOf(pathItem)) {
      addSharedResponses(operation);
      setProblemInstances(operation, `${path.replace(/\{\w+\}/g, EXAMPLE_ID)}/`);
    }
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...FHIR_SCHEMAS },
    headers: RATE_LIMIT_HEADERS,
  };
  addFormatLengths(document);
  return document;
}

function operationsOf(pathItem: PathItemObject): OperationObject[] {
  return METHODS.flatMap((method) => pathItem[method] ?? []);
}

/**
 * What every route shares and no decorator states: the global guard protects every route but
 * the `@Public()` ones (which document the empty requirement `{}`), the problem-details
 * filter answers any failure, Fastify refuses oversized and non-JSON bodies, and every route
 * but /health (which reports it itself) answers 503 when the database is down, except the
 * liveness check, which touches no database.
 */
function addSharedResponses(operation: OperationObject): void {
  const responses = operation.responses;
  const isPublic =
    operation.security?.length === 1 && Object.keys(operation.security[0]).length === 0;
  operation.security = isPublic ? [] : [{ bearer: [] }];
  if (!isPublic) responses['401'] ??= problemResponse(401);
  if (operation.requestBody) {
    responses['413'] ??= problemResponse(413);
    responses['415'] ??= problemResponse(415);
  }
  responses['500'] ??= problemResponse(500);
  if (operation.operationId !== 'getLiveness') responses['503'] ??= problemResponse(503);
  if (responses['429']) {
    for (const [status, response] of Object.entries(responses)) {
      if (
        response &&
        !('$ref' in response) &&
        /^[24]/.test(status) &&
        !UNCOUNTED_STATUSES.has(status)
      ) {
        response.headers = { ...response.headers, ...RATE_LIMIT_HEADER_REFS };
      }
    }
  }
}

/** Gives every problem example of an operation the operation's own path as its `instance`. */
function setProblemInstances(operation: OperationObject, instance: string): void {
  for (const response of Object.values(operation.responses)) {
    const media =
      response && 'content' in response
        ? response.content?.['application/problem+json']
        : undefined;
    const example = media?.example as { instance?: string } | undefined;
    if (example?.instance === PROBLEM_INSTANCE_PLACEHOLDER)
      media!.example = { ...example, instance };
  }
}

/** Adds the `maxLength` that a string's format implies, wherever the document has none. */
function addFormatLengths(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(addFormatLengths);
  } else if (typeof node === 'object' && node !== null) {
    const schema = node as { type?: unknown; format?: unknown; maxLength?: number };
    const length = typeof schema.format === 'string' ? FORMAT_LENGTHS[schema.format] : undefined;
    if (schema.type === 'string' && length !== undefined) schema.maxLength ??= length;
    Object.values(node).forEach(addFormatLengths);
  }
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
