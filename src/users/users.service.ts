import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ListQueryType } from '../common/pagination/list-query.js';
import {
  containsPattern,
  type Page,
  paginate,
  type SortColumns,
} from '../common/pagination/page.js';
import { type Role, User } from './user.entity.js';

export const USER_SORT_FIELDS = ['name', 'email', 'createdAt'] as const;

const SORT_COLUMNS = {
  name: 'user.name',
  email: 'user.email',
  createdAt: 'user.createdAt',
} satisfies SortColumns<typeof USER_SORT_FIELDS>;

/** What the administrators' list filters by (`q` matches the name or the email). */
export interface UserFilters extends ListQueryType {
  q?: string;
  role?: Role;
  disabled?: boolean;
}

/** The one owner of the `users` table. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly audit: AuditService,
  ) {}

  /**
   * Inserts a user on `manager` (the registration's transaction); a taken email surfaces as
   * the unique violation of `users_email_key`.
   */
  create(
    manager: EntityManager,
    user: Pick<User, 'name' | 'email' | 'passwordHash' | 'role'>,
  ): Promise<User> {
    return manager.save(manager.create(User, user));
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  list<Item>(filters: UserFilters, toItem: (user: User) => Item): Promise<Page<Item>> {
    const builder = this.users.createQueryBuilder('user');
    if (filters.q) {
      builder.andWhere('(user.name ILIKE :q OR user.email ILIKE :q)', {
        q: containsPattern(filters.q),
      });
    }
    if (filters.role) builder.andWhere('user.role = :role', { role: filters.role });
    if (filters.disabled !== undefined) {
      builder.andWhere('user.disabled = :disabled', { disabled: filters.disabled });
    }
    return paginate(builder, filters, SORT_COLUMNS, toItem);
  }

  /** Changes an account's role or `disabled` on `manager`; `false` if there is no such account. */
  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<User, 'role' | 'disabled'>>,
  ): Promise<boolean> {
    const result = await manager.update(User, { id }, changes);
    return result.affected === 1;
  }

  /**
   * Gives the account with this email a role, with the audit event of the change (an operator's
   * command); `false` if no account has the email.
   */
  setRoleByEmail(email: string, role: Role): Promise<boolean> {
    return this.users.manager.transaction(async (manager) => {
      // An UPDATE answers its rows and its count.
      const [rows]: [{ id: string }[], number] = await manager.query(
        `UPDATE "users" SET "role" = $2 WHERE "email" = $1 RETURNING "id"`,
        [email.trim().toLowerCase(), role],
      );
      if (rows.length === 0) return false;
      await this.audit.recordInTransaction(manager, { resourceId: rows[0].id });
      return true;
    });
  }
}
