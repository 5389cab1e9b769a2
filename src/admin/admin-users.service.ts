import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { definedOnly } from '../common/validation/defined.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type {
  AdminUserListQuery,
  AdminUserResponse,
  UpdateAdminUserDto,
} from './dto/admin-user.dto.js';

const NOT_FOUND = 'No account with this id.';

function toAdminUserResponse({ id, name, email, role, disabled, createdAt }: User) {
  return { id, name, email, role, disabled, createdAt };
}

/** Accounts as administrators see them: no password hash, no records of the account. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  list(query: AdminUserListQuery): Promise<Page<AdminUserResponse>> {
    return this.users.list(query, toAdminUserResponse);
  }

  async get(id: string): Promise<AdminUserResponse> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundException(NOT_FOUND);
    return toAdminUserResponse(user);
  }

  /**
   * Changes an account's role or disables it (which ends every session of it), with its audit
   * event, in one transaction. Administrators cannot demote or disable themselves, so that an
   * account always remains able to undo it.
   */
  async update(auth: AuthUser, id: string, dto: UpdateAdminUserDto): Promise<AdminUserResponse> {
    if (id === auth.id && ((dto.role ?? 'admin') !== 'admin' || dto.disabled === true)) {
      throw new ConflictException(
        'Administrators cannot change their own role or disable themselves.',
      );
    }
    const changes = definedOnly(dto);
    if (Object.keys(changes).length > 0) {
      await this.sessions.transaction(async (manager) => {
        if (!(await this.users.update(manager, id, changes))) {
          throw new NotFoundException(NOT_FOUND);
        }
        if (changes.disabled) await this.sessions.endAllOf(manager, id);
        await this.audit.recordInTransaction(manager);
      });
    }
    return this.get(id);
  }
}
