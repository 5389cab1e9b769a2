import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Page } from '../common/pagination/page.js';
import type { Role, User } from './user.entity.js';
import { type UserFilters, UsersRepository } from './users.repository.js';

export { USER_SORT_FIELDS, type UserFilters } from './users.repository.js';

/** Accounts, for the modules that need them; the SQL of `users` is UsersRepository's. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly dataSource: DataSource,
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
    return this.users.insert(manager, user);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  async list<Item>(filters: UserFilters, toItem: (user: User) => Item): Promise<Page<Item>> {
    const page = await this.users.page(filters);
    return { ...page, items: page.items.map(toItem) };
  }

  /** Changes an account's role or `disabled` on `manager`; `false` if there is no such account. */
  update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<User, 'role' | 'disabled'>>,
  ): Promise<boolean> {
    return this.users.update(manager, id, changes);
  }

  /**
   * Gives the account with this email a role, with the audit event of the change (an operator's
   * command); `false` if no account has the email.
   */
  setRoleByEmail(email: string, role: Role): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const id = await this.users.setRoleByEmail(manager, email, role);
      if (id === undefined) return false;
      await this.audit.recordInTransaction(manager, { resourceId: id });
      return true;
    });
  }
}
