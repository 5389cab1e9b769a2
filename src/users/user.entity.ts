import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { LENGTH } from '../common/validation/limits.js';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

@Entity({ name: 'users' })
@Index('users_email_key', ['email'], { unique: true })
@Check('users_email_check', `"email" = lower("email")`)
@Check('users_role_check', `"role" IN ('user', 'admin')`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: LENGTH.name })
  name: string;

  /** Stored trimmed and lowercased; unique. */
  @Column({ type: 'varchar', length: LENGTH.email })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 60 })
  passwordHash: string;

  /** `admin` may manage accounts; it grants no access to other users' records. */
  @Column({ type: 'varchar', length: 16, default: 'user' })
  role: Role;

  /** A disabled account cannot log in or refresh, and its sessions are ended. */
  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
