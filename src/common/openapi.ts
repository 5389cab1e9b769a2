import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
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
