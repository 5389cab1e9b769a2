import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, type ResponseObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ApiIdParam, EXAMPLE_ID } from '../common/decorators/id-param.decorator.js';
import { FHIR_JSON, toOperationOutcome } from './operation-outcome.js';
import { DEFAULT_COUNT, MAX_COUNT, type SearchSpec } from './search-query.js';

type FhirType = 'Patient' | 'Practitioner' | 'CareTeam' | 'CapabilityStatement';

const SPECIFICATION = 'https://hl7.org/fhir/R4';

const EXAMPLES: Record<FhirType, object> = {
  Patient: {
    resourceType: 'Patient',
    id: EXAMPLE_ID,
    meta: { versionId: '1', lastUpdated: '2026-11-25T18:41:25.000Z' },
    name: [{ text: 'Jane Doe' }],
    telecom: [{ system: 'email', value: 'jane@example.com' }],
    gender: 'female',
    birthDate: '1984-07-21',
    generalPractitioner: [{ reference: `Practitioner/${EXAMPLE_ID}` }],
  },
  Practitioner: {
    resourceType: 'Practitioner',
    id: EXAMPLE_ID,
    meta: { versionId: '1', lastUpdated: '2026-11-25T18:41:25.000Z' },
    name: [{ text: 'Dr. Gregory House' }],
    telecom: [{ system: 'email', value: 'house@example.com' }],
    qualification: [{ code: { text: 'Diagnostic medicine' } }],
  },
  CareTeam: {
    resourceType: 'CareTeam',
    id: EXAMPLE_ID,
    status: 'active',
    subject: { reference: `Patient/${EXAMPLE_ID}` },
    participant: [
      {
        member: { reference: `Practitioner/${EXAMPLE_ID}`, display: 'Dr. Gregory House' },
        period: { start: '2026-11-25T18:41:25.000Z' },
      },
    ],
  },
  CapabilityStatement: {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{ mode: 'server' }],
  },
};

/** A FHIR resource in the document: its type, and a pointer to the specification for the rest. */
function resourceSchema(type: string, example: object): SchemaObject {
  return {
    type: 'object',
    description: `A FHIR R4 ${type} resource, as ${SPECIFICATION}/${type.toLowerCase()}.html defines it.`,
    required: ['resourceType'],
    properties: { resourceType: { type: 'string', enum: [type], example: type } },
    example,
  };
}

/** The FHIR schemas of the document's components, which the FHIR operations refer to. */
export const FHIR_SCHEMAS: Record<string, SchemaObject> = {
  ...Object.fromEntries(
    Object.entries(EXAMPLES).map(([type, example]) => [
      `Fhir${type}`,
      resourceSchema(type, example),
    ]),
  ),
  FhirBundle: resourceSchema('Bundle', {
    resourceType: 'Bundle',
    type: 'searchset',
    total: 1,
    link: [{ relation: 'self', url: `http://localhost:3000/fhir/R4/Patient?_count=20&_offset=0` }],
    entry: [
      {
        fullUrl: `http://localhost:3000/fhir/R4/Patient/${EXAMPLE_ID}`,
        resource: EXAMPLES.Patient,
        search: { mode: 'match' },
      },
    ],
  }),
  FhirOperationOutcome: {
    ...resourceSchema('OperationOutcome', toOperationOutcome({ status: 404, detail: 'Not found' })),
    required: ['resourceType', 'issue'],
    properties: {
      resourceType: { type: 'string', enum: ['OperationOutcome'], example: 'OperationOutcome' },
      issue: {
        type: 'array',
        minItems: 1,
        maxItems: 1000,
        example: [
          { severity: 'error', code: 'not-found', diagnostics: 'No patient with this id.' },
        ],
        items: {
          type: 'object',
          required: ['severity', 'code'],
          properties: {
            severity: { type: 'string', enum: ['error'] },
            code: { type: 'string', pattern: '^[a-z-]+$', maxLength: 64 },
            diagnostics: { type: 'string', maxLength: 100_000 },
          },
        },
      },
    },
  },
};

