import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The request's `User-Agent`, if any: recorded with a session, so it stays out of the
 * OpenAPI parameters (clients send it anyway).
 */
export const UserAgent = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers[
      'user-agent'
    ],
);
