import { applyDecorators, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ValidationProblem } from '../problem-details.js';

/** The id that the OpenAPI document's examples use. */
export const EXAMPLE_ID = '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b';

const parseUuid = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ValidationProblem(
      [{ field: 'id', message: 'id must be a UUID' }],
      'The id in the path is not a UUID.',
    ),
});

/** The `id` path parameter: a UUID, or a 400 before any query runs. */
export const IdParam = (): ParameterDecorator => Param('id', parseUuid);

/** Documents the `id` path parameter of a resource. */
export const ApiIdParam = (resource: string) =>
  applyDecorators(
    ApiParam({
      name: 'id',
      format: 'uuid',
      description: `The ${resource}'s id`,
      example: EXAMPLE_ID,
    }),
  );
