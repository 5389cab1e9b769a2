import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TEXT_PATTERN } from './validation/fields.js';

/**
 * The longest text an error can quote from a request: a property name from the body (at most
 * 100 kB), or the path (Node.js limits the request head to 16 KiB).
 */
const QUOTED_REQUEST_LIMIT = 100_000;

export class FieldError {
  @ApiProperty({
    example: 'email',
    description: 'The offending field, dotted for nested ones; may quote an unknown property name.',
    maxLength: QUOTED_REQUEST_LIMIT,
  })
  field: string;

  @ApiProperty({ example: 'email must be an email address', maxLength: QUOTED_REQUEST_LIMIT + 100 })
  message: string;
}

/** An RFC 9457 problem document: the body of every error response. */
export class ProblemDetails {
  @ApiProperty({
    example: 'about:blank',
    description: 'A URI naming the problem type.',
    format: 'uri',
    maxLength: 2048,
  })
  type: string;

  @ApiProperty({
    example: 'Bad Request',
    description: 'The HTTP status phrase.',
    pattern: '^[ -~]+$',
    maxLength: 64,
  })
  title: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 })
  status: number;

  @ApiProperty({
    example: 'The request is invalid: see errors.',
    description: "The server's explanation; it may quote the request path.",
    pattern: TEXT_PATTERN,
    maxLength: QUOTED_REQUEST_LIMIT,
  })
  detail: string;

  @ApiProperty({
    example: '/api/doctors',
    description: 'The path of the request.',
    format: 'uri-reference',
    maxLength: QUOTED_REQUEST_LIMIT,
  })
  instance: string;

  @ApiProperty({
    example: '0f9a6c1e-2b7d-4c38-9f51-8e2d4b6a7c90',
    description: 'The id of the request, also sent as `X-Request-Id`; quote it when reporting.',
    pattern: '^[A-Za-z0-9._-]+$',
    maxLength: 64,
  })
  requestId: string;

  @ApiPropertyOptional({
    type: [FieldError],
    description:
      'Per-field validation errors: one per offending property, so at most one per 4 bytes of a 100 kB body.',
    maxItems: 25_000,
  })
  errors?: FieldError[];
}

/** A 400 that carries per-field errors. */
export class ValidationProblem extends HttpException {
  constructor(
    readonly errors?: FieldError[],
    detail = 'The request is invalid: see errors.',
  ) {
    super(detail, HttpStatus.BAD_REQUEST);
  }
}

/** A 429 that tells the client, in `Retry-After`, how many seconds to wait. */
export class RetryLaterProblem extends HttpException {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail, HttpStatus.TOO_MANY_REQUESTS);
  }
}
