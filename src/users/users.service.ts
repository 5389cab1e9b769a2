import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { type Role, User } from './user.entity.js';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Inserts a user; a taken email surfaces as the unique violation of `users_email_key`. */
  create(user: Pick<User, 'name' | 'email' | 'passwordHash' | 'role'>): Promise<User> {
    return this.users.save(this.users.create(user));
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** Gives the account with this email a role; `false` if no account has the email. */
  async setRoleByEmail(email: string, role: Role): Promise<boolean> {
    const result = await this.users.update({ email: email.trim().toLowerCase() }, { role });
    return result.affected === 1;
  }
}
