import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
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

/** The SQL of `users`. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** A taken email surfaces as the unique violation of `users_email_key`. */
  insert(
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

  page(filters: UserFilters): Promise<Page<User>> {
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
    return paginate(builder, filters, SORT_COLUMNS, (user) => user);
  }

  /** `false` if there is no such account. */
  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<User, 'role' | 'disabled'>>,
  ): Promise<boolean> {
    const result = await manager.update(User, { id }, changes);
    return result.affected === 1;
  }

  /** Gives the account with this email a role: its id, or undefined if no account has it. */
  async setRoleByEmail(
    manager: EntityManager,
    email: string,
    role: Role,
  ): Promise<string | undefined> {
    // An UPDATE answers its rows and its count.
    const [rows]: [{ id: string }[], number] = await manager.query(
      `UPDATE "users" SET "role" = $2 WHERE "email" = $1 RETURNING "id"`,
      [email.trim().toLowerCase(), role],
    );
    return rows[0]?.id;
  }
}
