import { applyDecorators } from '@nestjs/common';
import {
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  type ResponseObject,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ApiIdParam } from '../common/decorators/id-param.decorator.js';
import { TEXT_PATTERN } from '../common/validation/fields.js';
import { TAG_LIST_PATTERN } from '../common/versions/entity-tags.js';
import { JSON_FORMATS } from './fhir-http.js';
import { FHIR_JSON, toOperationOutcome } from './operation-outcome.js';
import { DEFAULT_COUNT, MAX_COUNT, type SearchSpec } from './search-query.js';

type FhirType = 'Patient' | 'Practitioner' | 'CareTeam' | 'CapabilityStatement';

const SPECIFICATION = 'https://hl7.org/fhir/R4';

/**
 * A FHIR resource in the document: its type, and a pointer to the specification, which
 * defines the rest (restating FHIR's definitions here would only let the two drift apart).
 */
function resourceSchema(type: string): SchemaObject {
  return {
    type: 'object',
    description: `A FHIR R4 ${type} resource, as ${SPECIFICATION}/${type.toLowerCase()}.html defines it.`,
    required: ['resourceType'],
    properties: { resourceType: { type: 'string', enum: [type], example: type } },
  };
}

/** The FHIR schemas of the document's components, which the FHIR operations refer to. */
export const FHIR_SCHEMAS: Record<string, SchemaObject> = {
  ...Object.fromEntries(
    (['Patient', 'Practitioner', 'CareTeam', 'CapabilityStatement', 'Bundle'] as const).map(
      (type) => [`Fhir${type}`, resourceSchema(type)],
    ),
  ),
  // The error body of every FHIR operation: this server's own, so described in full.
  FhirOperationOutcome: {
    ...resourceSchema('OperationOutcome'),
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
          required: ['severity', 'code', 'diagnostics'],
          properties: {
            severity: { type: 'string', enum: ['error'] },
            code: { type: 'string', pattern: '^[a-z-]+$', maxLength: 64 },
            diagnostics: { type: 'string', pattern: TEXT_PATTERN, maxLength: 100_000 },
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
  /** A read of one resource by its id, else a search. */
  read?: boolean;
  /** Whether the resource has a `meta.versionId`, answered as its `ETag`. */
  versioned?: boolean;
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
    ApiQuery({
      name: '_format',
      required: false,
      description: 'FHIR’s override of `Accept`: only JSON is served (anything else is a 406).',
      schema: { type: 'string', enum: [...JSON_FORMATS] },
    }),
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
    ...(options.versioned
      ? [
          ApiHeader({
            name: 'If-None-Match',
            required: false,
            description:
              'Answer 304 with no body if the resource is still at this version: its `ETag`, ' +
              '`W/"<versionId>"`, a comma-separated list of them, or `*`.',
            schema: {
              type: 'string',
              pattern: TAG_LIST_PATTERN,
              maxLength: 16_384,
              example: 'W/"3"',
            },
          }),
          ApiResponse({
            status: 304,
            description: 'Not modified: the version `If-None-Match` named is current. No body.',
            headers: ETAG_HEADER,
          }),
        ]
      : []),
    ApiResponse({
      status: 200,
      description: options.search ? 'A searchset Bundle of the matches.' : 'OK',
      content: fhirJson(schema),
      ...(options.versioned ? { headers: ETAG_HEADER } : {}),
    }),
    ...statuses.map((status) => ApiResponse({ status, ...outcomeResponse(status) })),
  );
}
