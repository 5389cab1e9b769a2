import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The authenticated caller, as the access token names it. */
export interface AuthUser {
  id: string;
  /** The session the access token belongs to (its `sid`). */
  sessionId: string;
}

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser =>
    context.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
