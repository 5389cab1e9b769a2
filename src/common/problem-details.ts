import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldError {
  @ApiProperty({ example: 'email', description: 'The offending field, dotted for nested ones.' })
  field: string;

  @ApiProperty({ example: 'email must be an email address' })
  message: string;
}

/** An RFC 9457 problem document: the body of every error response. */
export class ProblemDetails {
  @ApiProperty({ example: 'about:blank', description: 'A URI naming the problem type.' })
  type: string;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP status phrase.' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request is invalid: see errors.' })
  detail: string;

  @ApiProperty({ example: '/api/doctors', description: 'The path of the request.' })
  instance: string;

  @ApiProperty({
    example: '0f9a6c1e-2b7d-4c38-9f51-8e2d4b6a7c90',
    description: 'The id of the request, also sent as `X-Request-Id`; quote it when reporting.',
  })
  requestId: string;

  @ApiPropertyOptional({ type: [FieldError], description: 'Per-field validation errors.' })
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
