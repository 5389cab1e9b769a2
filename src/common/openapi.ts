import { applyDecorators, HttpStatus, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ProblemDetails } from './problem-details.js';

const PROBLEM_DESCRIPTIONS: Partial<Record<number, string>> = {
  400: 'The request is invalid (malformed id, body or query); `errors` lists the fields.',
  401: 'Missing, malformed, expired or wrongly signed access token.',
  403: 'The caller may read this resource but not change it.',
  404: 'No such resource, or it belongs to another user.',
  409: 'The request conflicts with the current state (a duplicate, or a dependent record).',
  413: 'The request body is larger than 100 kB.',
  429: 'Too many attempts from this address; retry after the `Retry-After` seconds.',
  503: 'The database is unavailable.',
};

/** Documents problem-details responses for the given statuses. */
export function ApiProblems(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status],
        content: {
          'application/problem+json': {
            schema: { $ref: '#/components/schemas/ProblemDetails' },
            example: {
              type: 'about:blank',
              title: STATUS_CODES[status],
              status,
              detail: PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status],
              instance: '/api/doctors',
            },
          },
        },
      }),
    ),
  );
}

/** An endpoint behind the bearer token: documents the scheme and its 401. */
export function ApiAuthenticated(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth(), ApiProblems(HttpStatus.UNAUTHORIZED));
}

export const PROBLEM_SCHEMAS = [ProblemDetails];

export interface EndpointOptions {
  operationId: string;
  summary: string;
  description?: string;
  /** The success status: 200 by default, 201 for a create, 204 for a delete. */
  status?: HttpStatus.OK | HttpStatus.CREATED | HttpStatus.NO_CONTENT;
  response?: Type<unknown>;
  problems?: HttpStatus[];
}

/** An endpoint's OpenAPI description, its success status and its error responses in one. */
export function ApiEndpoint(options: EndpointOptions): MethodDecorator {
  const status = options.status ?? HttpStatus.OK;
  return applyDecorators(
    ApiOperation({
      operationId: options.operationId,
      summary: options.summary,
      description: options.description,
    }),
    ApiResponse({
      status,
      type: options.response,
      description:
        status === HttpStatus.CREATED
          ? 'Created; `Location` names the new resource.'
          : status === HttpStatus.NO_CONTENT
            ? 'Done; no body.'
            : 'OK',
      ...(status === HttpStatus.CREATED
        ? { headers: { Location: { description: 'The new resource', schema: { type: 'string' } } } }
        : {}),
    }),
    ApiProblems(...(options.problems ?? [])),
  );
}
