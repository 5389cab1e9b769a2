import { applyDecorators, HttpStatus, SetMetadata } from '@nestjs/common';
import type { Role } from '../../users/user.entity.js';
import { ApiProblems } from '../openapi.js';

export const ROLES = 'roles';

/**
 * Restricts an endpoint (or a controller) to accounts with one of `roles`; read by the global
 * RolesGuard. Others that are signed in get a 403. Documents that 403.
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ROLES, roles),
    ApiProblems([HttpStatus.FORBIDDEN, `The caller's role is not ${roles.join(' or ')}.`]),
  );