const OUTCOME_DESCRIPTIONS: Partial<Record<number, string>> = {
  400: 'The request is invalid (a malformed id, an unknown search parameter, a malformed value).',
  401: 'Missing, malformed, expired or wrongly signed access token (`WWW-Authenticate: Bearer`).',
  404: "No such resource, or another user's patient.",
  406: '`Accept` names neither application/fhir+json nor application/json.',
  500: 'An unexpected error; it is logged on the server, and the answer tells nothing more.',
  503: 'The database is unavailable; try again shortly.',
};

function fhirJson(schema: string, example?: object): ResponseObject['content'] {
  return {
    [FHIR_JSON]: {
      schema: { $ref: `#/components/schemas/${schema}` },
      ...(example ? { example } : {}),
    },
  };
}

/** An OperationOutcome answer with the given status. */
export function outcomeResponse(status: number): ResponseObject {
  const description = OUTCOME_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error';
  return {
    description,
    content: fhirJson('FhirOperationOutcome', toOperationOutcome({ status, detail: description })),
  };
}

export interface FhirEndpointOptions {
  operationId: string;
  summary: string;
  description?: string;
  resource: FhirType;
  /** A read of one resource by its id (answered with its `ETag`), else a search. */
  read?: boolean;
  /** A search answers a Bundle; its parameters are documented from its spec. */
  search?: SearchSpec;
  /** Whether a token is needed (the metadata needs none, so it cannot answer 401). */
  public?: boolean;
}

const ETAG_HEADER = {
  ETag: {
    description: 'The resource’s `meta.versionId`, as a weak entity tag: `W/"<versionId>"`.',
    schema: { type: 'string', pattern: '^W/"[1-9][0-9]{0,9}"$', maxLength: 14 },
    example: 'W/"3"',
  },
};

/**
 * A FHIR operation in the OpenAPI document: FHIR JSON answers, OperationOutcome errors
 * (which the document's shared problem-details responses then leave alone), and a search's
 * parameters.
 */
export function ApiFhirEndpoint(options: FhirEndpointOptions): MethodDecorator {
  const statuses = [
    ...(options.public ? [] : [400, 401]),
    ...(options.read ? [404] : []),
    406,
    500,
    503,
  ];
  const schema = options.search ? 'FhirBundle' : `Fhir${options.resource}`;
  return applyDecorators(
    ApiOperation({
      operationId: options.operationId,
      summary: options.summary,
      description: options.description,
    }),
    ...(options.read ? [ApiIdParam(options.resource)] : []),
    ...Object.entries(options.search ?? {}).map(([name, parameter]) =>
      ApiQuery({
        name,
        required: false,
        description: parameter.documentation,
        schema: { type: 'string', ...parameter.schema },
      }),
    ),
    ...(options.search
      ? [
          ApiQuery({
            name: '_count',
            required: false,
            description: 'Results per page.',
            schema: {
              type: 'integer',
              format: 'int32',
              minimum: 1,
              maximum: MAX_COUNT,
              default: DEFAULT_COUNT,
            },
          }),
          ApiQuery({
            name: '_offset',
            required: false,
            description: 'Results to skip; the `next` and `previous` links carry it.',
            schema: {
              type: 'integer',
              format: 'int64',
              minimum: 0,
              maximum: Number.MAX_SAFE_INTEGER,
              default: 0,
            },
          }),
        ]
      : []),
    ApiResponse({
      status: 200,
      description: options.search ? 'A searchset Bundle of the matches.' : 'OK',
      content: fhirJson(schema),
      ...(options.read ? { headers: ETAG_HEADER } : {}),
    }),
    ...statuses.map((status) => ApiResponse({ status, ...outcomeResponse(status) })),
  );
}
