import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import {
  containsPattern,
  type Page,
  paginate,
  type SortColumns,
} from '../common/pagination/page.js';
import { definedOnly } from '../common/validation/defined.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { User } from '../users/user.entity.js';
import {
  ADMIN_USER_SORT_FIELDS,
  type AdminUserListQuery,
  type AdminUserResponse,
  type UpdateAdminUserDto,
} from './dto/admin-user.dto.js';

const SORT_COLUMNS = {
  name: 'user.name',
  email: 'user.email',
  createdAt: 'user.createdAt',
} satisfies SortColumns<typeof ADMIN_USER_SORT_FIELDS>;

const NOT_FOUND = 'No account with this id.';

function toAdminUserResponse({ id, name, email, role, disabled, createdAt }: User) {
  return { id, name, email, role, disabled, createdAt };
}

/** Accounts as administrators see them: no password hash, no records of the account. */
@Injectable()
export class AdminUsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly sessions: SessionsService,
  ) {}

  list(query: AdminUserListQuery): Promise<Page<AdminUserResponse>> {
    const builder = this.users.createQueryBuilder('user');
    if (query.q) {
      builder.andWhere('(user.name ILIKE :q OR user.email ILIKE :q)', {
        q: containsPattern(query.q),
      });
    }
    if (query.role) builder.andWhere('user.role = :role', { role: query.role });
    if (query.disabled !== undefined) {
      builder.andWhere('user.disabled = :disabled', { disabled: query.disabled });
    }
    return paginate(builder, query, SORT_COLUMNS, toAdminUserResponse);
  }

  async get(id: string): Promise<AdminUserResponse> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException(NOT_FOUND);
    return toAdminUserResponse(user);
  }

  /**
   * Changes an account's role or disables it (which ends every session of it). Administrators
   * cannot demote or disable themselves, so that an account always remains able to undo it.
   */
  async update(auth: AuthUser, id: string, dto: UpdateAdminUserDto): Promise<AdminUserResponse> {
    if (id === auth.id && ((dto.role ?? 'admin') !== 'admin' || dto.disabled === true)) {
      throw new ConflictException(
        'Administrators cannot change their own role or disable themselves.',
      );
    }
    const changes = definedOnly(dto);
    if (Object.keys(changes).length > 0) {
      const result = await this.users.update({ id }, changes);
      if (!result.affected) throw new NotFoundException(NOT_FOUND);
      if (changes.disabled) await this.sessions.endAllOf(id);
    }
    return this.get(id);
  }
}
