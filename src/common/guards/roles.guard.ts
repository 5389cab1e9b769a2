import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { auditScopeOf } from '../../audit/audit.interceptor.js';
import { AuditService } from '../../audit/audit.service.js';
import type { Role } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import type { AuthUser } from '../decorators/current-user.decorator.js';
import { ROLES } from '../decorators/roles.decorator.js';
import { perHandler } from '../handler-metadata.js';

/**
 * The global guard of function-level authorization, run after the JWT guard: an endpoint
 * marked `@Roles(...)` needs a caller whose account has one of them. The role is read from the
 * database, only on those endpoints, so that granting or revoking it takes effect at once. A
 * refusal on an `@Audited` endpoint is recorded here: guards run before the audit interceptor.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly rolesOf = perHandler((handler, controller) =>
    this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [handler, controller]),
  );

  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.rolesOf(context);
    if (!roles) return true;
    const auth = context.switchToHttp().getRequest<{ user: AuthUser }>().user;
    const account = await this.users.findById(auth.id);
    if (!account || account.disabled || !roles.includes(account.role)) {
      const scope = auditScopeOf(context);
      if (scope) await this.audit.record(scope.toRecord('failure', HttpStatus.FORBIDDEN));
      throw new ForbiddenException(
        `This endpoint is for accounts with the role ${roles.join(' or ')}.`,
      );
    }
    return true;
  }
}
