import { applyDecorators, HttpCode, HttpStatus, type Type } from '@nestjs/common';
import {
  ApiOperation,
  ApiProperty,
  type ApiPropertyOptions,
  ApiResponse,
  type ResponseObject,
} from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { EXAMPLE_ID } from './decorators/id-param.decorator.js';
import { MAX_VERSION } from './versions/entity-tags.js';
import { ProblemDetails } from './problem-details.js';
import { TEXT_PATTERN } from './validation/fields.js';

const PROBLEM_DESCRIPTIONS: Partial<Record<number, string>> = {
  400: 'The request is invalid (malformed id, body or query); `errors` lists the fields.',
  401: 'Missing, malformed, expired or wrongly signed access token.',
  403: 'The caller may read this resource but not change it.',
  404: 'No such resource, or it belongs to another user.',
  409: 'The request conflicts with the current state (a duplicate, or a dependent record).',
  412: 'The record has changed since the version `If-Match` names; nothing was changed. Read it again and reapply the change.',
  413: 'The request body is larger than 100 kB.',
  415: 'The request body is not `application/json`.',
  429: 'Too many attempts from this address; retry after the `Retry-After` seconds.',
  500: 'An unexpected error; it is logged on the server, and the answer tells nothing more.',
  503: 'The database is unavailable; try again shortly.',
};

/**
 * The `instance` of a problem example until the document is built: `buildOpenApiDocument`
 * replaces it with the path of the operation the example belongs to.
 */
export const PROBLEM_INSTANCE_PLACEHOLDER = '{path}';

/** The `Retry-After` header of a 429: what it counts, and its largest value. */
export interface RetryAfter {
  description: string;
  maximum: number;
}

/** The `Retry-After` of the per-address rate limit (`AuthRateLimitGuard`). */
const RATE_LIMIT_RETRY_AFTER: RetryAfter = {
  description: 'Seconds to wait before the next attempt (the limit counts a minute).',
  maximum: 60,
};

/**
 * A status, or a status with what it means for one endpoint (and, for a 429 that is not the
 * rate limit's, its `Retry-After`).
 */
export type Problem =
  HttpStatus | [status: HttpStatus, description: string, retryAfter?: RetryAfter];

/** The response object of a problem-details answer with the given status. */
export function problemResponse(
  status: number,
  meaning?: string,
  retryAfter: RetryAfter = RATE_LIMIT_RETRY_AFTER,
): ResponseObject {
  const description = meaning ?? PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error';
  return {
    description,
    ...(status === 429
      ? {
          headers: {
            'Retry-After': {
              description: retryAfter.description,
              schema: { type: 'integer', format: 'int32', minimum: 0, maximum: retryAfter.maximum },
              example: 60,
            },
          },
        }
      : {}),
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/ProblemDetails' },
        example: {
          type: 'about:blank',
          title: STATUS_CODES[status],
          status,
          detail: description,
          instance: PROBLEM_INSTANCE_PLACEHOLDER,
          requestId: '0f9a6c1e-2b7d-4c38-9f51-8e2d4b6a7c90',
        },
      },
    },
  };
}

/** Documents problem-details responses for the given statuses. */
export function ApiProblems(...problems: Problem[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...problems.map((problem) => {
      const [status, meaning, retryAfter] = Array.isArray(problem) ? problem : [problem];
      return ApiResponse({ status, ...problemResponse(status, meaning, retryAfter) });
    }),
  );
}

/**
 * A text property of a response: stored text went through `TextField`, so it has at most
 * `maxLength` characters and no control characters other than tab and newline.
 */
export function ApiText(options: ApiPropertyOptions & { maxLength: number }): PropertyDecorator {
  return ApiProperty({ type: String, pattern: TEXT_PATTERN, ...options });
}

export const PROBLEM_SCHEMAS = [ProblemDetails];

export interface EndpointOptions {
  operationId: string;
  summary: string;
  description?: string;
  /** The success status: 200 by default, 201 for a create, 204 for a delete. */
  status?: HttpStatus.OK | HttpStatus.CREATED | HttpStatus.NO_CONTENT;
  response?: Type<unknown>;
  /** What the success answer means, when more can be said than its status. */
  success?: string;
  problems?: Problem[];
  /** For a create: the `Location` it answers, `:id` standing for the new resource's id. */
  location?: string;
}

/** An endpoint's success status, its OpenAPI description and its error responses in one. */
export function ApiEndpoint(options: EndpointOptions): MethodDecorator {
  const status = options.status ?? HttpStatus.OK;
  return applyDecorators(
    HttpCode(status),
    ApiOperation({
      operationId: options.operationId,
      summary: options.summary,
      description: options.description,
    }),
    ApiResponse({
      status,
      type: options.response,
      description:
        options.success ??
        (status === HttpStatus.CREATED
          ? 'Created; `Location` names the new resource.'
          : status === HttpStatus.NO_CONTENT
            ? 'Done; no body.'
            : 'OK'),
      ...(status === HttpStatus.CREATED
        ? {
            headers: {
              Location: {
                description: 'The path of the new resource',
                schema: { type: 'string', format: 'uri-reference', maxLength: 64 },
                example: options.location?.replace(':id', EXAMPLE_ID),
              },
            },
          }
        : {}),
    }),
    ApiProblems(...(options.problems ?? [])),
  );
}

/** A timestamp in a response: ISO 8601 in UTC. */
export const ApiTimestamp = () =>
  ApiProperty({ format: 'date-time', example: '2026-11-25T18:41:25.000Z' });

/** A resource's `version` in a response: 1 when created, one more on every change. */
export const ApiVersion = () =>
  ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_VERSION,
    example: 1,
    description: '1 when created, one more on every change; also the `ETag`, `"<version>"`.',
  });
